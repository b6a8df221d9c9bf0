"""A smooth log-likelihood for the importance weights: a Gaussian-process fit over the draws.

Each point's log-likelihood comes from a few seeded runs, so it carries the seeds' luck: near the
best point of the venezuela calibration it moves by several units between seed sets, and
importance weights exp(log-likelihood) turn that noise into one dominant draw (ESS 1-2) even
where the parameters fit equally well. The likelihood the posterior needs is the expectation over
seeds, a smooth function of the parameters. A Gaussian process fitted to every evaluated point
near the best (search trials and draws), with the seeds' noise as its nugget, estimates that
function (GP emulation of a noisy simulator's log-likelihood: Wilkinson 2014, "Accelerating ABC
methods using Gaussian processes"; Järvenpää et al. 2019, "Efficient acquisition rules for
model-based approximate Bayesian computation"). Its mean at each draw replaces the raw value in
the weights; points far below the best keep their raw value (their weight is nil either way).

The nugget is the measured variance of a log-likelihood between independent seed sets (the
best points re-run on fresh seeds before the posterior rounds and at the confirmation:
calibration.py) when there is one;
otherwise the GP estimates it by maximum likelihood, which with few points in many dimensions
tends to interpolate the noise (the fit then reports a small `noise_sd` and changes little).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MIN_POINTS_PER_DIMENSION = 2  # fewer points near the best than 2 d + 2: no fit, raw values
WINDOW_BASE = 20.0  # log-likelihood units below the best that the fit covers: 20 + 2 d
WINDOW_PER_DIMENSION = 2.0


@dataclass(frozen=True)
class Smoothed:
    log_likelihood: np.ndarray  # the GP mean inside the window, the raw value outside
    fitted: bool  # False: too few points near the best, values are the raw ones
    noise_sd: float  # the seeds' noise in log-likelihood units (given, or the GP's estimate)
    points_used: int


def smooth_log_likelihood(
    coordinates: np.ndarray,
    log_likelihood: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    seed: int,
    noise_sd: float | None = None,
) -> Smoothed:
    """The seeds' expectation of the log-likelihood at each row of `coordinates` (search
    coordinates, scaled to the prior box [low, high] for the fit); `noise_sd`: the measured
    standard deviation of one point's log-likelihood between seed sets, if known."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    y = np.asarray(log_likelihood, dtype=np.float64)
    x = (np.asarray(coordinates, dtype=np.float64) - low) / np.where(high > low, high - low, 1.0)
    out = y.copy()
    finite = np.isfinite(y)
    d = x.shape[1]
    if not finite.any():
        return Smoothed(out, False, float("nan"), 0)
    window = WINDOW_BASE + WINDOW_PER_DIMENSION * d
    near = finite & (y >= y[finite].max() - window)
    if near.sum() < MIN_POINTS_PER_DIMENSION * d + 2:
        return Smoothed(out, False, float("nan"), int(near.sum()))
    scale = float(np.std(y[near])) or 1.0  # normalize_y works in units of this
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.3), (1e-2, 1e2))
    estimate_noise = noise_sd is None or not np.isfinite(noise_sd)
    if estimate_noise:
        kernel = kernel + WhiteKernel(0.1, (1e-6, 1.0))
        alpha = 1e-10
    else:
        alpha = max(float(noise_sd) / scale, 1e-5) ** 2
    gp = GaussianProcessRegressor(
        kernel, alpha=alpha, normalize_y=True, n_restarts_optimizer=3, random_state=seed
    )
    with warnings.catch_warnings():
        # A length scale at its bound means that parameter hardly matters: a finding, not a fault.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x[near], y[near])
    out[near] = gp.predict(x[near])
    if estimate_noise:
        noise_sd = float(np.sqrt(gp.kernel_.k2.noise_level)) * scale
    return Smoothed(out, True, float(noise_sd), int(near.sum()))
