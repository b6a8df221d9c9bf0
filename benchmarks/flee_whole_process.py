"""Whole-process cost of a Flee scenario at full size: `trocha run` against Flee 3.1, side by side.

Each side runs as its own process, started from here one after the other in this one invocation,
and is measured from outside with `os.wait4`: wall-clock seconds, CPU seconds (user + sys) and peak
RSS (ru_maxrss). CPU time is reported beside wall time because the machine may be shared: wall
time then depends on the load, CPU time much less.

1. mali2012 at full size (hasten 1): `trocha run` and Flee 3.1 (benchmarks/peers/flee_driver.py)
   over every day. Trocha runs once untimed first (as a user's second run: kernels and bytecode
   cached), then three times; the run of median wall time is reported, with all three.
2. ssudan2013 at full size (~617k agents): `trocha run` over every day; Flee 3.1 takes hours here,
   so `--peer-days N` caps its days (the JSON and docs say so; 0 runs every day), and the agents
   each side created are reported with the peak RSS.

Flee runs once per scenario. Writes benchmarks/results/flee_whole_process.json.
    python benchmarks/flee_whole_process.py [--peer-days 120] [--no-peer] [--src OTHER/src]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from doc_sections import write_section

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "flee"
SETTINGS = DATA / "flee3_validation_simsetting.yml"
DRIVER = ROOT / "benchmarks" / "peers" / "flee_driver.py"
RESULTS = ROOT / "benchmarks" / "results" / "flee_whole_process.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- flee-whole-process -->", "<!-- /flee-whole-process -->"


def measure(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run `command` to the end; its wall seconds, CPU seconds and peak RSS (from wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "output_tail": output.strip().splitlines()[-1:] if output.strip() else [],
    }


SOURCE = [ROOT / "src"]  # the trocha source tree timed (--src: e.g. another checkout, "before")


def _env() -> dict[str, str]:
    """The environment of a user's shell: Python writes its bytecode caches (a machine that sets
    PYTHONDONTWRITEBYTECODE recompiles every module of an editable install on every run: 0.1 s
    of a 1.6 s run; Flee's modules were compiled when pip installed them)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SOURCE[0]), env.get("PYTHONPATH", "")) if p)
    return env


def import_scenario(name: str, where: Path) -> Path:
    folder = where / name
    command = [sys.executable, "-m", "trocha", "import-flee", str(DATA / name), "--out"]
    command += [str(folder), "--settings", str(SETTINGS)]
    subprocess.run(command, check=True, capture_output=True, env=_env())
    return folder


TIMED_RUNS = 3


