"""Lockdowns raise the return hazard of the migrants settled in a host, only while they last."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import trocha
from trocha.modules.journeys import return_shares

HEADER = "date,country,policy,value,source_id,notes\n"
RATES = {"onward_rate_per_year": 0.25, "return_rate_per_year": 0.05}


def test_the_return_share_is_the_hazard_share_raised_by_the_lockdown():
    lockdown = np.array([0.0, 1.0, 0.5, 1.0])
    plain = return_shares({**RATES, "return_lockdown_multiplier": 1.0}, lockdown)
    np.testing.assert_allclose(plain, 0.05 / 0.30)  # no effect at a multiplier of 1
    raised = return_shares({**RATES, "return_lockdown_multiplier": 4.0}, lockdown)
    # 1 + (4 - 1) x share: x1, x4, x2.5 (and x4 again)
    np.testing.assert_allclose(raised, [0.05, 0.20, 0.125, 0.20] / np.float64(0.30))
    capped = return_shares({**RATES, "return_lockdown_multiplier": 30.0}, lockdown)
    assert capped[1] == 1.0 and capped[2] == 1.0  # at most every slow event is a return


def test_venezuela_returns_are_raised_during_colombias_isolation_only():
    """The shipped rows: Colombia from 25 March to 31 August 2020, Brazil never."""
    scenario = trocha.load_scenario("venezuela").with_parameters(return_lockdown_multiplier=10.0)
    p = scenario.parameters
    base = p["return_rate_per_year"] / (p["onward_rate_per_year"] + p["return_rate_per_year"])
    for end, colombia in [
        (dt.date(2020, 3, 24), base),
        (dt.date(2020, 3, 25), min(1.0, 10 * base)),
        (dt.date(2020, 8, 31), min(1.0, 10 * base)),
        (dt.date(2020, 9, 1), base),
    ]:
        sim = trocha.Simulation(scenario, seed=1, scale=50000, end=end)
        sim.run()
        codes = list(sim.world.country_codes)
        assert sim.return_share[codes.index("COL")] == pytest.approx(colombia), end
        assert sim.return_share[codes.index("BRA")] == pytest.approx(base), end


def _stock_and_returns(folder: Path, multiplier: float, seed: int) -> tuple:
    scenario = trocha.load_scenario(folder).with_parameters(
        return_lockdown_multiplier=multiplier, return_rate_per_year=0.05
    )
    ts = trocha.Simulation(scenario, seed=seed, scale=100).run().timeseries
    stock = ts[(ts.metric == "migrant_stock") & (ts.country == "COL")].set_index("date").value
    back = ts[(ts.metric == "return_departures") & (ts.country == "COL")].set_index("date").value
    return stock, back


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_lockdown_sends_people_home_and_changes_nothing_before_it(tiny_copy: Path, seed: int):
    (tiny_copy / "host_policies.csv").write_text(
        HEADER
        + "2019-03-01,COL,lockdown,1.0,ILLUSTRATIVE,\n"
        + "2019-09-01,COL,lockdown,0.0,ILLUSTRATIVE,\n",
        encoding="utf-8",
    )
    stock_1, back_1 = _stock_and_returns(tiny_copy, 1.0, seed)
    stock_20, back_20 = _stock_and_returns(tiny_copy, 20.0, seed)
    before = slice(None, "2019-02-28")
    # Common random numbers: the same run until the lockdown starts.
    assert stock_1[before].equals(stock_20[before]) and back_1[before].equals(back_20[before])
    during = slice("2019-03-01", "2019-08-31")
    assert back_20[during].sum() > 3 * back_1[during].sum() > 0  # set off home from Colombia
    after = slice("2019-10-01", None)  # events at the usual share again (fewer left to return)
    assert back_20[after].sum() < 2 * back_1[after].sum()
    # every slow event a return (20 x 0.05 / 0.30 > 1), events at 0.3 a year: about 1 - e^-0.15
    # = 14% of those settled on 1 March have gone by 31 August; the stock counts newcomers too
    assert stock_20["2019-08-31"] < 0.95 * stock_1["2019-08-31"]


def test_a_lockdown_share_above_one_is_refused(tiny_copy: Path):
    from trocha.scenario.problems import ScenarioError

    (tiny_copy / "host_policies.csv").write_text(
        HEADER + "2019-03-01,COL,lockdown,1.5,ILLUSTRATIVE,\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row) == ("host_policies.csv", 2)
    assert "lockdown is a share of people" in problem.message
