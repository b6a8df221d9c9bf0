"""The contract every CLI outcome must meet, however broken its input.

Either the command succeeds and its run directory is marked complete with finite, non-negative,
conserved outputs; or it exits 2 with at least one `file:row: field: message` line and leaves no
run directory marked complete. Never a traceback, never another exit code.
"""

from __future__ import annotations

import json
import re
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner, Result

from trocha.cli import app

# file[:row]: field: message -- the file has no ": " in it, the field no spaces around colons.
PROBLEM = re.compile(r"^[^\s:][^:]*(:\d+)?: [^:\s][^:]*: \S.*$")


def invoke(*args: object) -> Result:
    """The CLI in-process, as a user would call it."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)


def problem_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if PROBLEM.match(line)]


def complete_runs(runs: Path) -> list[Path]:
    done = []
    for manifest in runs.glob("*/manifest.json"):
        if json.loads(manifest.read_text()).get("status") == "complete":
            done.append(manifest.parent)
    return done


def no_crash(result: Result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"the command raised instead of reporting:\n{trace}")
    assert "Traceback" not in result.output, result.output


def refused(result: Result, runs: Path | None = None) -> list[str]:
    """Assert a clean refusal; return its problem lines."""
    no_crash(result)
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = problem_lines(result)
    assert lines, f"exit 2 without a file:row: field: message line:\n{result.stderr}"
    if runs is not None:
        assert not complete_runs(runs), "a refused run left a run directory marked complete"
    return lines


def outcome(result: Result, runs: Path | None = None) -> bool:
    """Assert the contract; True when the command succeeded."""
    no_crash(result)
    if result.exit_code == 0:
        return True
    refused(result, runs)
    return False


def assert_complete_trocha_run(runs: Path) -> None:
    (folder,) = complete_runs(runs)
    ts = pd.read_parquet(folder / "timeseries.parquet")
    values = ts["value"].to_numpy(dtype=float)
    assert np.isfinite(values).all(), "non-finite outputs"
    assert (values >= 0).all(), "negative outputs"
    manifest = json.loads((folder / "manifest.json").read_text())
    origin = manifest.get("origin_country") or _origin(ts)

    def series(metric: str, country: str = "ALL") -> np.ndarray:
        rows = ts[(ts["metric"] == metric) & (ts["country"] == country)].sort_values("date")
        return rows["value"].to_numpy()

    left = series("emigrants_cumulative")
    accounted = (
        series("migrant_stock")
        + series("migrant_stock", origin)
        + series("returned_cumulative")
        + series("deaths_cumulative")
    )
    assert np.array_equal(left, accounted), "people are not conserved"


def _origin(ts: pd.DataFrame) -> str:
    countries = set(ts["country"]) - {"ALL"}
    return "VEN" if "VEN" in countries else sorted(countries)[0]


def assert_complete_flee_run(runs: Path) -> None:
    (folder,) = complete_runs(runs)
    for table in ("timeseries", "locations"):
        frame = pd.read_parquet(folder / f"{table}.parquet")
        numbers = frame.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numbers).all(), f"non-finite values in {table}"
