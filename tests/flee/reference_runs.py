"""Flee 3.1's stored runs for the conformance tests: which scenarios, seeds and scale-downs, and
where each run's CSV lives (written by tools/flee_reference_runs.py)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "flee"
SUITE_SETTINGS = DATA / "flee3_validation_simsetting.yml"
REFERENCE = DATA / "reference"
SEEDS = (1, 2, 3, 4, 5)
# hasten per scenario: Flee 3.1 runs at about 1.2e5 agent-steps/s, so the long conflicts are
# scaled down further to keep each Flee run under about 30 s on a CI core.
HASTEN = {"mali2012": 20, "burundi2015": 20, "car2013": 200, "ssudan2013": 200, "flee_test": 5}


def settings_for(name: str) -> Path:
    """The validation suite's settings for the conflicts; flee_test brings its own."""
    return DATA / name / "simsetting.yml" if name == "flee_test" else SUITE_SETTINGS


def reference_path(name: str, seed: int) -> Path:
    """The stored run, gzip-compressed (gzip -9 -n: no name or time, so the bytes are stable)."""
    return REFERENCE / f"{name}_hasten{HASTEN[name]}_seed{seed}.csv.gz"
