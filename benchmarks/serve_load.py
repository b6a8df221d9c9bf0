"""Load test of `trocha serve` on loopback: CLIENTS concurrent clients x REQUESTS requests each.

Makes a small runs folder (two `tiny` runs to mid-2018) unless given one, starts `trocha serve` on
127.0.0.1 in a subprocess, requests every page once (the dashboard caches built pages), then lets
the clients loop over the run list, a run page, a comparison of two runs and the 404 page.
Reports errors and latency percentiles, writes benchmarks/results/serve_load.json and the
serve-load section of docs/benchmarks.md.

    python benchmarks/serve_load.py [--runs RUNS_DIR] [--clients 20] [--requests 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "serve_load.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- serve-load -->", "<!-- /serve-load -->"


def make_runs(folder: Path) -> None:
    import trocha
    from trocha.results.rundir import save_run

    scenario = trocha.load_scenario("tiny")
    for seed in (1, 2):
        sim = trocha.Simulation(scenario, seed=seed, scale=200, end=dt.date(2018, 6, 30))
        save_run(sim.run(), folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, float]:
    start = time.perf_counter()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        con.request("GET", path)
        response = con.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, help="runs folder (default: make two tiny runs)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = args.runs or Path(tmp) / "runs"
        if args.runs is None:
            make_runs(runs)
        ids = sorted(p.parent.name for p in runs.glob("*/manifest.json"))[:2]
        paths = ["/", f"/run/{quote(ids[0])}", f"/compare?a={quote(ids[0])}&b={quote(ids[-1])}"]
        expected = {p: 200 for p in paths} | {"/run/no-such-run": 404}
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from trocha.cli import main; main()",
                "serve",
                str(runs),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
        try:
            for _ in range(150):
                try:
                    get(port, "/")
                    break
                except OSError:
                    time.sleep(0.2)
            warm = {p: get(port, p)[1] for p in expected}  # first build of each page
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            order = list(expected)

            def client(n: int) -> None:
                for i in range(args.requests):
                    path = order[(n + i) % len(order)]
                    try:
                        status, seconds = get(port, path)
                        problem = None if status == expected[path] else f"{path}: {status}"
                    except OSError as e:
                        seconds, problem = float("nan"), f"{path}: {e}"
                    with lock:
                        latencies.append(seconds)
                        if problem:
                            errors.append(problem)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=10)
    ok = sorted(x for x in latencies if x == x)
    q = statistics.quantiles(ok, n=100)
    record = {
        "date": dt.date.today().isoformat(),
        "clients": args.clients,
        "requests_per_client": args.requests,
        "requests": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:5],
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "max_ms": round(ok[-1] * 1000, 1),
        "requests_per_s": round(len(latencies) / wall, 1),
        "first_build_ms": {p: round(s * 1000, 1) for p, s in warm.items()},
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))
    if not args.no_doc:
        update_doc(record)
    if errors:
        sys.exit(1)


def update_doc(r: dict) -> None:
    table = (
        f"{START}\n"
        "| date | clients x requests | errors | p50 ms | p95 ms | max ms | requests/s | CPUs |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {r['date']} | {r['clients']} x {r['requests_per_client']} | {r['errors']} | "
        f"{r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['requests_per_s']} | {r['cpus']} |\n"
        f"{END}"
    )
    doc = DOC.read_text(encoding="utf-8")
    if START in doc:
        head, rest = doc.split(START, 1)
        doc = head + table + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + SECTION + table + "\n"
    DOC.write_text(doc, encoding="utf-8")


SECTION = """## Dashboard load test

`benchmarks/serve_load.py` (run: `.venv/bin/python benchmarks/serve_load.py`) starts `trocha serve`
on 127.0.0.1 over two `tiny` runs, builds each page once, then 20 concurrent clients make 50
requests each, cycling over the run list, a run page (about 0.5 MB of HTML: charts and the map),
a side-by-side comparison and a 404. Latency is per request, from connect to the last byte;
built pages are cached by the server until the run's manifest changes. Raw results:
`benchmarks/results/serve_load.json`.

"""


if __name__ == "__main__":
    main()
