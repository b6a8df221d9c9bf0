"""Full-scale benchmark of the default scenario: wall time, throughput and peak memory.

Each configuration runs in a fresh Python process (so peak RSS is its own) after a warm-up run that
compiles the Numba kernels into the on-disk cache. Results go to benchmarks/results/<name>.json and
a table in docs/benchmarks.md.

Usage: python benchmarks/run_benchmarks.py [--scales 1 10] [--repeats 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"

CHILD = r"""
import json, resource, shutil, sys, tempfile, time
from pathlib import Path
import numpy as np
import trocha
scale, variant = int(sys.argv[1]), sys.argv[2]
folder = trocha.load_scenario("venezuela").folder
if variant == "migration-only":
    # The same scenario without organisations: no crossing control, packages or exploitation.
    copy = Path(tempfile.mkdtemp()) / "venezuela"
    shutil.copytree(folder, copy)
    for name in ("organisations.csv", "crossing_controls.csv", "enforcement_events.csv"):
        (copy / name).unlink()
    folder = copy
scenario = trocha.load_scenario(folder)
t0, c0 = time.perf_counter(), time.process_time()
sim = trocha.Simulation(scenario, seed=1, scale=scale)
result = sim.run()
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rec = next(m for m in sim.modules if m.name == "recorder")
agent_days = int(rec.current[:, 0, :].sum())  # agents alive away from home, summed over days
print(json.dumps({
    "scale": scale,
    "variant": variant,
    "wall_seconds": wall,
    "cpu_seconds": cpu,
    "simulate_seconds": result.manifest["timings"]["total_seconds"],
    "step_seconds": result.manifest["timings"]["step_seconds"],
    "agents": int(sim.people.count),
    "agent_events": int(sim.events_handled),
    "agent_days": agent_days,
    "days": sim.n_days,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "people_table_mb": sim.people.nbytes() / 2**20,
    "stock_end_2020": float(result.metric("migrant_stock")["2020-12-31"]),
}))
"""


def run_child(scale: int, variant: str = "full") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(scale), variant],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(scale: int, variant: str, repeats: int) -> dict:
    runs = sorted(
        (run_child(scale, variant) for _ in range(repeats)), key=lambda r: r["wall_seconds"]
    )
    best = runs[len(runs) // 2]  # median
    best["repeats"] = repeats
    best["events_per_second"] = best["agent_events"] / best["simulate_seconds"]
    best["agent_days_per_second"] = best["agent_days"] / best["simulate_seconds"]
    best["machine"] = (
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    )
    best["date"] = dt.date.today().isoformat()
    suffix = "" if variant == "full" else f"_{variant}"
    (RESULTS / f"venezuela_scale{scale}{suffix}.json").write_text(json.dumps(best, indent=2) + "\n")
    print(json.dumps(best), flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print("warm-up (compiles and caches the kernels) ...", flush=True)
    run_child(1000)
    rows = []
    for scale in args.scales:
        full = measure(scale, "full", args.repeats)
        alone = measure(scale, "migration-only", args.repeats)
        full["economy_ratio"] = full["wall_seconds"] / alone["wall_seconds"]
        rows += [full, alone]
    table = [
        "| scale | model | agents | agent events | wall s | CPU s | simulate s | events/s "
        "| agent-days/s | peak RSS MB | time vs migration only |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['economy_ratio']:.2f}x" if "economy_ratio" in r else "1x"
        model = "with criminal economy" if r["variant"] == "full" else "migration only"
        table.append(
            f"| {r['scale']} | {model} | {r['agents']:,} | {r['agent_events']:,} | "
            f"{r['wall_seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['simulate_seconds']:.1f} | "
            f"{r['events_per_second']:.3g} | {r['agent_days_per_second']:.3g} | "
            f"{r['peak_rss_mb']:.0f} | {ratio} |"
        )
    text = DOC.read_text() if DOC.exists() else ""
    marker_start, marker_end = "<!-- engine-table -->", "<!-- /engine-table -->"
    block = f"{marker_start}\n" + "\n".join(table) + f"\n{marker_end}"
    if marker_start in text:
        before, rest = text.split(marker_start, 1)
        text = before + block + rest.split(marker_end, 1)[1]
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text)
    print("\n".join(table))


if __name__ == "__main__":
    main()
