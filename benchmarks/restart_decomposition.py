"""Where the backtest's error comes from: the shipped (in-sample) point run to 2020 from its own
state and restarted from the host stocks observed at the end of 2018, and the restart again with
one mechanism changed at a time.

The backtest (`trocha validate --backtest`) calibrates to 2018 and loses to persistence. Two
causes are possible: data to 2018 cannot identify the parameters that set the flows of 2019-2020
(identification), or no parameters near the fit give those flows from the observed state
(structure). The shipped point was fitted to 2019-2020 itself, so its restart from the observed
2018 state bounds the structural part from below: if it also loses to persistence, the in-sample
fit leans on a state at 2018 that differs from the observed one. The variants say which
mechanisms move the restarted flows, and how far. Nothing here is fitted; it reads the shipped
scenario and its targets only.

    python benchmarks/restart_decomposition.py [--seeds 3] [--scale 1000] [--workers 2]

Writes benchmarks/results/restart_decomposition.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from doc_sections import save_report

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "src" / "trocha" / "data" / "scenarios" / "venezuela"
RESULTS = ROOT / "benchmarks" / "results" / "restart_decomposition.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- restart-decomposition -->", "<!-- /restart-decomposition -->"
MAIN = ("COL", "PER", "ECU", "CHL", "BRA", "ARG")
ORIGIN = dt.date(2018, 12, 31)
HORIZON = dt.date(2020, 12, 31)
DETERRENTS = {
    "choice_irregular_status_weight": 0.0,
    "irregular_penalty_usd": 0.0,
    "fee_closure_multiplier": 1.0,
}


def constants() -> dict[str, float]:
    with (SCENARIO / "countries.csv").open(encoding="utf-8") as f:
        return {r["iso3"]: float(r["choice_constant"]) for r in csv.DictReader(f)}


def variants() -> dict[str, tuple[bool, dict, dict]]:
    """label -> (restart from the observed state, parameters, constants) over the shipped point."""
    c = constants()
    return {
        "own state (the in-sample fit)": (False, {}, {}),
        "restart from the observed 2018 state": (True, {}, {}),
        "restart; legal status ignored (status weight 0)": (
            True, {"choice_irregular_status_weight": 0.0}, {},
        ),
        "restart; no price of closure (fee multiplier 1)": (
            True, {"fee_closure_multiplier": 1.0}, {},
        ),
        "restart; irregular penalty 0": (True, {"irregular_penalty_usd": 0.0}, {}),
        "restart; all three deterrents off": (True, DETERRENTS, {}),
        "restart; Peru, Chile, Ecuador constants +1": (
            True, {}, {k: c[k] + 1.0 for k in ("PER", "CHL", "ECU")},
        ),
        "restart; onward rate x3": (True, {"onward_rate_per_year": 0.81}, {}),
    }  # fmt: skip


def host_targets():
    """The six hosts' stocks observed after the origin (the scenario is loaded once per process,
    as the runs load it)."""
    from trocha.experiments.calibration import cached_scenario
    from trocha.experiments.targets import scenario_targets

    return [
        t
        for t in scenario_targets(cached_scenario(str(SCENARIO)))
        if t.metric == "migrant_stock" and t.country in MAIN and ORIGIN < t.date <= HORIZON
    ]


def one_run(job: tuple[str, int, int]) -> tuple[str, int, list[float]]:
    from trocha.experiments.calibration import build_trial_simulation
    from trocha.experiments.targets import simulated_values

    label, seed, scale = job
    restart, parameters, country_constants = variants()[label]
    sim = build_trial_simulation(
        str(SCENARIO), parameters, country_constants, seed, scale, HORIZON,
        assimilate=ORIGIN if restart else None,
    )  # fmt: skip
    values = simulated_values(sim.run().timeseries, host_targets())
    return label, seed, [float(v) for v in values]


def persistence_mape(targets) -> float:
    """Each host keeps its observed 2018 share of the observed total of the six (the backtest's
    persistence baseline on these hosts)."""
    from trocha.experiments.baselines import persistence, stocks_on
    from trocha.experiments.targets import scenario_targets
    from trocha.scenario.loader import load_scenario

    every = scenario_targets(load_scenario(str(SCENARIO)))
    origin = {c: v for c, v in stocks_on(every, ORIGIN).items() if c in MAIN}
    errors = []
    for date in sorted({t.date for t in targets}):
        observed = {t.country: t.value for t in targets if t.date == date}
        predicted = persistence({c: origin[c] for c in observed}, sum(observed.values()))
        errors += [abs(predicted[c] - v) / v for c, v in observed.items()]
    return float(np.mean(errors))


def doc_section(report: dict) -> str:
    # The end-of-year stocks are shown; the MAPE is over every target (November 2020's too).
    shown = [i for i, c in enumerate(report["columns"]) if c.endswith("-12")]
    hosts = [report["columns"][i] for i in shown]
    lines = [
        START,
        "## Where the backtest's error comes from: restarts from the observed 2018 state",
        "",
        f"`benchmarks/restart_decomposition.py`: the shipped venezuela point, seeds "
        f"1-{report['seeds']} at scale {report['scale']:,}, run to {report['horizon']} from its "
        "own state and restarted from the host stocks observed on "
        f"{report['origin']} (as the backtest's and the forecast's members start); median over "
        "seeds, millions at the end of each year; MAPE over the six main hosts' "
        f"{len(report['columns'])} stocks observed in 2019-2020 (persistence on the same "
        f"targets: {report['persistence_mape']:.1%}).",
        "",
        "| run | " + " | ".join(hosts) + " | MAPE |",
        "|---|" + "---:|" * (len(hosts) + 1),
        "| observed | " + " | ".join(f"{report['observed'][i]:.3f}" for i in shown) + " | |",
    ]
    for label, entry in report["variants"].items():
        cells = " | ".join(f"{entry['median_millions'][i]:.3f}" for i in shown)
        lines.append(f"| {label} | {cells} | {entry['mape']:.1%} |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    targets = host_targets()
    jobs = [(label, s, args.scale) for label in variants() for s in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = list(pool.map(one_run, jobs))
    observed = np.array([t.value for t in targets])
    report = {
        "scenario": "venezuela",
        "origin": str(ORIGIN),
        "horizon": str(HORIZON),
        "seeds": args.seeds,
        "scale": args.scale,
        "columns": [f"{t.country} {t.date:%Y-%m}" for t in targets],
        "observed": [float(v / 1e6) for v in observed],
        "persistence_mape": persistence_mape(targets),
        "variants": {},
    }
    for label, (restart, parameters, country_constants) in variants().items():
        values = np.array([v for name, _, v in runs if name == label])
        median = np.nanmedian(values, axis=0)
        report["variants"][label] = {
            "restart": restart,
            "parameters": parameters,
            "constants": country_constants,
            "median_millions": [float(v / 1e6) for v in median],
            "mape": float(np.mean(np.abs(median - observed) / observed)),
            "runs": values.tolist(),
        }
    save_report(report, args.out, RESULTS, doc_section(report), DOC, START, END)


if __name__ == "__main__":
    main()
