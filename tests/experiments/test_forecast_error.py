"""Predictive bands of forecasts: known answers of the mixture quantiles, the error's growth past
the calibration's cut-off, and the drift the backtest measures."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr
from scipy.stats import norm

from trocha.experiments.forecast_error import (
    DRIFT_FILE,
    ForecastError,
    estimate_drift,
    flow_volatility,
    load_forecast_error,
    mixture_quantiles,
    predictive_bands,
)
from trocha.experiments.targets import FLOW, LEVEL, Target

QS = (0.05, 0.25, 0.5, 0.75, 0.95)


def test_one_member_gives_the_lognormal_quantiles():
    out = mixture_quantiles(np.array([[1000.0]]), np.array([0.2]), floor=1.0)
    expected = [1000.0 * math.exp(0.2 * norm.ppf(q)) for q in QS]
    assert out[0] == pytest.approx(expected, rel=1e-9)


def test_mixture_quantiles_solve_the_mixture_distribution_and_skip_absent_members():
    values = np.array([[100.0, 10000.0, 900.0], [100.0, np.nan, np.nan]])
    sd = np.array([0.3, 0.1])
    out = mixture_quantiles(values, sd, floor=1.0)
    logs = np.log([100.0, 10000.0, 900.0])
    for j, q in enumerate(QS):
        cdf = ndtr((math.log(out[0, j]) - logs) / 0.3).mean()
        assert cdf == pytest.approx(q, abs=1e-9)
    # An absent member does not count: the second row is one lognormal around 100.
    assert out[1] == pytest.approx([100.0 * math.exp(0.1 * norm.ppf(q)) for q in QS], rel=1e-9)
    # A member with nothing at the run's resolution (below half an agent) predicts 0: with one
    # such member of four, the 5% and 25% quantiles are 0 and the rest those of the others.
    some = mixture_quantiles(np.array([[0.0, 1000.0, 1000.0, 1000.0]]), np.array([0.2]), 500.0)
    assert some[0, :2].tolist() == [0.0, 0.0]
    q = (0.5 - 0.25) / 0.75  # the median, within the three members at 1,000
    assert some[0, 2] == pytest.approx(1000.0 * math.exp(0.2 * norm.ppf(q)), rel=1e-9)
    assert mixture_quantiles(np.array([[0.0]]), np.array([0.2]), 500.0)[0].tolist() == [0.0] * 5


def test_the_error_grows_past_the_cut_off_only():
    error = ForecastError(
        stock_log_sd=0.15,
        flow_dispersion=5.0,
        drift_log_sd_per_year=0.3,
        until=dt.date(2020, 12, 31),
    )
    dates = pd.to_datetime(["2019-12-31", "2020-12-31", "2022-12-31", "2022-12-31"])
    sd = error.log_sd(np.array([False, False, False, True]), dates)
    years = (pd.Timestamp("2022-12-31") - pd.Timestamp("2020-12-31")).days / 365.25
    assert sd[0] == pytest.approx(0.15) and sd[1] == pytest.approx(0.15)
    assert sd[2] == pytest.approx(math.sqrt(0.15**2 + (0.3 * years) ** 2))
    assert sd[3] == pytest.approx(math.sqrt(math.log1p(1 / 5.0) + (0.3 * years) ** 2))
    # The total over countries has its own drift.
    total = ForecastError(0.15, 5.0, 0.3, dt.date(2020, 12, 31), drift_total_log_sd_per_year=0.0)
    both = total.log_sd(np.array([False, False]), dates[2:], np.array([True, False]))
    assert both[0] == pytest.approx(0.15) and both[1] == pytest.approx(sd[2])
    flat = ForecastError(0.15, 5.0, 0.0, dt.date(2020, 12, 31))
    assert flat.log_sd(np.array([False]), dates[2:3])[0] == pytest.approx(0.15)


def test_a_flow_drifts_as_a_random_walk_where_its_volatility_is_measured():
    until = dt.date(2020, 12, 31)
    error = ForecastError(0.15, 5.0, 0.3, until, flow_drift_log_sd_per_year=0.9)
    dates = pd.to_datetime(["2020-06-30", "2024-12-31", "2024-12-31"])
    flow = np.array([True, True, False])
    sd = error.log_sd(flow, dates)
    years = (pd.Timestamp("2024-12-31") - pd.Timestamp(until)).days / 365.25
    base_flow = math.log1p(1 / 5.0)
    assert sd[0] == pytest.approx(math.sqrt(base_flow))  # before the cut-off: no drift
    assert sd[1] == pytest.approx(math.sqrt(base_flow + 0.9**2 * years))  # sqrt(years), not years
    assert sd[2] == pytest.approx(math.sqrt(0.15**2 + (0.3 * years) ** 2))  # stocks as before
    assert error.drift_sd(flow, dates).tolist() == pytest.approx(
        [0.0, 0.9 * math.sqrt(years), 0.3 * years]
    )
    # Without a measured flow volatility a flow drifts as a stock does (older drift files).
    older = ForecastError(0.15, 5.0, 0.3, until)
    assert older.log_sd(flow[1:2], dates[1:2])[0] == pytest.approx(
        math.sqrt(base_flow + (0.3 * years) ** 2)
    )


def _flow(row, start, end, value, country="PAN", metric="irregular_crossings", upper=False):
    return Target(
        row, dt.date.fromisoformat(end), country, metric, value, FLOW,
        start_date=dt.date.fromisoformat(start), upper_bound=upper,
    )  # fmt: skip


def test_flow_volatility_is_the_mean_squared_log_change_per_year_of_consecutive_periods():
    targets = [
        _flow(2, "2017-01-01", "2017-12-31", 100.0, upper=True),
        _flow(3, "2019-01-01", "2019-12-31", 50.0, upper=True),  # listed out of order
        _flow(4, "2018-01-01", "2018-12-31", 200.0, upper=True),
        # another series: two periods two years apart (a gap year between them)
        _flow(5, "2016-01-01", "2016-12-31", 10.0, country="USA", metric="encounters"),
        _flow(6, "2018-01-01", "2018-12-31", 40.0, country="USA", metric="encounters"),
        # not counted: a period of another length (its own series, of one), overlapping
        # periods, a stock, a period after `until`
        _flow(7, "2019-06-01", "2019-07-31", 7.0),
        _flow(8, "2018-06-01", "2019-05-31", 300.0, country="CHL"),
        _flow(9, "2018-09-01", "2019-08-31", 600.0, country="CHL"),
        Target(10, dt.date(2019, 12, 31), "PAN", "migrant_stock", 1e5, LEVEL),
        _flow(11, "2021-01-01", "2021-12-31", 1e6),
        # series of their own: a fiscal year beside calendar years, an upper bound beside
        # estimates
        _flow(12, "2018-10-01", "2019-09-30", 999.0, country="USA", metric="encounters"),
        _flow(13, "2019-01-01", "2019-12-31", 5.0, country="USA", metric="encounters", upper=True),
    ]
    d, changes = flow_volatility(targets, dt.date(2020, 12, 31))
    year = 365 / 365.25  # the years apart are the days between the periods' ends
    expected = [
        math.log(2.0) ** 2 / year,  # 2017 -> 2018
        math.log(0.25) ** 2 / year,  # 2018 -> 2019
        math.log(4.0) ** 2 / (730 / 365.25),  # USA 2016 -> 2018
    ]
    assert {(c["from"], c["to"]) for c in changes} == {
        (targets[0].label, targets[2].label),
        (targets[2].label, targets[1].label),
        (targets[3].label, targets[4].label),
    }
    assert d == pytest.approx(math.sqrt(np.mean(expected)), rel=1e-9)
    with pytest.raises(ValueError, match="no two consecutive periods of one flow"):
        flow_volatility(targets[:1] + targets[7:], dt.date(2020, 12, 31))
    # A period with nothing observed has no log: its neighbours are compared across it.
    gap = [targets[0], _flow(20, "2018-01-01", "2018-12-31", 0.0), targets[1]]
    d_gap, (change,) = flow_volatility(gap, dt.date(2020, 12, 31))
    assert change["years"] == pytest.approx(730 / 365.25)
    assert d_gap == pytest.approx(math.sqrt(math.log(0.5) ** 2 / (730 / 365.25)))


def test_drift_estimate_recovers_a_known_growth():
    rng = np.random.default_rng(5)
    years = np.repeat([0.5, 1.0, 2.0], 20000)
    errors = rng.standard_normal(years.size) * np.sqrt(0.15**2 + (0.3 * years) ** 2)
    assert estimate_drift(errors, years, 0.15) == pytest.approx(0.3, abs=0.01)
    # Weighted by people: the large count's error counts, the small one's hardly.
    e = np.array([0.3 * 2.0, 3.0])
    assert estimate_drift(e, np.array([2.0, 2.0]), 0.0, weights=np.array([1e6, 1.0])) == (
        pytest.approx(0.3, rel=1e-4)
    )
    # Errors within the fit's own error: no drift.
    small = rng.standard_normal(years.size) * 0.1
    assert estimate_drift(small, years, 0.15) == 0.0
    with pytest.raises(ValueError, match="no forecast error after the origin"):
        estimate_drift(np.array([0.1]), np.array([0.0]), 0.15)


def test_drift_leaves_out_each_error_s_own_measurement_error():
    # A minor host's stock carries a wider measurement error (0.6) than a main host's (0.15):
    # subtracting each error's own base recovers the drift; one base for all inflates it.
    rng = np.random.default_rng(6)
    years = np.repeat([0.5, 1.0, 2.0], 20000)
    base = np.where(np.arange(years.size) % 2 == 0, 0.15, 0.6)
    errors = rng.standard_normal(years.size) * np.sqrt(base**2 + (0.3 * years) ** 2)
    assert estimate_drift(errors, years, base) == pytest.approx(0.3, abs=0.01)
    assert estimate_drift(errors, years, 0.15) > 0.35


def test_the_drift_comes_from_the_option_then_the_backtest_file(tmp_path):
    (tmp_path / "calibration.json").write_text(
        json.dumps({"until": "2018-12-31", "error_model": {"stock_log_sd": 0.2}})
    )
    assert load_forecast_error(tmp_path).drift_log_sd_per_year == 0.0
    assert load_forecast_error(tmp_path).drift_source == "none"
    (tmp_path / DRIFT_FILE).write_text(
        json.dumps({"drift_log_sd_per_year": 0.25, "drift_total_log_sd_per_year": 0.05})
    )
    error = load_forecast_error(tmp_path)
    assert (error.drift_log_sd_per_year, error.stock_log_sd) == (0.25, 0.2)
    assert error.drift_total_log_sd_per_year == 0.05
    assert error.until == dt.date(2018, 12, 31)
    assert error.drift_source == str(tmp_path / DRIFT_FILE)
    assert load_forecast_error(tmp_path, 0.1).drift_log_sd_per_year == 0.1
    assert load_forecast_error(tmp_path, 0.1).drift_source == "option"
    with pytest.raises(ValueError, match="must be a number >= 0"):
        load_forecast_error(tmp_path, -1.0)
    # A flow's volatility: none in an older file (flows drift as stocks), then the file's, and
    # the option over both.
    assert error.flow_drift_log_sd_per_year is None
    (tmp_path / DRIFT_FILE).write_text(
        json.dumps({"drift_log_sd_per_year": 0.25, "drift_flow_log_sd_per_year": 0.9})
    )
    from_file = load_forecast_error(tmp_path)
    assert from_file.flow_drift_log_sd_per_year == 0.9
    assert from_file.flow_drift_source == str(tmp_path / DRIFT_FILE)
    given = load_forecast_error(tmp_path, flow_drift=0.5)
    assert (given.flow_drift_log_sd_per_year, given.flow_drift_source) == (0.5, "option")
    # --drift alone sets the stocks' drift; the flows keep the file's own.
    stocks_only = load_forecast_error(tmp_path, 0.1)
    assert stocks_only.flow_drift_log_sd_per_year == 0.9 and stocks_only.drift_source == "option"
    with pytest.raises(ValueError, match="must be a number >= 0"):
        load_forecast_error(tmp_path, flow_drift=-0.5)


def test_predictive_bands_cover_people_and_not_money():
    members = pd.DataFrame(
        {
            "member": [0, 1, 0, 1],
            "date": pd.to_datetime(["2021-01-31"] * 4),
            "country": ["COL", "COL", "ALL", "ALL"],
            "metric": ["migrant_stock", "migrant_stock", "revenue_smuggling", "revenue_smuggling"],
            "value": [1000.0, 1200.0, 5.0, 6.0],
        }
    )
    error = ForecastError(0.15, 5.0, 0.0, dt.date(2020, 12, 31))
    bands = predictive_bands(members, error, floor=1.0)
    assert list(bands["metric"]) == ["migrant_stock"]
    row = bands.iloc[0]
    assert row["p05"] < 1000.0 < 1200.0 < row["p95"]
    assert row["p05"] < row["p25"] < row["p50"] < row["p75"] < row["p95"]


def test_the_shipped_flow_drift_is_the_volatility_of_the_shipped_flows():
    """venezuela's forecast_drift.json holds what flow_volatility gives on its own targets up to
    the backtest's horizon: the three yearly changes of the Darién series, 2017-2020."""
    import trocha
    from trocha.experiments.targets import calibration_targets

    scenario = trocha.load_scenario("venezuela")
    stored = json.loads((scenario.folder / DRIFT_FILE).read_text())
    horizon = dt.date.fromisoformat(stored["horizon"])
    d, changes = flow_volatility(calibration_targets(scenario, horizon), horizon)
    assert stored["drift_flow_log_sd_per_year"] == pytest.approx(d, rel=1e-12)
    assert [c["log_change"] for c in stored["flow_changes"]] == pytest.approx(
        [math.log(9222 / 6780), math.log(22102 / 9222), math.log(6465 / 22102)]
    )
    assert [c["log_change"] for c in changes] == pytest.approx(
        [c["log_change"] for c in stored["flow_changes"]]
    )
