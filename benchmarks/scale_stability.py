"""Do the headline outputs depend on the agent scale? The venezuela scenario at several scales, over
many seeds, each seed run at every scale (paired).

For each metric (trafficking, the organisation, money, migrant stocks) it reports the mean over
seeds at each scale, the ratio of each scale's mean to the finest scale's, and the standard error
of that ratio (from the seeds' paired differences). The seeds' own spread is reported too: the
organisation's decisions (which cells open where and when) make trafficking outputs vary by a
third from seed to seed at every scale, so a bias of a few percent needs tens of seeds to see.

    python benchmarks/scale_stability.py [--seeds 20] [--scales 5,30,400] [--end 2020-12-31]
        [--workers 2]

Writes benchmarks/results/scale_stability.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from doc_sections import save_report

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scale_stability.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- scale-stability -->", "<!-- /scale-stability -->"
# (label, metric, country, how): "last" = the value on the last day, "sum" = over the run.
METRICS = (
    ("victims held (end)", "victims_current", "ALL", "last"),
    ("new victims", "victims_new", "ALL", "sum"),
    ("victims identified", "victims_identified", "ALL", "sum"),
    ("exploitation revenue (gangs), USD", "revenue_exploitation", "ALL", "sum"),
    ("exploitation by other networks, USD", "network_revenue_usd", "ALL", "sum"),
    ("money taken from migrants, USD", "migrant_money_taken_usd", "ALL", "sum"),
    ("organisation members (end)", "org_members", "ALL", "last"),
    ("cells (end)", "org_cells", "ALL", "last"),
    ("migrant stock, Colombia (end)", "migrant_stock", "COL", "last"),
    ("migrant stock, Peru (end)", "migrant_stock", "PER", "last"),
    ("migrant stock, Chile (end)", "migrant_stock", "CHL", "last"),
)


def one_run(job: tuple[int, int, str]) -> dict:
    import trocha

    seed, scale, end = job
    result = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=seed, scale=scale, end=end
    ).run()
    row = {"seed": seed, "scale": scale}
    for label, metric, country, how in METRICS:
        series = result.metric(metric, country)
        row[label] = float(series.iloc[-1] if how == "last" else series.sum())
    return row


def summarise(rows: list[dict], scales: list[int]) -> dict:
    finest = min(scales)
    by = {(r["seed"], r["scale"]): r for r in rows}
    seeds = sorted({r["seed"] for r in rows})
    out = {}
    for label, *_ in METRICS:
        base = np.array([by[s, finest][label] for s in seeds])
        entry = {}
        for scale in scales:
            values = np.array([by[s, scale][label] for s in seeds])
            mean = float(values.mean())
            ratio = mean / base.mean() if base.mean() else math.nan
            # The ratio's standard error from the paired differences (delta method, base fixed).
            diff = values - base
            se = float(diff.std(ddof=1) / math.sqrt(len(seeds)) / base.mean()) if base.mean() else 0
            entry[str(scale)] = {
                "mean": mean,
                "seed_sd": float(values.std(ddof=1)),
                "ratio_to_finest": ratio,
                "ratio_se": se,
            }
        out[label] = entry
    return out


def doc_section(report: dict) -> str:
    scales = report["scales"]
    finest = min(scales)
    head = " | ".join(f"scale {s}" for s in scales)
    lines = [
        START,
        "## Scale stability of the outputs",
        "",
        f"`benchmarks/scale_stability.py`: venezuela to {report['end']}, seeds "
        f"1-{report['seeds']}, each seed at every scale. Mean over seeds (seed-to-seed sd), and "
        f"for coarser scales the ratio to scale {finest}'s mean +- its standard error from the "
        "paired differences.",
        "",
        f"| output | {head} |",
        "|---|" + "---:|" * len(scales),
    ]
    for label, entry in report["metrics"].items():
        cells = []
        for s in scales:
            e = entry[str(s)]
            cell = f"{e['mean']:,.0f} ({e['seed_sd']:,.0f})"
            if s != finest:
                cell += f"; {e['ratio_to_finest']:.3f} +- {e['ratio_se']:.3f}"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--scales", default="5,30,400")
    parser.add_argument("--end", default="2020-12-31")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(","))
    jobs = [(seed, scale, args.end) for seed in range(1, args.seeds + 1) for scale in scales]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(one_run, jobs))
    report = {
        "scenario": "venezuela",
        "end": args.end,
        "seeds": args.seeds,
        "scales": scales,
        "metrics": summarise(rows, scales),
        "runs": rows,
    }
    save_report(report, args.out, RESULTS, doc_section(report), DOC, START, END)


if __name__ == "__main__":
    main()
