"""Calibrate the default scenario's exodus parameters and destination constants to its targets.

Exodus: base rate, inflation, GDP and network weights fitted (least squares on log stocks) to the
R4V/IOM world totals 2015-2020 in targets.csv. Destinations: country constants of the logit
adjusted by damped fixed-point iteration, c += 0.8 log(observed / simulated), to the UNHCR
end-year stocks of 2019-2020 (for USA and Spain, where UNHCR counts only asylum, the
R4V-derived rows of targets.csv).
Later years are not used: they are held back for validation.

Usage: python tools/calibrate_venezuela.py [--scale 100] [--rounds 3]
Prints the values to put in scenario.toml and countries.csv (choice_constant).
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
from scipy.optimize import least_squares

import trocha

EXODUS = [
    "exodus_base_rate",
    "exodus_inflation_weight",
    "exodus_gdp_weight",
    "exodus_network_weight",
]
BOUNDS = ([1e-4, 0.0, 0.0, 0.0], [0.05, 3.0, 6.0, 40.0])


def run(scenario, constants, scale, seed=1, end="2020-12-31"):
    sim = trocha.Simulation(scenario, seed=seed, scale=scale, end=end)
    sim.world.country_constant[:] = constants
    return sim.run()


def world_targets(scenario):
    return [
        (t.date, t.value)
        for t in scenario.targets
        if t.country == "ALL" and t.role == "calibration" and t.date <= dt.date(2020, 12, 31)
    ]


def host_targets(scenario):
    out = {}
    hosts = {c.iso3 for c in scenario.countries if c.role == "host"}
    for t in scenario.targets:
        if t.country not in hosts:
            continue
        if t.date.month >= 11 and t.date.year in (2019, 2020):
            out.setdefault(t.country, []).append(t.value)
    return {c: float(np.mean(v)) for c, v in out.items()}


def fit_exodus(scenario, constants, scale):
    targets = world_targets(scenario)
    start = [scenario.parameters[n] for n in EXODUS]

    def residuals(x):
        s = scenario.with_parameters(**dict(zip(EXODUS, x, strict=True)))
        stock = run(s, constants, scale).metric("migrant_stock")
        return [np.log(stock[str(d)] / v) for d, v in targets]

    fit = least_squares(residuals, start, bounds=BOUNDS, diff_step=0.05, max_nfev=60)
    print("exodus fit:", dict(zip(EXODUS, np.round(fit.x, 5), strict=True)), "cost", fit.cost)
    return scenario.with_parameters(**dict(zip(EXODUS, fit.x, strict=True)))


def fit_constants(scenario, constants, scale, iterations=6):
    targets = host_targets(scenario)
    codes = [c.iso3 for c in scenario.countries]
    for _ in range(iterations):
        result = run(scenario, constants, scale)
        sim = {}
        for year in (2019, 2020):
            at = result.stocks_at(dt.date(year, 12, 31))
            for c in targets:
                sim.setdefault(c, []).append(at.get(c, 0.0))
        for c, observed in targets.items():
            simulated = max(np.mean(sim[c]), 1.0 * scale)
            constants[codes.index(c)] += 0.8 * np.log(observed / simulated)
        errors = {c: round(np.mean(sim[c]) / v, 2) for c, v in targets.items()}
        print("simulated/observed:", errors)
    return constants


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scenario = trocha.load_scenario("venezuela")
    constants = np.array([c.choice_constant for c in scenario.countries], dtype=float)
    for _ in range(args.rounds):
        constants = fit_constants(scenario, constants, args.scale)
        scenario = fit_exodus(scenario, constants, args.scale)
    print("\n[parameters] for scenario.toml:")
    for name in EXODUS:
        print(f"{name} = {scenario.parameters[name]:.5g}")
    print("\nchoice_constant for countries.csv:")
    for c, value in zip(scenario.countries, constants, strict=True):
        print(f"{c.iso3},{value:.3f}")


if __name__ == "__main__":
    main()
