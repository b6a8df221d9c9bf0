"""The shipped default scenario: plausible out of the box, over several seeds (slow)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import trocha

pytestmark = pytest.mark.slow
SEEDS = (1, 2, 3)
SCALE = 200


@pytest.fixture(scope="module")
def runs():
    scenario = trocha.load_scenario("venezuela")
    return [trocha.Simulation(scenario, seed=s, scale=SCALE, end="2021-12-31").run() for s in SEEDS]


def test_shipped_scenario_is_valid():
    scenario = trocha.load_scenario("venezuela")
    assert len(scenario.locations) > 80 and len(scenario.routes) > 120
    assert {"COL", "PER", "ECU", "CHL", "BRA", "ARG", "PAN", "USA", "TTO"} <= {
        c.iso3 for c in scenario.countries
    }


# The R4V world totals on the dates they give (targets.csv S05, S11): 3.0 M on 8 Nov 2018 and
# 5.4 M on 5 Nov 2020.
@pytest.mark.parametrize(("date", "observed"), [("2018-11-08", 3.0e6), ("2020-11-05", 5.4e6)])
def test_world_diaspora_within_25_percent(runs, date, observed):
    stocks = [r.metric("migrant_stock")[date] for r in runs]
    assert all(abs(s / observed - 1) < 0.25 for s in stocks), stocks


def test_colombia_then_peru_hold_the_largest_stocks(runs):
    for r in runs:
        for year in (2019, 2020):
            stocks = r.stocks_at(dt.date(year, 12, 31)).drop(["ALL", "VEN"])
            assert list(stocks.sort_values(ascending=False).index[:2]) == ["COL", "PER"], stocks


def test_people_conserved(runs):
    for r in runs:
        left = r.metric("emigrants_cumulative").to_numpy()
        rest = (
            r.metric("migrant_stock").to_numpy()
            + r.metric("migrant_stock", "VEN").to_numpy()
            + r.metric("returned_cumulative").to_numpy()
            + r.metric("deaths_cumulative").to_numpy()
        )
        assert np.array_equal(left, rest)


def test_pandemic_closure_stops_official_entries_into_colombia(runs):
    for r in runs:
        official = r.metric("official_crossings", "COL")
        irregular = r.metric("irregular_crossings", "COL")
        assert official["2020-03-17":"2021-10-04"].sum() == 0
        assert irregular["2020-03-17":"2021-10-04"].sum() > 0
        before = irregular["2018-01-01":"2019-02-21"].sum() / (
            irregular["2018-01-01":"2019-02-21"].sum() + official["2018-01-01":"2019-02-21"].sum()
        )
        assert before < 0.5


def test_make_run_on_a_small_scale(tmp_path):
    root = Path(__file__).resolve().parents[1]
    if shutil.which("make") is None or not (root / ".venv" / ".installed-stamp").exists():
        pytest.skip("make run needs the project's .venv (created by make test)")
    env = {**os.environ, "SCALE": "2000"}
    out = subprocess.run(
        ["make", "-s", "run"], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Migrant stock at year end" in out.stdout
    assert "COL" in out.stdout and "PER" in out.stdout
