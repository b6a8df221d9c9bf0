"""Shared fixtures: a copy of the tiny scenario to break, and cached tiny runs."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

import trocha


def shipped_folder(name: str) -> Path:
    return Path(str(resources.files("trocha").joinpath("data/scenarios", name)))


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny scenario."""
    folder = tmp_path / "tiny"
    shutil.copytree(shipped_folder("tiny"), folder)
    return folder


@pytest.fixture(scope="session")
def tiny() -> trocha.Scenario:
    return trocha.load_scenario("tiny")


@pytest.fixture(scope="session")
def tiny_result(tiny) -> trocha.Result:
    return trocha.Simulation(tiny, seed=3, scale=100).run()
