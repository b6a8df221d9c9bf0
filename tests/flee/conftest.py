"""Fixtures for the Flee compatibility tests: the Flee folders in tests/data/flee, imported once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trocha.flee import import_flee

DATA = Path(__file__).resolve().parent.parent / "data" / "flee"
SUITE_SETTINGS = DATA / "flee3_validation_simsetting.yml"
CONFLICTS = ("mali2012", "car2013", "burundi2015", "ssudan2013")
PEERS = Path(__file__).resolve().parents[2] / "benchmarks" / "peers"
if str(PEERS) not in sys.path:
    sys.path.insert(0, str(PEERS))


def settings_for(name: str) -> Path | None:
    """The validation suite's settings for the conflicts; flee_test brings its own."""
    return None if name == "flee_test" else SUITE_SETTINGS


@pytest.fixture(scope="session")
def imported(tmp_path_factory):
    """import_flee of a Flee folder by name, once per test session and worker."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            out = tmp_path_factory.mktemp("imported") / name
            cache[name] = import_flee(DATA / name, out, settings_file=settings_for(name))
        return cache[name]

    return get
