"""Importance-sampled posterior draws: known posteriors recovered, densities normalised."""

from __future__ import annotations

import numpy as np
import pytest

from trocha.experiments.importance import (
    adapt_proposal,
    fit_proposal,
    importance_weights,
    log_prior,
    mixture_log_density,
    parameter_values,
    search_coordinates,
)
from trocha.experiments.priors import Prior

PRIORS = [Prior("a", 0.0, 10.0), Prior("rate", 0.001, 0.1, log=True)]


def _log_likelihood(point: dict[str, float]) -> float:
    """A known posterior: a ~ N(3, 0.5), log(rate) ~ N(log 0.01, 0.3) (the priors are flat)."""
    return (
        -0.5 * ((point["a"] - 3.0) / 0.5) ** 2
        - 0.5 * ((np.log(point["rate"]) - np.log(0.01)) / 0.3) ** 2
    )


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


def _narrow_log_likelihood(s: np.ndarray) -> float:
    """A posterior far narrower than the search's spread: a ~ N(3, 0.05), log rate ~
    N(log 0.01, 0.03), as with some ninety targets."""
    return -0.5 * ((s[0] - 3.0) / 0.05) ** 2 - 0.5 * ((s[1] - np.log(0.01)) / 0.03) ** 2


def test_adaptive_rounds_turn_one_dominant_draw_into_a_sample():
    points, _ = _search(60, seed=1)
    losses = np.array([-_narrow_log_likelihood(s) for s in points])
    first = fit_proposal(PRIORS, points, losses, seed=0)
    n, rounds = 100, 4

    def weights(proposals, draws_by_round):
        draws = [s for batch in draws_by_round for s in batch]
        counts = [len(batch) for batch in draws_by_round]
        ll = [_narrow_log_likelihood(s) for s in draws]
        lp = [log_prior(PRIORS, s) for s in draws]
        lq = [mixture_log_density(PRIORS, proposals, counts, s) for s in draws]
        return np.array(draws), importance_weights(ll, lp, lq)

    # One proposal for every draw: the wide search spread leaves about one effective draw.
    single = [[first.draw(PRIORS, 0, i) for i in range(n * rounds)]]
    _, w_single = weights([first], single)
    # Adaptive rounds: re-centred on the best draw, rescaled by the drop below it.
    proposals, by_round = [first], [[first.draw(PRIORS, 0, i) for i in range(n)]]
    for r in range(1, rounds):
        seen = np.array([s for batch in by_round for s in batch])
        lpost = np.array([_narrow_log_likelihood(s) for s in seen])
        last = np.array(by_round[-1])
        proposals.append(
            adapt_proposal(
                PRIORS,
                proposals[-1],
                seen[np.argmax(lpost)],
                lpost.max(),
                np.array([_narrow_log_likelihood(s) for s in last]),
                seed=r,
            )
        )
        by_round.append([proposals[-1].draw(PRIORS, 0, r * n + i) for i in range(n)])
    s, w = weights(proposals, by_round)
    ess, ess_single = 1.0 / (w**2).sum(), 1.0 / (w_single**2).sum()
    assert ess > 30 and ess > 5 * ess_single
    mean = (w[:, None] * s).sum(axis=0)
    sd = np.sqrt((w[:, None] * (s - mean) ** 2).sum(axis=0))
    assert mean[0] == pytest.approx(3.0, abs=0.02)
    assert mean[1] == pytest.approx(np.log(0.01), abs=0.015)
    assert sd[0] == pytest.approx(0.05, rel=0.3)
    assert sd[1] == pytest.approx(0.03, rel=0.3)
    # The adapted Gaussian shrank towards the posterior's width (d / 2 rule).
    assert np.sqrt(proposals[-1].cov[0, 0]) < 0.5 * np.sqrt(first.cov[0, 0])