def trocha_side(folder: Path, out: Path) -> dict:
    """A warm-up run (a user's second run: the compiled kernels and bytecode cached), then
    TIMED_RUNS timed runs; the run of median wall time, with every run's figures."""
    command = [sys.executable, "-m", "trocha", "run", str(folder), "--scale", "1"]
    measure([*command, "--out", str(out / "warm-up"), "--quiet"], env=_env())
    runs = []
    for k in range(TIMED_RUNS):
        runs.append(measure([*command, "--out", str(out / f"run{k}"), "--quiet"], env=_env()))
    order = sorted(range(TIMED_RUNS), key=lambda k: runs[k]["wall_s"])
    middle = order[TIMED_RUNS // 2]
    result = dict(runs[middle])
    result["runs"] = [{key: r[key] for key in ("wall_s", "cpu_s", "peak_rss_mb")} for r in runs]
    (manifest,) = (out / f"run{middle}").glob("*/manifest.json")
    data = json.loads(manifest.read_text())
    result["agents"] = data["agents_created"]
    result["days"] = data["days"]
    result["simulation_s"] = round(data["timings"]["total_seconds"], 3)
    return result


def flee_side(name: str, out: Path, days: int | None) -> dict:
    csv_out = out / f"flee_{name}.csv"
    command = [sys.executable, str(DRIVER), str(DATA / name), str(SETTINGS), "1", str(csv_out)]
    command += ["--hasten", "1"]
    if days:
        command += ["--days", str(days)]
    result = measure(command)
    with csv_out.open() as handle:
        rows = list(csv.DictReader(handle))
    result["agents"] = int(rows[-1]["total refugees (simulation)"])
    result["days"] = len(rows)
    return result


def _row(label: str, side: dict) -> str:
    return (
        f"| {label} | {side['agents']:,} | {side['days']} | {side['wall_s']:.1f} | "
        f"{side['cpu_s']:.1f} | {side['peak_rss_mb']:.0f} |"
    )


def doc_section(report: dict, before: dict | None = None) -> str:
    """The docs/benchmarks.md section for `report` (and an earlier run as "before", if given)."""
    lines = [
        START,
        "## Flee scenarios, whole process, side by side with Flee 3.1",
        "",
        "`benchmarks/flee_whole_process.py` (method in its docstring) times `trocha run`",
        "and Flee 3.1 (`benchmarks/peers/flee_driver.py`) as whole processes, one after the",
        "other in one invocation, at full size (hasten 1): wall and CPU (user + sys) seconds and",
        "peak RSS, from",
        f"`wait4`. Machine: {report['cpus']} cores, shared (load average "
        f"{report['load_average_at_start'][0]:.1f} at the start): compare CPU seconds first.",
        "",
        "| run | agents | days | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, entry in report["scenarios"].items():
        if before and name in before["scenarios"]:
            lines.append(_row(f"{name}: trocha run, before", before["scenarios"][name]["trocha"]))
        lines.append(_row(f"{name}: trocha run", entry["trocha"]))
        if "flee" in entry:
            capped = entry.get("flee_days_capped_at")
            note = f" (first {capped} days only)" if capped else ""
            lines.append(_row(f"{name}: Flee 3.1{note}", entry["flee"]))
    lines.append("")
    for name, entry in report["scenarios"].items():
        if "speedup_cpu" in entry and "speedup_wall" not in entry:
            # Flee ran beside other work: only its CPU time compares (the entry's note says why).
            lines.append(
                f"- {name}: Trocha is {entry['speedup_cpu']}x Flee 3.1 in CPU time "
                f"({entry.get('note', 'wall times not comparable')}); peak RSS "
                f"{entry['rss_ratio_trocha_over_flee']}x Flee's."
            )
        elif "speedup_cpu" in entry:
            lines.append(
                f"- {name}: Trocha is {entry['speedup_wall']}x Flee 3.1 in wall time and "
                f"{entry['speedup_cpu']}x in CPU time; peak RSS "
                f"{entry['rss_ratio_trocha_over_flee']}x Flee's."
            )
        elif "flee" in entry:
            lines.append(
                f"- {name}: peak RSS {entry['rss_ratio_trocha_over_flee']}x Flee's, Trocha over "
                "every day against Flee over its first days only."
            )
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--peer-days", type=int, default=120, help="Flee 3.1's days on ssudan2013 (0: every day)"
    )
    parser.add_argument("--no-peer", action="store_true", help="Trocha only (no Flee 3.1 runs)")
    parser.add_argument(
        "--only", choices=("mali2012", "ssudan2013"), help="one scenario (default: both)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--src", type=Path, default=SOURCE[0], help="trocha source tree to time")
    parser.add_argument("--before", type=Path, help="an earlier report, shown as 'before'")
    parser.add_argument("--doc-only", type=Path, help="only (re)write the docs from this report")
    args = parser.parse_args()
    before = json.loads(args.before.read_text()) if args.before else None
    if args.doc_only:
        write_section(DOC, doc_section(json.loads(args.doc_only.read_text()), before), START, END)
        return
    SOURCE[0] = args.src.resolve()
    report: dict = {
        "trocha_source": str(SOURCE[0]),
        "flee_days_note": "Flee 3.1 runs every day of mali2012; on ssudan2013 --peer-days only",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "scenarios": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, peer_days in (("mali2012", None), ("ssudan2013", args.peer_days)):
            if args.only and name != args.only:
                continue
            folder = import_scenario(name, tmp / "scenarios")
            entry = {"trocha": trocha_side(folder, tmp / f"runs_{name}")}
            print(name, "trocha", entry["trocha"], flush=True)
            if not args.no_peer:
                entry["flee"] = flee_side(name, tmp, peer_days)
                entry["flee_days_capped_at"] = peer_days or None
                print(name, "flee", entry["flee"], flush=True)
                t, f = entry["trocha"], entry["flee"]
                entry["rss_ratio_trocha_over_flee"] = round(t["peak_rss_mb"] / f["peak_rss_mb"], 3)
                if not peer_days:
                    entry["speedup_wall"] = round(f["wall_s"] / t["wall_s"], 1)
                    entry["speedup_cpu"] = round(f["cpu_s"] / t["cpu_s"], 1)
            report["scenarios"][name] = entry
    report["load_average_at_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    if args.out == RESULTS:
        write_section(DOC, doc_section(report, before), START, END)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
