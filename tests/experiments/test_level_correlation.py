"""Levels of one series are scored jointly, with errors correlated in time (likelihood.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from trocha.experiments.likelihood import ErrorModel, target_log_likelihoods
from trocha.experiments.targets import LEVEL, Target

DATES = (dt.date(2018, 12, 31), dt.date(2019, 12, 31), dt.date(2020, 11, 5), dt.date(2020, 12, 31))


def _stock(country: str, date: dt.date, value: float = 1000.0, row: int = 2, **extra) -> Target:
    return Target(
        row=row, date=date, country=country, metric="migrant_stock", value=value, kind=LEVEL,
        **extra,
    )  # fmt: skip


def _years(dates) -> np.ndarray:
    return np.array([d.toordinal() / 365.25 for d in dates])


def test_a_series_is_scored_as_one_multivariate_normal_split_by_the_chain_rule():
    errors = ErrorModel(stock_log_sd=0.2, level_correlation=0.8, level_correlation_years=1.0)
    targets = [_stock("COL", d, row=i) for i, d in enumerate(DATES)]
    log_ratio = np.array([0.1, -0.05, 0.3, 0.25])
    per_target = target_log_likelihoods(targets, 1000.0 * np.exp(log_ratio), errors)
    gap = np.abs(np.subtract.outer(_years(DATES), _years(DATES)))
    cov = 0.2**2 * np.where(gap == 0, 1.0, 0.8 * np.exp(-gap / 1.0))
    joint = stats.multivariate_normal(np.zeros(4), cov).logpdf(log_ratio)
    assert per_target.sum() == pytest.approx(joint, rel=1e-10)
    # The first figure's share is its own marginal density; the later ones are conditional.
    assert per_target[0] == pytest.approx(stats.norm.logpdf(0.1, scale=0.2))
    marginal = stats.norm.logpdf(0.3, scale=0.2)
    assert per_target[2] != pytest.approx(marginal)


def test_the_order_of_the_rows_does_not_change_a_figures_share():
    errors = ErrorModel()
    targets = [_stock("PER", d, row=i) for i, d in enumerate(DATES)]
    simulated = np.array([1100.0, 950.0, 1300.0, 1250.0])
    order = [2, 0, 3, 1]
    forward = target_log_likelihoods(targets, simulated, errors)
    shuffled = target_log_likelihoods([targets[i] for i in order], simulated[order], errors)
    assert np.allclose(shuffled, forward[order])


def test_without_correlation_levels_are_independent_lognormals():
    errors = ErrorModel(stock_log_sd=0.15, level_correlation=0.0)
    targets = [_stock("ECU", d, row=i) for i, d in enumerate(DATES)]
    log_ratio = np.array([0.2, 0.1, -0.1, 0.0])
    got = target_log_likelihoods(targets, 1000.0 * np.exp(log_ratio), errors)
    assert np.allclose(got, stats.norm.logpdf(log_ratio, scale=0.15))
    # A time scale of 0 years means the same.
    no_time = ErrorModel(stock_log_sd=0.15, level_correlation_years=0.0)
    assert np.allclose(target_log_likelihoods(targets, 1000.0 * np.exp(log_ratio), no_time), got)


def test_series_do_not_interact_and_bounds_stay_independent():
    errors = ErrorModel(stock_log_sd=0.2)
    col = [_stock("COL", d, row=i) for i, d in enumerate(DATES)]
    per = [_stock("PER", d, row=10 + i) for i, d in enumerate(DATES)]
    bound = _stock("COL", dt.date(2020, 6, 30), row=20, lower_bound=True)
    simulated = 1000.0 * np.exp(np.array([0.1, 0.2, 0.3, 0.2, -0.1, 0.0, 0.4, 0.1, 0.5]))
    together = target_log_likelihoods(col + per + [bound], simulated, errors)
    alone_col = target_log_likelihoods(col, simulated[:4], errors)
    alone_per = target_log_likelihoods(per, simulated[4:8], errors)
    alone_bound = target_log_likelihoods([bound], simulated[8:], errors)
    assert np.allclose(together, np.concatenate([alone_col, alone_per, alone_bound]))
    # The censored figure scores as it would with no other figure: log P(observed <= true).
    assert alone_bound[0] == pytest.approx(stats.norm.logcdf(0.5 / 0.2))


def test_a_persistent_miss_weighs_less_than_as_many_independent_ones():
    targets = [_stock("CHL", d, row=i) for i, d in enumerate(DATES)]
    exact, missed = np.full(4, 1000.0), np.full(4, 1000.0 * np.exp(0.3))

    def cost(errors):
        return (
            target_log_likelihoods(targets, exact, errors).sum()
            - target_log_likelihoods(targets, missed, errors).sum()
        )

    independent = cost(ErrorModel(level_correlation=0.0))
    correlated = cost(ErrorModel())
    assert independent == pytest.approx(4 * 0.5 * (0.3 / 0.15) ** 2)
    # Four figures that all miss by 30% cost about what two independent misses would.
    assert 0.2 * independent < correlated < 0.6 * independent


def test_the_seeds_sampling_variance_keeps_figures_of_one_date_apart():
    # Two sources for the same date share the persistent error; with no sampling variance and
    # a correlation of 1 their covariance would be singular. The independent part keeps it
    # positive definite and the score finite.
    targets = [_stock("ALL", DATES[0], 695_000.0, row=1), _stock("ALL", DATES[0], 700_000.0, row=2)]
    got = target_log_likelihoods(targets, np.array([7e5, 7e5]), ErrorModel(), 500.0, 1000.0, 2)
    assert np.isfinite(got).all()
    nearly_one = ErrorModel(level_correlation=0.999)
    assert np.isfinite(target_log_likelihoods(targets, np.array([7e5, 7e5]), nearly_one)).all()
