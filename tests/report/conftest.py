"""One short tiny run (18 months) and a compare-like experiment folder built from it, shared by the
report, export and dashboard tests; and Playwright pointed at the system chromium."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import trocha
from trocha.experiments.compare import COLUMNS
from trocha.experiments.outcomes import outcomes_of, unit_of
from trocha.results.rundir import save_run


@pytest.fixture(scope="session")
def tiny_results() -> list[trocha.Result]:
    """Two short tiny runs (seeds 1 and 2, 2017-01 to 2018-06), as Simulation results."""
    scenario = trocha.load_scenario("tiny")
    return [
        trocha.Simulation(scenario, seed=seed, scale=200, end=dt.date(2018, 6, 30)).run()
        for seed in (1, 2)
    ]


@pytest.fixture(scope="session")
def report_runs(tiny_results, tmp_path_factory) -> Path:
    """A runs folder: the two tiny runs and a compare experiment made of copies of them."""
    root = tmp_path_factory.mktemp("runs")
    runs = [save_run(result, root) for result in tiny_results]
    _experiment(root / "compare_tiny_test", runs)
    return root


def _experiment(folder: Path, runs: list[Path]) -> None:
    """A compare folder as `trocha compare` writes it: base = the two runs, alternative = the
    same runs relabelled (so every difference is zero except one made-up shift)."""
    rows = []
    outcomes = [
        outcomes_of(pd.read_parquet(r / "timeseries.parquet"), ["COL", "PER"]) for r in runs
    ]
    for i, run in enumerate(runs):
        for label in ("base", "tiny-alt"):
            target = folder / "runs" / f"{label}_{i}"
            shutil.copytree(run, target)
            manifest = json.loads((target / "manifest.json").read_text())
            manifest["label"] = label
            (target / "manifest.json").write_text(json.dumps(manifest))
    for outcome in outcomes[0]:
        base = sum(o[outcome] for o in outcomes) / 2
        shift = 0.1 * base if outcome == "people_trafficked" else 0.0
        low, high = (shift * 0.5, shift * 1.5) if shift else (-1.0, 1.0)
        rows.append(
            ["tiny-alt", outcome, unit_of(outcome), base, base + shift, shift, low, high, 2]
        )
    pd.DataFrame(rows, columns=COLUMNS).to_csv(folder / "comparison.csv", index=False)
    (folder / "experiment.json").write_text(
        json.dumps(
            {
                "kind": "compare",
                "base": "tiny",
                "alternatives": ["tiny-alt"],
                "seeds": 2,
                "runs": [f"runs/{label}_{i}" for i in range(2) for label in ("base", "tiny-alt")],
            }
        )
    )


@pytest.fixture(scope="session")
def tiny_run(report_runs) -> Path:
    return sorted(report_runs.glob("tiny_seed1_*"))[0]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's chromium; nothing downloads a browser. Without it the
    browser tests skip on a laptop and fail on CI (where `make test` installs it)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is missing on CI: `make test` should have installed it (apt)")
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped")
    return {**browser_type_launch_args, "executable_path": path}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(__file__).resolve().parents[1] / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder
