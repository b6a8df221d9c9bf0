"""Likelihoods, CRPS and the baselines against known answers; the backtest at a coarse scale."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import trocha
from trocha.experiments.baselines import Gravity, persistence
from trocha.experiments.likelihood import ErrorModel, crps_ensemble, target_log_likelihoods
from trocha.experiments.targets import FLOW, INTERVAL, LEVEL, Target

D = dt.date(2019, 12, 31)


def _target(kind=LEVEL, value=1000.0, **extra) -> Target:
    return Target(
        row=2, date=D, country="COL", metric="migrant_stock", value=value, kind=kind, **extra
    )


def test_level_likelihood_is_lognormal_and_lower_bounds_are_censored():
    errors = ErrorModel(stock_log_sd=0.2)
    level = target_log_likelihoods([_target()], np.array([1000.0 * np.exp(0.2)]), errors)
    assert level[0] == pytest.approx(stats.norm.logpdf(1.0) - np.log(0.2))
    bound = _target(lower_bound=True)
    above, below = target_log_likelihoods([bound, bound], np.array([5000.0, 500.0]), errors)
    assert above > -0.01  # exceeding a lower bound costs (almost) nothing
    assert below == pytest.approx(stats.norm.logcdf(np.log(0.5) / 0.2))
    assert target_log_likelihoods([_target()], np.array([np.nan]))[0] == -np.inf


def test_flow_and_interval_likelihoods():
    flow = _target(FLOW, value=30.0, start_date=dt.date(2019, 1, 1))
    (ll,) = target_log_likelihoods([flow], np.array([25.0]), ErrorModel(flow_dispersion=4.0))
    assert ll == pytest.approx(stats.nbinom.logpmf(30, 4.0, 4.0 / 29.0))
    price = _target(INTERVAL, value=20.0, value_high=50.0)
    inside, outside = target_log_likelihoods([price, price], np.array([35.0, 100.0]))
    assert inside == 0.0
    assert outside == pytest.approx(-0.5 * (np.log(2.0) / 0.3) ** 2)


def test_crps_known_answers():
    assert crps_ensemble(3.0, np.array([5.0])) == pytest.approx(2.0)  # a point forecast: |x - y|
    # Two equally likely values 0 and 2, observed 1: E|X - y| = 1, E|X - X'| = 1 -> 0.5.
    assert crps_ensemble(1.0, np.array([0.0, 2.0])) == pytest.approx(0.5)
    wide = crps_ensemble(0.0, np.random.default_rng(1).normal(0, 3, 4000))
    narrow = crps_ensemble(0.0, np.random.default_rng(1).normal(0, 1, 4000))
    # For N(0, s), CRPS at the mean is s (sqrt(2) - 1) / sqrt(pi) x ... ; ratio 3 either way.
    assert wide / narrow == pytest.approx(3.0, rel=0.05)


def test_persistence_keeps_shares():
    out = persistence({"COL": 600.0, "PER": 300.0, "ECU": 100.0}, total=2000.0)
    assert out == {"COL": 1200.0, "PER": 600.0, "ECU": 200.0}


def test_gravity_recovers_a_gravity_world():
    """Stocks made by a known gravity law are predicted back (shares), for another year too."""
    scenario = trocha.load_scenario("venezuela")
    gravity = Gravity(scenario)
    hosts = ["COL", "PER", "ECU", "CHL", "BRA", "ARG", "PAN", "MEX", "DOM", "URY"]
    x = gravity.features(hosts, 2018)
    beta = np.array([10.0, -1.5, 0.8, 0.3])
    stocks = dict(zip(hosts, np.exp(x @ beta), strict=True))
    assert gravity.fit(stocks, 2018)
    x19 = gravity.features(hosts, 2019)
    truth = np.exp(x19 @ beta)
    predicted = gravity.predict(hosts, 2019, total=float(truth.sum()))
    assert np.allclose([predicted[c] for c in hosts], truth, rtol=1e-4)


@pytest.mark.slow
def test_backtest_runs_with_both_baselines(tmp_path):
    from trocha.experiments.validate import backtest

    # Two searches (seeds 3 and 4): scores over both, the drift from both searches' errors.
    table, summary = backtest(
        "venezuela", tmp_path, trials=2, seeds=1, draws=2, scale=4000, batch=2, workers=0,
        progress=False, posterior_draws=2, seed=3, repeats=2, confirm_top=1, confirm_seeds=1,
    )  # fmt: skip
    assert summary["gravity_fitted"]
    assert set(table.columns) == {
        "search", "date", "country", "observed", "trocha", "trocha_shares", "persistence",
        "gravity",
    }  # fmt: skip
    assert summary["searches"] == [3, 4] and set(table["search"]) == {3, 4}
    assert summary["assimilated"] is True  # forecasts from the stocks observed at the origin
    sizes = summary["posterior_effective_sample_size_by_search"]
    assert len(sizes) == 2 and all(1.0 <= n <= 2 for n in sizes)  # two draws each
    first, second = (g.drop(columns="search") for _, g in table.groupby("search"))
    assert len(first) == len(second)  # the same stocks scored after each search
    pd.testing.assert_frame_equal(  # the baselines do not depend on the search
        first[["persistence", "gravity"]].reset_index(drop=True),
        second[["persistence", "gravity"]].reset_index(drop=True),
    )
    by_search = summary["mape_trocha_main_hosts_by_search"]
    assert summary["mape_trocha_main_hosts"] == pytest.approx(np.mean(by_search))
    assert {"COL", "PER", "ECU", "CHL", "BRA", "ARG"} <= set(table["country"])
    main = table[table["country"].isin(["COL", "PER", "ECU", "CHL", "BRA", "ARG"])]
    assert main[["trocha", "persistence", "gravity"]].notna().all().all()
    assert table["date"].min() > dt.date(2018, 12, 31)  # scored only after the origin
    for method in ("trocha", "trocha_shares", "persistence", "gravity"):
        assert summary[f"mape_{method}_main_hosts"] >= 0
    assert isinstance(summary["trocha_beats_baselines"], bool)
    # The model's shares are scaled to the observed total of the same hosts, as the baselines are.
    for _, day in table.groupby(["search", "date"]):
        assert day["trocha_shares"].sum() == pytest.approx(day["observed"].sum(), rel=1e-9)
        shares = day["trocha_shares"] / day["trocha_shares"].sum()
        assert np.allclose(shares, day["trocha"] / day["trocha"].sum())
    # The world total is scored on its own, on the world figures after the origin only.
    world = summary["world_total"]
    for search in (3, 4):
        dates = [w["date"] for w in world if w["search"] == search]
        assert dates == sorted(dates)
    assert world and all(w["date"] > "2018-12-31" for w in world)
    assert {w["search"] for w in world} == {3, 4}
    assert all(w["ratio"] == pytest.approx(w["trocha"] / w["observed"]) for w in world)
    # The drift of the model's error past the origin, for the forecasts' predictive bands.
    # With several searches the drift is the median of theirs (one astray cannot set it alone).
    by_search = summary["drift_log_sd_per_year_by_search"]
    assert len(by_search) == 2 and summary["drift_log_sd_per_year"] == np.median(by_search)
    assert summary["drift_total_log_sd_per_year"] == np.median(
        summary["drift_total_log_sd_per_year_by_search"]
    )
    assert summary["drift_log_sd_per_year_pooled"] >= 0
    stored = json.loads((tmp_path / "forecast_drift.json").read_text())
    assert stored["drift_log_sd_per_year"] == summary["drift_log_sd_per_year"] >= 0
    assert stored["drift_total_log_sd_per_year"] == summary["drift_total_log_sd_per_year"] >= 0
    assert stored["origin"] == "2018-12-31" and stored["host_stocks"] == len(table)
    assert stored["searches"] == 2 and len(stored["minor_base_log_sd_by_search"]) == 2
    # A flow's drift is the observed flows' own volatility (the Darién's years up to 2020).
    assert stored["drift_flow_log_sd_per_year"] == summary["drift_flow_log_sd_per_year"] > 0
    assert len(stored["flow_changes"]) >= 3
    ends = {c["to"] for c in stored["flow_changes"]}
    assert "irregular_crossings PAN 2020-01-01..2020-12-31" in ends
    assert not any("2021-" in end for end in ends)  # nothing after the horizon (2020)
    assert (tmp_path / "backtest.csv").is_file()
    # Each search calibrated in the shipped procedure's three stages, each from the last.
    assert summary["procedure"] == "shipped"
    for search, stages in zip((3, 4), summary["stages_by_search"], strict=True):
        folder = tmp_path / f"calibration_{search}"
        assert [s["stage"] for s in stages] == [1, 2, 3]
        assert [s["name"] for s in stages] == ["everything", "parameters", "choice and exodus"]
        for number in (1, 2, 3):
            assert (folder / f"stage_{number}" / "study.db").is_file()
            assert (folder / f"scenario_{number}" / "scenario.toml").is_file()
        assert not (folder / "scenario_1" / "posterior.parquet").exists()  # not the shipped one
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        backtest("venezuela", tmp_path, repeats=0)
    with pytest.raises(ValueError, match="procedure must be one of"):
        backtest("venezuela", tmp_path, procedure="quick")


def test_bounds_are_censored_for_flows():
    start = dict(start_date=dt.date(2019, 1, 1))
    upper = _target(FLOW, value=20000.0, upper_bound=True, **start)
    lower = _target(FLOW, value=12000.0, lower_bound=True, **start)
    below_upper, above_upper = target_log_likelihoods([upper, upper], np.array([5000.0, 80000.0]))
    above_lower, below_lower = target_log_likelihoods([lower, lower], np.array([70000.0, 2000.0]))
    assert below_upper > -0.01 and above_lower > -0.01  # on the allowed side: no cost
    assert above_upper < -2 and below_lower < -2


def test_shipped_flow_and_price_targets_parse_with_their_kinds():
    from trocha.experiments.targets import scenario_targets

    scenario = trocha.load_scenario("venezuela")
    targets = scenario_targets(scenario)
    darien = [t for t in targets if t.metric == "irregular_crossings" and t.country == "PAN"]
    assert [t.date.year for t in darien] == [2017, 2018, 2019, 2020]
    assert all(t.kind == FLOW and t.upper_bound for t in darien)
    fees = [t for t in targets if t.metric == "trocha_fee_usd"]
    assert fees and all(t.kind == INTERVAL and t.value_high > t.value for t in fees)
    # Outcomes after 2020 are held back for validation: never a calibration row.
    later = [row for row in scenario.targets if row.date.year > 2020]
    assert later and all(row.role == "validation" for row in later)


def test_counts_below_half_an_agent_are_not_resolved():
    import datetime as dt

    from trocha.experiments.likelihood import count_floor, target_log_likelihoods
    from trocha.experiments.targets import FLOW, LEVEL, Target

    day = dt.date(2020, 12, 31)
    tiny_stock = Target(2, day, "GTM", "migrant_stock", 72.0, LEVEL)
    flow = Target(3, day, "USA", "encounters", 4520.0, FLOW, dt.date(2019, 10, 1))
    floor = count_floor(1000)
    assert floor == 500.0 and count_floor(1) == 1.0
    # At scale 1000, 72 people and no agent agree as well as 500 and 500 people would.
    unresolved = target_log_likelihoods([tiny_stock], [0.0], floor=floor)[0]
    exact = target_log_likelihoods([tiny_stock], [72.0], floor=1.0)[0]
    assert unresolved == pytest.approx(exact)
    # A missed flow costs what half an agent would, not what one person would.
    missed = target_log_likelihoods([flow], [0.0], floor=floor)[0]
    assert missed == pytest.approx(target_log_likelihoods([flow], [500.0])[0])
    assert missed > target_log_likelihoods([flow], [0.0])[0] + 1000


def test_a_seed_mean_of_few_agents_carries_its_sampling_variance():
    """Synthetic likelihood: a count resolved by ten agents is an estimate with a compound
    Poisson variance (overdispersion x people per agent x value / runs), added to the error."""
    errors = ErrorModel(stock_log_sd=0.15, flow_dispersion=5.0, resolution_overdispersion=2.0)
    small = _target(value=20_000.0)  # ten agents at 1,000 people each, half the data
    (plain,) = target_log_likelihoods([small], np.array([10_000.0]), errors)
    (resolved,) = target_log_likelihoods(
        [small], np.array([10_000.0]), errors, agent_people=1000, runs=2
    )
    sd = np.sqrt(0.15**2 + 2.0 * 1000 * 10_000 / 2 / 10_000**2)
    assert resolved == pytest.approx(stats.norm.logpdf(np.log(10 / 20) / sd) - np.log(sd))
    assert resolved > plain + 5.0  # the miss is mostly seed luck at ten agents
    # More seeds or finer agents shrink the added variance back towards the error alone.
    (many,) = target_log_likelihoods(
        [small], np.array([10_000.0]), errors, agent_people=1000, runs=10_000
    )
    assert many == pytest.approx(plain, abs=0.01)
    # Flows: a negative binomial whose variance is mu + mu^2 / dispersion + the estimate's.
    flow = _target(FLOW, value=30_000.0, start_date=dt.date(2019, 1, 1))
    (ll,) = target_log_likelihoods([flow], np.array([20_000.0]), errors, agent_people=1000, runs=2)
    mu, extra = 20_000.0, 2.0 * 1000 * 20_000 / 2
    r = mu * mu / (mu * mu / 5.0 + extra)
    assert stats.nbinom.var(r, r / (r + mu)) == pytest.approx(mu + mu * mu / 5.0 + extra)
    assert ll == pytest.approx(stats.nbinom.logpmf(30_000, r, r / (r + mu)))


def test_share_likelihood_is_logit_normal_and_an_interval_of_shares_is_flat_inside():
    from trocha.experiments.targets import SHARE

    errors = ErrorModel(share_logit_sd=0.5)
    point = Target(2, dt.date(2016, 9, 30), "ARG", "air_entry_share", 0.81, SHARE)
    band = Target(3, dt.date(2016, 9, 30), "ARG", "air_entry_share", 0.6, SHARE, value_high=0.8)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    ll = target_log_likelihoods([point, point, band, band], np.array([0.81, 0.5, 0.7, 0.9]), errors)
    assert ll[0] == pytest.approx(stats.norm.logpdf(0.0) - np.log(0.5))
    assert ll[1] == pytest.approx(stats.norm.logpdf((logit(0.5) - logit(0.81)) / 0.5) - np.log(0.5))
    assert ll[2] == 0.0
    assert ll[3] == pytest.approx(-0.5 * ((logit(0.9) - logit(0.8)) / 0.5) ** 2)
    # No flight at all is a large miss, not an infinite one (shares are clipped at 0.005).
    assert -200 < target_log_likelihoods([point], np.array([0.0]), errors)[0] < -50


def test_a_share_target_needs_a_period_and_a_value_within_zero_and_one(tmp_path):
    import shutil

    from trocha.scenario.problems import ScenarioError

    folder = tmp_path / "tiny"
    shutil.copytree(trocha.load_scenario("tiny").folder, folder)
    targets = folder / "targets.csv"
    header = "date,country,metric,value,source_id,role,notes,start_date,value_high,bound"
    columns = header.split(",")
    source = (folder / "sources.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    row = dict.fromkeys(columns, "")
    row.update(date="2018-09-30", country="COL", metric="air_entry_share", source_id=source)
    bad_value = {**row, "value": "81", "start_date": "2018-01-01"}
    no_period = {**row, "value": "0.81"}
    lines = [header] + [",".join(r[c] for c in columns) for r in (bad_value, no_period)]
    targets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(folder)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "targets.csv:2:" in text and "value and value_high must be 0-1" in text
    assert "targets.csv:3:" in text and "give its start_date" in text
