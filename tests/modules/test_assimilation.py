"""Forecasting from the observed state: settled migrants re-spread over the hosts by the stocks
observed at the forecast's origin, people and money conserved."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

import trocha
from trocha.codes import SETTLED
from trocha.experiments.calibration import build_trial_simulation
from trocha.kernels.counters import LOC_PRESENT, PRESENT
from trocha.modules.assimilation import observed_stocks, rebalance, split
from trocha.rng import generator

ORIGIN = dt.date(2018, 12, 31)


def test_split_gives_whole_agents_in_proportion_summing_to_the_total():
    assert split(10, np.array([1.0, 1.0, 1.0])).tolist() == [4, 3, 3]
    assert split(7, np.array([0.0, 2.0, 5.0])).tolist() == [0, 2, 5]
    assert split(5, np.zeros(3)).tolist() == [0, 0, 0]
    assert split(0, np.array([1.0, 2.0])).tolist() == [0, 0]


def test_observed_stocks_take_the_latest_estimate_of_each_host_in_the_year_to_the_origin():
    scenario = trocha.load_scenario("venezuela")
    at_2018 = observed_stocks(scenario, ORIGIN)
    assert at_2018["COL"] == 1174375 and at_2018["PER"] == 656274
    # transit countries (no city to settle in) and bounds (the USA's asylum counts) are left out
    assert not {"GTM", "HND", "USA", "ESP"} & set(at_2018)
    at_2020 = observed_stocks(scenario, dt.date(2020, 12, 31))
    assert at_2020["USA"] == 375000  # 2020-11-05, the latest in the year
    assert at_2020["COL"] == 1749895  # 2020-12-31, not 2020-11-05's 1.7 million
    # nothing older than a year: the origin's state is not read from stale figures
    assert observed_stocks(scenario, dt.date(2023, 6, 30)) == {}


@pytest.fixture(scope="module")
def run_to_origin():
    sim = build_trial_simulation("venezuela", {}, {}, 3, 4000, ORIGIN)
    sim.run()
    return sim


def test_rebalance_matches_the_observed_shares_and_moves_only_settled_agents(run_to_origin):
    sim = run_to_origin
    table = sim.people.table[: sim.people.count]
    before = table.copy()
    present_before = sim.current[PRESENT].copy()
    stocks = observed_stocks(sim.scenario, ORIGIN)
    codes = list(sim.world.country_codes)
    hosts = np.array([codes.index(c) for c in stocks])
    moved = rebalance(sim, stocks, generator(sim.seed, "assimilation", 0))
    after = sim.people.table[: sim.people.count]
    # the model's total over the observed hosts, in the observed shares, to the agent
    observed = np.array(list(stocks.values()))
    expected = split(int(present_before[hosts].sum()), observed)
    assert sim.current[PRESENT, hosts].tolist() == expected.tolist()
    assert sum(moved.values()) == 0 and any(moved.values())
    # people and money conserved; only settled agents moved, each to a city of a host
    assert sim.current[PRESENT].sum() == present_before.sum()
    changed = after["location"] != before["location"]
    assert changed.sum() == sum(v for v in moved.values() if v > 0)
    assert (before["state"][changed] == SETTLED).all()
    assert np.isin(after["location"][changed], sim.world.destinations).all()
    assert np.array_equal(after["money"], before["money"])
    assert np.array_equal(after["state"], before["state"])
    # the counters still agree with the people table
    here = np.isin(after["state"], [1, 2, 3, 6])  # travelling, stranded, settled, victims
    places = np.bincount(after["location"][here], minlength=sim.world.n_locations)
    assert np.array_equal(places, sim.location_counts[LOC_PRESENT])
    countries = np.bincount(
        sim.world.location_country[after["location"][here]], minlength=len(codes)
    )
    origin = codes.index(sim.scenario.spec.origin_country)
    assert np.array_equal(np.delete(countries, origin), np.delete(sim.current[PRESENT], origin))


def test_a_forecast_member_starts_from_the_observed_state_and_is_reproducible():
    """From the day after the origin the hosts hold the observed shares (up to a day's
    movements); the same member twice gives the same series."""

    def stocks(assimilate):
        sim = build_trial_simulation("venezuela", {}, {}, 3, 4000, "2019-01-01", assimilate)
        ts = sim.run().timeseries
        day = ts[(ts["metric"] == "migrant_stock") & (ts["date"] == "2019-01-01")]
        return day.set_index("country")["value"]

    observed = observed_stocks(trocha.load_scenario("venezuela"), ORIGIN)
    assimilated, plain = stocks(ORIGIN), stocks(None)
    codes = list(observed)
    share = np.array([observed[c] for c in codes]) / sum(observed.values())
    model = assimilated[codes].to_numpy() / assimilated[codes].sum()
    unassimilated = plain[codes].to_numpy() / plain[codes].sum()
    assert np.abs(model - share).max() < 0.01 < np.abs(unassimilated - share).max()
    assert assimilated[codes].sum() == pytest.approx(plain[codes].sum(), rel=0.01)
    assert stocks(ORIGIN).equals(assimilated)


def test_the_backtest_and_fit_members_start_from_the_observed_state_when_asked():
    """A member carrying an origin is run assimilated by the backtest's worker function: its
    2019 host stocks are nearer the observed shares of 2018 than the same member's without."""
    from trocha.experiments.forecast import Member
    from trocha.experiments.targets import scenario_targets
    from trocha.experiments.validate import MemberTargets, member_targets

    scenario = trocha.load_scenario("venezuela")
    observed = observed_stocks(scenario, ORIGIN)
    targets = tuple(
        t
        for t in scenario_targets(scenario)
        if t.metric == "migrant_stock" and t.country in observed and t.date == ORIGIN
    )
    end = dt.date(2019, 1, 2)

    def shares(assimilate):
        member = Member(0, "venezuela", {}, {}, 3, 4000, end, assimilate)
        # the same targets read one day after the origin: move their date there
        moved = tuple(t.__class__(**{**t.__dict__, "date": end}) for t in targets)
        values = member_targets(MemberTargets(member, moved))
        return values / values.sum()

    share = np.array([t.value for t in targets]) / sum(t.value for t in targets)
    assert np.abs(shares(ORIGIN) - share).max() < 0.01 < np.abs(shares(None) - share).max()


