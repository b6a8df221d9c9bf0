"""Detected victims of the venezuela scenario against the shipped detections, for values of the
other networks' recruitment probability (the anchor that sets it, and the checks it must pass).

    PYTHONPATH=src python tools/measure_detections.py --values 0.005,0.007,0.009 [--seeds 10]
        [--scale 10] [--workers 2]

For each value it runs seeds 1..N to the end of 2020 and prints the mean detections (the model's
identified victims, never its true victims) for: Peru 2017 + 2018, the anchor (about 170: the
Venezuelan tenth of the more than 1,700 victims Peru registered in those years, IOM Peru, S98);
and the detection rows of targets.csv (all countries 2018, Peru 2018, Colombia 2020) with the
factor-of-3 range the pattern test asks for. Then the victims held by country at the end of 2020.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import trocha
from trocha.experiments.targets import scenario_targets, simulated_values

ANCHOR = 170.0  # Peru 2017-2018: more than 1,700 registered victims, about 10% Venezuelan (S98)
FACTOR = 3.0
HELD = ("COL", "PER", "ECU", "CHL", "BRA", "ARG", "ESP", "USA")


def _one(job: tuple[float, int, int]) -> dict[str, float]:
    value, seed, scale = job
    scenario = trocha.load_scenario("venezuela").with_parameters(recruit_network_probability=value)
    ts = trocha.Simulation(scenario, seed=seed, scale=scale, end="2020-12-31").run().timeseries
    targets = [t for t in scenario_targets(scenario) if t.metric == "victims_detected"]
    out = dict(zip((t.label for t in targets), simulated_values(ts, targets), strict=True))
    year = ts["date"].dt.year
    peru = ts[(ts["metric"] == "victims_detected") & (ts["country"] == "PER")]
    out["anchor"] = float(peru.loc[year[peru.index].between(2017, 2018), "value"].sum())
    held = ts[(ts["metric"] == "victims_current") & (year == 2020)]
    for country in HELD:
        out[f"held {country}"] = float(held.loc[held["country"] == country, "value"].iloc[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="0.005,0.007,0.009")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenario = trocha.load_scenario("venezuela")
    targets = [t for t in scenario_targets(scenario) if t.metric == "victims_detected"]
    values = [float(v) for v in args.values.split(",")]
    jobs = [(v, seed, args.scale) for v in values for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_one, jobs))
    for i, value in enumerate(values):
        runs = results[i * args.seeds : (i + 1) * args.seeds]

        def mean(key: str, runs=runs) -> float:
            return float(np.mean([r[key] for r in runs]))

        print(f"recruit_network_probability = {value}")
        print(f"  anchor, Peru 2017-2018 detections: {mean('anchor'):,.0f} (about {ANCHOR:,.0f})")
        for t in targets:
            high = "no upper bound" if t.lower_bound else f"{t.value * FACTOR:,.0f}"
            print(
                f"  {t.label}: {mean(t.label):,.0f} (observed {t.value:,.0f}; "
                f"range {t.value / FACTOR:,.0f} to {high})"
            )
        print(
            "  victims held at the end of 2020: "
            + ", ".join(f"{c} {mean(f'held {c}'):,.0f}" for c in HELD)
        )


if __name__ == "__main__":
    main()
