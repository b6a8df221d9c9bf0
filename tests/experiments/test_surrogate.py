"""The smoothed log-likelihood: seed noise averaged out of the weights, the posterior kept."""

from __future__ import annotations

import numpy as np
import pytest

from trocha.experiments.calibration import replicate_log_likelihoods, seed_noise
from trocha.experiments.importance import importance_weights
from trocha.experiments.surrogate import smooth_log_likelihood

D = 4
MEAN = np.full(D, 0.5)
SD = np.full(D, 0.05)


def _true_log_likelihood(x: np.ndarray) -> np.ndarray:
    return -0.5 * (((x - MEAN) / SD) ** 2).sum(axis=1)


def _weighted_moments(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = (w[:, None] * x).sum(axis=0)
    return mean, np.sqrt((w[:, None] * (x - mean) ** 2).sum(axis=0))


def _draws(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Draws from a Gaussian proposal 1.5 times wider than the posterior, slightly off-centre,
    and their log proposal density."""
    rng = np.random.default_rng(seed)
    centre, width = MEAN + 0.02, 1.5 * SD
    x = centre + rng.normal(size=(n, D)) * width
    return x, -0.5 * (((x - centre) / width) ** 2).sum(axis=1)


@pytest.mark.parametrize("known_noise", [True, False])
def test_smoothing_recovers_the_posterior_that_seed_noise_hides(known_noise):
    """Log-likelihoods with noise of sd 4 (as two seeds give near the best venezuela point):
    raw weights collapse onto a few lucky draws; the smoothed ones give several times the
    effective sample and the posterior's mean and spread (over five sets of draws)."""
    gains, errors, spreads = [], [], []
    for seed in range(5):
        x, log_q = _draws(seed)
        rng = np.random.default_rng(100 + seed)
        noisy = _true_log_likelihood(x) + rng.normal(scale=4.0, size=len(x))
        smoothed = smooth_log_likelihood(
            x, noisy, np.zeros(D), np.ones(D), seed=0, noise_sd=4.0 if known_noise else None
        )
        assert smoothed.fitted and smoothed.points_used > 2 * D + 2
        raw = importance_weights(noisy, np.zeros(len(x)), log_q)
        smooth = importance_weights(smoothed.log_likelihood, np.zeros(len(x)), log_q)
        gains.append((1 / (smooth**2).sum()) / (1 / (raw**2).sum()))
        mean, sd = _weighted_moments(x, smooth)
        errors.append(np.abs(mean - MEAN).max() / SD[0])
        spreads.append(sd / SD)
        if not known_noise:  # the GP's own estimate of the noise
            assert smoothed.noise_sd == pytest.approx(4.0, rel=0.35)
    assert np.median(gains) > 3
    assert np.median(errors) < 0.5  # the mean within half a posterior sd
    assert 0.7 < np.median(spreads) < 1.4


def test_too_few_points_near_the_best_keep_the_raw_values():
    x = np.random.default_rng(1).uniform(size=(6, D))
    y = np.array([-1.0, -2.0, -3.0, -500.0, -600.0, -np.inf])
    out = smooth_log_likelihood(x, y, np.zeros(D), np.ones(D), seed=0)
    assert not out.fitted
    np.testing.assert_array_equal(out.log_likelihood, y)


def test_points_far_below_the_best_keep_their_raw_values():
    x, _ = _draws(7, n=120)
    y = _true_log_likelihood(x)
    y[:5] = -1e4
    out = smooth_log_likelihood(x, y, np.zeros(D), np.ones(D), seed=0, noise_sd=1.0)
    assert out.fitted and out.points_used <= 115
    np.testing.assert_array_equal(out.log_likelihood[:5], y[:5])


def test_seed_noise_pools_the_replicates_of_the_confirmed_points():
    confirmed = {
        "3": {"replicates": [-10.0, -12.0]},  # squares about the mean: 2
        "8": {"replicates": [-20.0, -23.0, -26.0]},  # 18
        "9": {"replicates": [-5.0]},  # one replicate: no information
    }
    sd, dof = seed_noise(confirmed.values())
    assert dof == 3 and sd == pytest.approx(np.sqrt(20 / 3))
    assert np.isnan(seed_noise([{"log_likelihood": -3.0}])[0])


def test_replicates_score_consecutive_seed_groups():
    per_seed = np.array([[1.0], [3.0], [5.0], [7.0], [9.0]])
    got = replicate_log_likelihoods(per_seed, 2, lambda mean, runs: -float(mean[0]) * runs)
    assert got == [-4.0, -12.0]  # seeds (1, 3) and (5, 7); the fifth seed is left over