def test_a_variant_that_changes_the_world_before_the_cut_off_is_not_assimilated(tmp_path):
    """The raid variant strikes in 2019-2020: its state at the 2020 cut-off is not the observed
    one, so its forecast says so and runs from the model's state; the calibrated scenario's own
    forecast starts from the stocks observed at the cut-off."""
    import json

    from trocha.experiments.forecast import FEW_DRAWS, changes_before, forecast

    calibration = Path(trocha.__file__).parent / "data" / "scenarios" / "venezuela"
    cut_off = dt.date(2020, 12, 31)
    assert changes_before("venezuela", calibration, cut_off) == []
    assert changes_before("venezuela-awareness", calibration, cut_off)
    kwargs = dict(draws=1, seeds=1, scale=8000, end=dt.date(2021, 1, 31), workers=0, progress=False)
    variant = forecast("venezuela-raid-cells", calibration, tmp_path / "v", **kwargs)
    assert "coordinated_crackdown from 2019-06-01" in variant.assimilation_note
    info = json.loads((variant.folder / "forecast.json").read_text())
    assert "no-assimilate" in info["assimilated"]["not"]
    own = forecast("venezuela", calibration, tmp_path / "b", **kwargs)
    assert own.assimilation_note is None
    assert own.origin == cut_off and own.started_from["COL"] == 1749895
    assert variant.origin is None and variant.started_from == {}
    info = json.loads((own.folder / "forecast.json").read_text())
    assert info["assimilated"]["date"] == "2020-12-31"
    assert info["assimilated"]["stocks"]["COL"] == 1749895
    # The forecast records the posterior's ESS, and says so when its weight sits on a few draws.
    ess = json.loads((calibration / "calibration.json").read_text())["effective_sample_size"]
    assert info["posterior_effective_sample_size"] == pytest.approx(ess)
    assert (own.posterior_note is None) == (ess >= FEW_DRAWS)
    few = tmp_path / "few"
    few.mkdir()
    for name in ("posterior.parquet", "forecast_drift.json"):
        shutil.copy(calibration / name, few / name)
    summary = json.loads((calibration / "calibration.json").read_text())
    summary["effective_sample_size"] = 2.2
    (few / "calibration.json").write_text(json.dumps(summary))
    narrow = forecast("venezuela", few, tmp_path / "few_out", **kwargs)
    assert "effective sample size is 2.2" in narrow.posterior_note


def test_a_variant_that_sets_a_parameter_is_not_taken_for_the_observed_world(tmp_path):
    """A variant folder on the venezuela scenario that sets a parameter changes the world from
    the start: it is listed with the calibrated value; one that only adds a 2022 policy is not."""
    from trocha.experiments.forecast import changes_before

    calibration = Path(trocha.__file__).parent / "data" / "scenarios" / "venezuela"
    header = '[scenario]\nbase = "venezuela"\nname = "{name}"\ndescription = "test"\n'
    setting = tmp_path / "setting"
    setting.mkdir()
    (setting / "scenario.toml").write_text(
        header.format(name="setting") + "[parameters]\nrecruit_network_probability = 0.01\n"
    )
    later = tmp_path / "later"
    later.mkdir()
    (later / "scenario.toml").write_text(
        header.format(name="later")
        + '[[interventions]]\ntype = "awareness_campaign"\ncountries = ["PER"]\n'
        + 'coverage = 0.5\nstart = "2022-01-01"\n'
    )
    cut_off = dt.date(2020, 12, 31)
    changes = changes_before(str(setting), calibration, cut_off)
    assert changes == ["parameter recruit_network_probability = 0.01 (calibrated scenario: 0.007)"]
    assert changes_before(str(later), calibration, cut_off) == []
