"""Experiment runner benchmark: an ensemble of `tiny` runs on 1 and 2 local Dask workers.

Measures, in one invocation on one machine:
- `run_many_serial` (this process, after a warm-up run that loads the Numba cache);
- `run_many` on a local cluster of 1 and of 2 single-threaded worker processes: the cluster's
  start-up, a warm-up in each worker (import Trocha, load the Numba cache), and the runs;
- parallel efficiency T1 / (2 x T2) over the runs, and the Dask path's per-run overhead
  (T1 - T_serial) / runs;
- what the machine itself gives two processes at the time (no Dask): a quarter of the runs in
  one plain process, then in two at once (efficiency T_one / T_two), to read the Dask figure
  against on a shared or throttled machine.
Checks that the three paths wrote byte-identical Parquet files. Writes
benchmarks/results/experiments.json and prints a Markdown table.

Usage: python benchmarks/experiments_benchmarks.py [--runs 64] [--scale 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client

import trocha
from trocha.experiments.dask_runner import local_cluster, run_many, run_many_serial
from trocha.experiments.runs import RunSpec, execute_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "experiments.json"
FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")


# One plain process: a warm-up run, then `count` runs from seed `first`; prints their seconds.
PLAIN = r"""
import sys, tempfile, time
from trocha.experiments.runs import RunSpec, execute_run
scale, first, count = map(int, sys.argv[1:4])
with tempfile.TemporaryDirectory() as tmp:
    execute_run(RunSpec("tiny", seed=10_000, scale=scale, end="2017-03-31"), tmp)
    t = time.perf_counter()
    for seed in range(first, first + count):
        execute_run(RunSpec("tiny", seed=seed, scale=scale), tmp)
    print(time.perf_counter() - t)
"""


def plain_processes(scale: int, count: int) -> dict:
    """Seconds for `count` runs in one process alone, and wall seconds for two such at once."""

    def start(first: int) -> subprocess.Popen:
        args = [sys.executable, "-c", PLAIN, str(scale), str(first), str(count)]
        return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)

    one = float(start(0).communicate()[0])
    t0 = time.perf_counter()
    pair = [start(0), start(count)]
    for process in pair:
        process.communicate()
    two = time.perf_counter() - t0
    return {
        "runs_per_process": count,
        "one_seconds": one,
        "two_wall_seconds": two,
        "efficiency": one / two,
    }


def _warm_up(scale: int) -> None:
    """Import Trocha and load the Numba kernels from the on-disk cache, as a first run would."""
    from trocha.experiments.runs import RunSpec, build_simulation

    build_simulation(RunSpec("tiny", seed=10_000, scale=scale, end="2017-03-31")).run()


def dask_ensemble(specs: list[RunSpec], out: Path, workers: int, scale: int) -> dict:
    t0 = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        started = time.perf_counter()
        client.run(_warm_up, scale)
        imported = time.perf_counter()
        folders = run_many(specs, out, scheduler=cluster.scheduler_address, progress=False)
        done = time.perf_counter()
    return {
        "workers": workers,
        "cluster_start_seconds": started - t0,
        "worker_warmup_seconds": imported - started,
        "runs_seconds": done - imported,
        "end_to_end_seconds": done - t0,
        "simulate_seconds": _simulate_seconds(folders),
        "folders": folders,
    }


def _simulate_seconds(folders: list[Path]) -> float:
    total = 0.0
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text())
        total += manifest["timings"]["total_seconds"]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=64)
    parser.add_argument("--scale", type=int, default=100)
    args = parser.parse_args()
    specs = [RunSpec("tiny", seed=seed, scale=args.scale) for seed in range(args.runs)]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        execute_run(RunSpec("tiny", seed=10_000, scale=args.scale), tmp / "warmup")
        warmup = time.perf_counter() - t0
        t0 = time.perf_counter()
        serial_folders = run_many_serial(specs, tmp / "serial", progress=False)
        serial = {
            "runs_seconds": time.perf_counter() - t0,
            "simulate_seconds": _simulate_seconds(serial_folders),
        }
        plain = plain_processes(args.scale, max(1, args.runs // 4))
        one = dask_ensemble(specs, tmp / "dask1", 1, args.scale)
        two = dask_ensemble(specs, tmp / "dask2", 2, args.scale)
        identical = all(
            (a / name).read_bytes() == (b / name).read_bytes() == (c / name).read_bytes()
            for a, b, c in zip(serial_folders, one.pop("folders"), two.pop("folders"), strict=True)
            for name in FILES
        )
    n = args.runs
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": "tiny",
        "scale": args.scale,
        "runs": n,
        "warmup_run_seconds": warmup,
        "serial": serial,
        "plain_processes": plain,
        "dask_1_worker": one,
        "dask_2_workers": two,
        "parallel_efficiency": one["runs_seconds"] / (2 * two["runs_seconds"]),
        "parallel_efficiency_end_to_end": one["end_to_end_seconds"]
        / (2 * two["end_to_end_seconds"]),
        "dask_overhead_per_run_seconds": (one["runs_seconds"] - serial["runs_seconds"]) / n,
        "identical_outputs": identical,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "versions": {"trocha": trocha.__version__, **_versions()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(markdown(record))
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def _versions() -> dict:
    import dask
    import distributed
    import duckdb

    return {
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "duckdb": duckdb.__version__,
    }


def markdown(r: dict) -> str:
    n = r["runs"]
    serial = r["serial"]["runs_seconds"]
    rows = [
        ("serial (run_many_serial)", None, serial, serial),
        *(
            (
                f"Dask, {d['workers']} worker{'s' if d['workers'] > 1 else ''}",
                d["cluster_start_seconds"] + d["worker_warmup_seconds"],
                d["runs_seconds"],
                d["end_to_end_seconds"],
            )
            for d in (r["dask_1_worker"], r["dask_2_workers"])
        ),
    ]
    lines = [
        f"{n} runs of `tiny` at scale {r['scale']} ({r['machine']['cpus']} CPUs; warm-up run "
        f"{r['warmup_run_seconds']:.2f} s)",
        "",
        "| path | start-up + worker warm-up (s) | runs (s) | s/run | end to end (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, startup, runs, total in rows:
        start = "-" if startup is None else f"{startup:.1f}"
        lines.append(f"| {name} | {start} | {runs:.1f} | {runs / n:.3f} | {total:.1f} |")
    lines += [
        "",
        f"- parallel efficiency T1 / (2 x T2): {r['parallel_efficiency']:.2f} over the runs, "
        f"{r['parallel_efficiency_end_to_end']:.2f} end to end",
        f"- the machine, two plain processes (no Dask), {r['plain_processes']['runs_per_process']} "
        f"runs each: efficiency {r['plain_processes']['efficiency']:.2f}",
        f"- Dask overhead per run (1 worker vs serial): "
        f"{r['dask_overhead_per_run_seconds'] * 1000:.0f} ms",
        f"- identical Parquet files on all three paths: {r['identical_outputs']}",
        f"- load average before/after: {r['machine']['load_average_before'][0]:.2f} / "
        f"{r['machine']['load_average_after'][0]:.2f}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
