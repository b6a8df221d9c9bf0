"""Side-by-side benchmarks of the `flee` ruleset against Flee 3.1 and a Mesa 3 peer.

Run by `make bench` (after the engine benchmark) or `python benchmarks/flee_benchmarks.py`.
Every figure is measured in this run on this machine; ratios compare figures of the same run.

Method. car2013 (tests/data/flee) with the Flee 3.1 validation suite's settings; N agents spawned
at day 0 at the conflict zones by Flee's spawn weights, then 30 days of movement (conflicts and
closures by day, no further spawning). Each engine and size runs in a fresh Python process so its
peak resident memory (ru_maxrss) is its own. Trocha runs a warm-up first (a small run that loads the
Numba kernels from the on-disk cache or compiles them) and then `--repeats` timed runs, reporting
the median; Flee and Mesa run `--peer-repeats` times (median). Agent-steps per second = N x days /
seconds of the daily loop (building the agents is not timed, for any engine). Bytes per agent =
(peak RSS - RSS before the agents were created) / N.

Results: benchmarks/results/flee_benchmarks.json and the flee section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "flee"
SETTINGS = DATA / "flee3_validation_simsetting.yml"
PEERS = ROOT / "benchmarks" / "peers"
RESULTS = ROOT / "benchmarks" / "results" / "flee_benchmarks.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- flee-benchmarks -->", "<!-- /flee-benchmarks -->"


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _scenario(tmp: str):
    from trocha.flee import import_flee

    return import_flee(DATA / "car2013", Path(tmp) / "car2013", settings_file=SETTINGS)


def worker_trocha(agents: int, days: int, repeats: int) -> dict:
    import gc

    from trocha.flee import FleeSimulation

    with tempfile.TemporaryDirectory() as tmp:
        scenario = _scenario(tmp)
        FleeSimulation(scenario, seed=1, days=2, initial_agents=1000).run()  # warm-up
        gc.collect()
        rss_before = _rss()
        times = []
        for repeat in range(repeats):
            sim = FleeSimulation(scenario, seed=repeat + 1, days=days, initial_agents=agents)
            result = sim.run()
            times.append(result.manifest["timings"]["total_seconds"])
            in_camps = int(sim.flee.record.camp_sim[-1].sum())
            del sim, result
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    seconds = statistics.median(times)
    return {
        "engine": "trocha",
        "agents": agents,
        "days": days,
        "seconds": seconds,
        "runs": times,
        "agent_steps_per_s": agents * days / seconds,
        "bytes_per_agent": (peak - rss_before) / agents,
        "in_camps_last_day": in_camps,
    }


def worker_mesa(agents: int, days: int, repeats: int) -> dict:
    sys.path.insert(0, str(PEERS))
    from mesa_flee import run_mesa

    with tempfile.TemporaryDirectory() as tmp:
        scenario = _scenario(tmp)
        rss_before = _rss()
        runs = [run_mesa(scenario, agents, days, seed=r + 1) for r in range(repeats)]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "engine": "mesa",
        "agents": agents,
        "days": days,
        "seconds": seconds,
        "runs": [r["seconds"] for r in runs],
        "agent_steps_per_s": agents * days / seconds,
        "bytes_per_agent": (peak - rss_before) / agents,
    }


def _run_worker(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_flee(agents: int, days: int, repeats: int) -> dict:
    runs = []
    for r in range(repeats):
        out = subprocess.run(
            [sys.executable, str(PEERS / "flee_driver.py"), str(DATA / "car2013"), str(SETTINGS),
             str(r + 1), os.devnull, "--bench-agents", str(agents), "--days", str(days)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in runs)
    return {
        "engine": "flee",
        "agents": agents,
        "days": days,
        "seconds": seconds,
        "runs": [r["seconds"] for r in runs],
        "agent_steps_per_s": agents * days / seconds,
        "bytes_per_agent": statistics.median(r["bytes_per_agent"] for r in runs),
    }


def _markdown(results: dict) -> str:
    head = results["headline"]
    lines = [
        START,
        "## Flee ruleset side by side with Flee 3.1 and Mesa 3",
        "",
        "`benchmarks/flee_benchmarks.py` (run by `make bench`; method in its docstring): car2013",
        "with the Flee validation suite's settings, N agents spawned at day 0, 30 days; each",
        "engine and size in a fresh process; Trocha after a warm-up, median of repeats. "
        f"Machine: {results['machine']}. Measured {results['date']}.",
        "",
        "| engines | agents | agent-steps/s (Trocha) | agent-steps/s (peer) | speed ratio | "
        "bytes/agent (Trocha) | bytes/agent (peer) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in head:
        t, p = row["trocha"], row["peer"]
        lines.append(
            f"| Trocha vs {p['engine']} | {t['agents']:,} | {t['agent_steps_per_s']:.3g} | "
            f"{p['agent_steps_per_s']:.3g} | {t['agent_steps_per_s'] / p['agent_steps_per_s']:.0f}x"
            f" | {t['bytes_per_agent']:.0f} | {p['bytes_per_agent']:.0f} |"
        )
    lines += [
        "",
        "Targets: Trocha at least 100x Flee's throughput and at most 40 bytes per agent.",
        "",
        "Scaling (agent-steps per second, 30 days):",
        "",
        "| agents | Trocha | Flee 3.1 | Mesa 3 |",
        "|---:|---:|---:|---:|",
    ]
    for n, row in results["scaling"].items():
        cells = [
            f"{row[e]['agent_steps_per_s']:.3g}" if e in row else "-"
            for e in ("trocha", "flee", "mesa")
        ]
        lines.append(f"| {int(n):,} | " + " | ".join(cells) + " |")
    lines += ["", f"Raw results: `{RESULTS.relative_to(ROOT)}`.", END, ""]
    return "\n".join(lines)


def _write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in doc and END in doc:
        before, rest = doc.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        doc = before + text + after
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", nargs=4, metavar=("ENGINE", "AGENTS", "DAYS", "REPEATS"))
    parser.add_argument("--agents", type=int, default=200_000, help="headline size vs Flee")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="timed Trocha runs (median)")
    parser.add_argument("--peer-repeats", type=int, default=1, help="Flee and Mesa runs (median)")
    parser.add_argument("--max-agents", type=int, default=10_000_000, help="largest Trocha run")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    if args.worker:
        engine, agents, days, repeats = args.worker
        worker = {"trocha": worker_trocha, "mesa": worker_mesa}[engine]
        print(json.dumps(worker(int(agents), int(days), int(repeats))))
        return
    days = args.days

    def trocha(n: int) -> dict:
        return _run_worker(["trocha", str(n), str(days), str(args.repeats)])

    def mesa(n: int) -> dict:
        return _run_worker(["mesa", str(n), str(days), str(args.peer_repeats)])

    def say(row: dict) -> None:
        print(f"{row['engine']:7s} {row['agents']:>10,} agents: {row['agent_steps_per_s']:.3g} "
              f"agent-steps/s, {row['bytes_per_agent']:.0f} bytes/agent", flush=True)  # fmt: skip

    headline = []
    scaling: dict[int, dict] = {}
    t = trocha(args.agents)
    f = run_flee(args.agents, days, args.peer_repeats)
    for row in (t, f):
        say(row)
        scaling.setdefault(args.agents, {})[row["engine"]] = row
    headline.append({"trocha": t, "peer": f})
    for n in (10_000, 100_000):
        t, m = trocha(n), mesa(n)
        for row in (t, m):
            say(row)
            scaling.setdefault(n, {})[row["engine"]] = row
        headline.append({"trocha": t, "peer": m})
    for n in (1_000_000, 10_000_000):
        if n <= args.max_agents:
            row = trocha(n)
            say(row)
            scaling.setdefault(n, {})["trocha"] = row
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "headline": headline,
        "scaling": {str(k): v for k, v in sorted(scaling.items())},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if not args.no_doc:
        _write_doc(_markdown(results))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
