"""Store Flee 3.1's own runs that the conformance tests compare Trocha's flee ruleset with.

tests/flee/test_flee_conformance.py compares ensembles of Trocha with ensembles of Flee 3.1 on
every Flee folder in tests/data/flee. Flee 3.1 is deterministic for a seed (the driver seeds
`random` and `numpy.random`), so its runs are stored once here rather than re-run by every test
session (about seven CPU minutes of the suite); a test re-runs some of them and checks that they
are equal to the stored files, so the store cannot drift from the Flee the project pins.

Output: tests/data/flee/reference/<scenario>_hasten<H>_seed<S>.csv.gz, Flee's out.csv columns
as benchmarks/peers/flee_driver.py writes them, gzip-compressed. Run after a change of Flee, its
settings or a scenario (needs the `peers` extra):

    python tools/flee_reference_runs.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))
sys.path.insert(0, str(ROOT / "tests" / "flee"))

from flee_driver import run_flee_subprocess  # noqa: E402
from reference_runs import HASTEN, SEEDS, reference_path, settings_for  # noqa: E402

DATA = ROOT / "tests" / "data" / "flee"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="Flee processes at once")
    args = parser.parse_args()
    jobs = [(name, seed) for name in HASTEN for seed in SEEDS]

    def run(job: tuple[str, int]) -> None:
        name, seed = job
        out = reference_path(name, seed)
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "flee.csv"
            run_flee_subprocess(DATA / name, settings_for(name), seed, csv, hasten=HASTEN[name])
            out.write_bytes(gzip.compress(csv.read_bytes(), compresslevel=9, mtime=0))
        print(out.relative_to(ROOT), flush=True)

    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(run, jobs))


if __name__ == "__main__":
    main()
