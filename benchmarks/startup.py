"""Start-up of the commands a user types first: whole-process wall time, CPU time and peak memory.

`trocha --help` and `trocha check` should answer at once (issue target: 0.3 s), so they must not
import NumPy, Numba, pandas, PyArrow or DuckDB. Each command runs `--repeats` times as its own
process (the installed `trocha` entry point, as a user runs it); the table gives the median and
the range of wall time, the median CPU time (user + system, from the child's rusage) and the
largest peak RSS. The first run of a series is discarded as a warm-up (it fills the OS file
cache and writes the .pyc files, which the runs are allowed to: see _user_environment).

    python benchmarks/startup.py [--repeats 15] [--doc-only]

Writes benchmarks/results/startup.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from doc_sections import write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "startup.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- startup -->", "<!-- /startup -->"
TARGET_SECONDS = 0.3


def commands() -> dict[str, list[str]]:
    """What is timed: the entry point beside this interpreter (the project's virtual
    environment), falling back to `python -m trocha`."""
    entry = Path(sys.executable).with_name("trocha")
    trocha = [str(entry)] if entry.exists() else [sys.executable, "-m", "trocha"]
    return {
        "trocha --help": [*trocha, "--help"],
        "trocha check venezuela": [*trocha, "check", "venezuela"],
        "trocha check tiny": [*trocha, "check", "tiny"],
        "python -c 'import trocha'": [sys.executable, "-c", "import trocha"],
    }


def time_once(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one run of `command` in its own process."""
    began = time.perf_counter()
    pid = os.posix_spawn(command[0], command, _user_environment(), file_actions=_to_devnull())
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} exited with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _user_environment() -> dict[str, str]:
    """This environment as a user's shell has it: bytecode caching on (a sandbox or CI that sets
    PYTHONDONTWRITEBYTECODE would recompile every edited module on every start)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _to_devnull() -> list[tuple]:
    null = os.open(os.devnull, os.O_WRONLY)
    return [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]


def measure(repeats: int) -> dict:
    rows = []
    for label, command in commands().items():
        time_once(command)  # warm-up
        runs = sorted(time_once(command) for _ in range(repeats))
        walls = [r[0] for r in runs]
        cpus = sorted(r[1] for r in runs)
        rows.append(
            {
                "command": label,
                "wall_median_s": walls[len(walls) // 2],
                "wall_min_s": walls[0],
                "wall_max_s": walls[-1],
                "cpu_median_s": cpus[len(cpus) // 2],
                "peak_rss_mb": max(r[2] for r in runs),
            }
        )
    return {
        "command": " ".join(["python", *sys.argv]),
        "repeats": repeats,
        "measured": dt.date.today().isoformat(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average_1min": os.getloadavg()[0],
        "rows": rows,
    }


def doc_section(results: dict) -> str:
    lines = [
        START,
        "## Start-up of `trocha --help` and `trocha check`",
        "",
        f"`benchmarks/startup.py` (method in its docstring), {results['repeats']} runs of each "
        f"command after a warm-up, measured {results['measured']} on {results['machine']} "
        f"(load average {results['load_average_1min']:.2f} at the start). Target: "
        f"{TARGET_SECONDS} s wall.",
        "",
        "| command | wall median (s) | wall range (s) | CPU median (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| `{row['command']}` | {row['wall_median_s']:.2f} | {row['wall_min_s']:.2f}-"
            f"{row['wall_max_s']:.2f} | {row['cpu_median_s']:.2f} | {row['peak_rss_mb']:.0f} |"
        )
    lines += ["", f"Raw results: `{RESULTS.relative_to(ROOT)}`.", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--doc-only", action="store_true", help="rewrite the doc section only")
    args = parser.parse_args()
    if args.doc_only:
        results = json.loads(RESULTS.read_text())
    else:
        results = measure(args.repeats)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    write_section(DOC, doc_section(results), START, END)
    print(doc_section(results))


if __name__ == "__main__":
    main()
