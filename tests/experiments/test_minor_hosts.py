"""The minor hosts' own measurement error: which hosts, its profile estimate, and its use by the
likelihood, the predictive draws, the forecast bands and calibrate."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trocha.experiments.forecast_error import ForecastError, load_forecast_error, predictive_bands
from trocha.experiments.likelihood import (
    ErrorModel,
    fitted_errors,
    minor_hosts,
    profile_minor_sd,
    target_log_likelihoods,
)
from trocha.experiments.predictive import predictive_draws
from trocha.experiments.targets import FLOW, LEVEL, Target

D = dt.date(2019, 12, 31)


def _stock(country: str, value: float, row: int = 2, kind: str = LEVEL, **extra) -> Target:
    return Target(
        row=row, date=D, country=country, metric="migrant_stock", value=value, kind=kind, **extra
    )


def test_minor_hosts_are_those_whose_every_figure_is_below_the_threshold():
    targets = [
        _stock("COL", 90_000.0),
        _stock("COL", 1_200_000.0),  # one large figure makes a main host
        _stock("GUY", 36_400.0),
        _stock("GUY", 22_000.0),
        _stock("ALL", 50_000.0),  # the total is never a host
        _stock("MEX", 400_000.0, kind=FLOW, start_date=dt.date(2019, 1, 1)),  # a flow: not a stock
    ]
    assert minor_hosts(targets, 150_000.0) == ("GUY",)
    model = ErrorModel().with_minor_hosts(targets)
    assert model.minor_hosts == ("GUY",) and model.estimates_minor_sd
    # Named hosts are kept; a threshold of 0 names none.
    assert ErrorModel(minor_hosts=("ABW",)).with_minor_hosts(targets).minor_hosts == ("ABW",)
    assert ErrorModel(minor_host_people=0.0).with_minor_hosts(targets).minor_hosts == ()


def test_a_minor_host_is_scored_with_its_own_sd_and_a_main_host_is_not():
    errors = ErrorModel(stock_log_sd=0.2, minor_hosts=("GUY",), minor_stock_log_sd=0.6)
    simulated = np.array([1000.0 * np.exp(0.3)] * 2)
    guy, col = target_log_likelihoods(
        [_stock("GUY", 1000.0), _stock("COL", 1000.0)], simulated, errors
    )
    assert guy == pytest.approx(stats.norm.logpdf(0.5) - np.log(0.6))
    assert col == pytest.approx(stats.norm.logpdf(1.5) - np.log(0.2))
    # Unset (to be estimated), the minor host is scored with the main sd.
    unset = ErrorModel(stock_log_sd=0.2, minor_hosts=("GUY",))
    assert target_log_likelihoods([_stock("GUY", 1000.0)], simulated[:1], unset)[
        0
    ] == pytest.approx(col)


def test_the_profile_recovers_a_known_measurement_error():
    rng = np.random.default_rng(5)
    n = 400
    targets = [_stock("GUY", 10_000.0, row=i) for i in range(n)] + [_stock("COL", 1e6, row=n)]
    simulated = np.append(10_000.0 * np.exp(rng.normal(0.0, 0.6, n)), 5e6)
    # Independent synthetic errors, scored as independent (they share a date and a series).
    errors = ErrorModel(stock_log_sd=0.15, level_correlation=0.0).with_minor_hosts(targets)
    assert errors.minor_hosts == ("GUY",)
    # The main host's misfit (a factor of 5) does not enter the minor hosts' sd.
    assert profile_minor_sd(targets, simulated, errors) == pytest.approx(0.6, abs=0.05)
    # A close fit gives the main hosts' sd, never less.
    close = np.append(np.full(n, 10_000.0), 1e6)
    assert profile_minor_sd(targets, close, errors) == pytest.approx(0.15)
    fitted = fitted_errors(targets, simulated, errors)
    assert fitted.minor_stock_log_sd == pytest.approx(0.6, abs=0.05)
    # A fixed sd stays as given.
    fixed = ErrorModel(minor_hosts=("GUY",), minor_stock_log_sd=0.3)
    assert fitted_errors(targets, simulated, fixed) is fixed


def test_the_profile_never_lowers_the_likelihood_of_the_scored_point():
    rng = np.random.default_rng(6)
    targets = [_stock("GUY", 20_000.0, row=i) for i in range(30)]
    simulated = 20_000.0 * np.exp(rng.normal(0.0, 1.0, 30))
    errors = ErrorModel().with_minor_hosts(targets)
    at_default = target_log_likelihoods(targets, simulated, errors).sum()
    at_profile = target_log_likelihoods(
        targets, simulated, fitted_errors(targets, simulated, errors)
    ).sum()
    assert at_profile > at_default + 10.0


def test_predictive_draws_of_a_minor_host_use_its_sd():
    errors = ErrorModel(stock_log_sd=0.15, minor_hosts=("GUY",), minor_stock_log_sd=0.6)
    rng = np.random.default_rng(7)
    guy = np.log(predictive_draws(_stock("GUY", 1.0), np.full(50, 2000.0), errors, 1.0, rng))
    col = np.log(predictive_draws(_stock("COL", 1.0), np.full(50, 2000.0), errors, 1.0, rng))
    assert guy.std() == pytest.approx(0.6, rel=0.05)
    assert col.std() == pytest.approx(0.15, rel=0.05)


def test_forecast_bands_of_a_minor_host_are_wider(tmp_path):
    errors = {"stock_log_sd": 0.15, "minor_hosts": ["GUY"], "minor_stock_log_sd": 0.6}
    (tmp_path / "calibration.json").write_text(
        json.dumps({"until": "2020-12-31", "error_model": errors})
    )
    error = load_forecast_error(tmp_path)
    assert error.minor_hosts == ("GUY",) and error.minor_stock_log_sd == 0.6
    members = pd.DataFrame(
        {
            "member": [0, 0],
            "date": pd.to_datetime(["2020-12-31"] * 2),
            "country": ["COL", "GUY"],
            "metric": ["migrant_stock"] * 2,
            "value": [1000.0, 1000.0],
        }
    )
    bands = predictive_bands(members, error, floor=1.0).set_index("country")
    for country, sd in (("COL", 0.15), ("GUY", 0.6)):
        assert bands.loc[country, "p95"] == pytest.approx(1000.0 * np.exp(1.6449 * sd), rel=1e-3)
    # Without minor hosts (an older calibration.json), every host has the main sd.
    assert ForecastError(0.15, 5.0, 0.0, None).log_sd(
        np.array([False]), np.array(["2020-12-31"], dtype="datetime64[ns]"), None, ["GUY"]
    )[0] == pytest.approx(0.15)


def test_the_profile_is_the_best_sd_on_the_grid_of_the_likelihood_itself():
    # Bounds, the resolution floor and the seeds' sampling variance included: the profile picks
    # the grid's sd at which target_log_likelihoods scores the minor hosts highest.
    from trocha.experiments.likelihood import MINOR_SD_GRID, MINOR_SD_MAX

    rng = np.random.default_rng(8)
    targets = [_stock("GUY", float(v), row=i) for i, v in enumerate(rng.uniform(200, 5e4, 20))]
    targets += [
        _stock("GUY", 3e4, row=20, lower_bound=True),
        _stock("GUY", 3e4, row=21, upper_bound=True),
    ]
    simulated = np.array([t.value for t in targets]) * np.exp(rng.normal(0.0, 0.5, 22))
    errors = ErrorModel().with_minor_hosts(targets)
    grid = np.geomspace(errors.stock_log_sd, MINOR_SD_MAX, MINOR_SD_GRID)
    totals = [
        target_log_likelihoods(
            targets, simulated, ErrorModel(minor_hosts=("GUY",), minor_stock_log_sd=sd), 500.0,
            1000.0, 2,
        ).sum()
        for sd in grid
    ]  # fmt: skip
    chosen = profile_minor_sd(targets, simulated, errors, 500.0, 1000.0, 2)
    assert chosen == pytest.approx(grid[int(np.argmax(totals))])
    # The errors were drawn independently (sd 0.5): scored as independent, the profile finds
    # about that; scored as one correlated series on one date, a larger sd explains them.
    independent = replace(errors, level_correlation=0.0)
    assert 0.3 < profile_minor_sd(targets, simulated, independent, 500.0, 1000.0, 2) < 0.8
    assert chosen > 0.8
