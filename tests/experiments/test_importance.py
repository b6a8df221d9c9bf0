"""Importance-sampled posterior draws: known posteriors recovered, densities normalised."""

from __future__ import annotations

import numpy as np
import pytest

from trocha.experiments.importance import (
    fit_proposal,
    importance_weights,
    log_prior,
    parameter_values,
    search_coordinates,
)
from trocha.experiments.priors import Prior

PRIORS = [Prior("a", 0.0, 10.0), Prior("rate", 0.001, 0.1, log=True)]


def _log_likelihood(point: dict[str, float]) -> float:
    """A known posterior: a ~ N(3, 0.5), log(rate) ~ N(log 0.01, 0.3) (the priors are flat)."""
    return -0.5 * ((point["a"] - 3.0) / 0.5) ** 2 - 0.5 * (
        (np.log(point["rate"]) - np.log(0.01)) / 0.3
    ) ** 2


def _search(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A crude search: prior draws and their losses, as TPE's trials would be."""
    rng = np.random.default_rng(seed)
    points = np.column_stack([rng.uniform(0, 10, n), rng.uniform(np.log(0.001), np.log(0.1), n)])
    losses = np.array([-_log_likelihood(parameter_values(PRIORS, s)) for s in points])
    return points, losses


def test_weighted_draws_recover_a_known_posterior():
    points, losses = _search(60, seed=1)
    proposal = fit_proposal(PRIORS, points, losses, seed=0)
    draws = [proposal.draw(PRIORS, 0, i) for i in range(3000)]
    ll = [_log_likelihood(parameter_values(PRIORS, s)) for s in draws]
    lp = [log_prior(PRIORS, s) for s in draws]
    lq = [proposal.log_density(PRIORS, s) for s in draws]
    w = importance_weights(ll, lp, lq)
    s = np.array(draws)
    mean = (w[:, None] * s).sum(axis=0)
    sd = np.sqrt((w[:, None] * (s - mean) ** 2).sum(axis=0))
    assert mean[0] == pytest.approx(3.0, abs=0.06)
    assert sd[0] == pytest.approx(0.5, rel=0.1)
    assert mean[1] == pytest.approx(np.log(0.01), abs=0.04)
    assert sd[1] == pytest.approx(0.3, rel=0.1)
    assert 1.0 / (w**2).sum() > 300  # a useful sample, not one dominant draw


def test_draws_are_fixed_by_their_number_and_stay_in_the_prior():
    points, losses = _search(30, seed=2)
    proposal = fit_proposal(PRIORS, points, losses, seed=5)
    first = [proposal.draw(PRIORS, 5, i) for i in range(50)]
    again = [proposal.draw(PRIORS, 5, i) for i in range(80)][:50]
    np.testing.assert_array_equal(first, again)
    for s in first:
        values = parameter_values(PRIORS, s)
        assert 0 <= values["a"] <= 10 and 0.001 <= values["rate"] <= 0.1
        np.testing.assert_allclose(search_coordinates(PRIORS, values), s, atol=1e-12)


def test_proposal_and_prior_densities_integrate_to_one():
    priors = [Prior("z", -3.5, 3.5, normal=True)]
    points = np.array([[0.4], [0.5], [0.7], [0.2], [0.6], [2.0]])
    proposal = fit_proposal(priors, points, np.arange(6.0), seed=0)
    grid = np.linspace(-3.5, 3.5, 20001)
    step = grid[1] - grid[0]
    q = np.exp([proposal.log_density(priors, np.array([x])) for x in grid])
    p = np.exp([log_prior(priors, np.array([x])) for x in grid])
    assert q.sum() * step == pytest.approx(1.0, abs=0.01)
    assert p.sum() * step == pytest.approx(1.0, abs=1e-3)
    assert log_prior(priors, np.array([3.6])) == -np.inf


def test_weights_ignore_failed_runs():
    w = importance_weights([0.0, -np.inf, -1.0], [0.0, 0.0, 0.0], [0.0, 0.0, np.nan])
    assert w.tolist() == [1.0, 0.0, 0.0]
