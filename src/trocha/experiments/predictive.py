"""Posterior predictive draws of an observation: what the data would show if the model were right.

An ensemble of runs (posterior draws x seeds) spreads only over the parameters and the model's
randomness. An observation also carries the measurement and model error that the calibration's
likelihood allows for (likelihood.py `ErrorModel`), so a band meant to cover observations must add
it: each simulated value is turned into draws of what would be observed, by the same rule the
likelihood scores it with:
- levels (stocks): observed = simulated x exp(N(0, stock_log_sd)), a minor host's with its own sd;
- flows: negative binomial with mean = simulated and dispersion `flow_dispersion`;
- intervals (prices): simulated x exp(N(0, interval_log_sd));
- shares: the logistic of logit(simulated) + N(0, share_logit_sd).
Counts of people are floored at the run's resolution (`likelihood.count_floor`, half an agent)
in both the draws and the observation, as the likelihood does: a run at scale 1,000 cannot tell
70 people from none.
"""

from __future__ import annotations

import numpy as np

from .likelihood import ErrorModel, logit
from .targets import FLOW, INTERVAL, SHARE, Target

DRAWS_PER_MEMBER = 200


def predictive_draws(
    target: Target,
    simulated: np.ndarray,
    errors: ErrorModel,
    floor: float,
    rng: np.random.Generator,
    per_member: int = DRAWS_PER_MEMBER,
) -> np.ndarray:
    """`per_member` draws of the observation for each finite simulated value (flattened)."""
    sims = np.asarray(simulated, dtype=np.float64)
    sims = sims[np.isfinite(sims)]
    if sims.size == 0:
        return sims
    if target.kind == SHARE:
        noise = rng.standard_normal((sims.size, per_member))
        shifted = logit(sims)[:, None] + errors.share_logit_sd * noise
        return (1.0 / (1.0 + np.exp(-shifted))).ravel()
    if target.kind == INTERVAL:
        base = np.maximum(sims, 1e-9)[:, None]
        noise = rng.standard_normal((sims.size, per_member))
        return (base * np.exp(errors.interval_log_sd * noise)).ravel()
    mean = np.maximum(sims, floor)[:, None]
    if target.kind == FLOW:
        r = errors.flow_dispersion
        counts = rng.negative_binomial(r, r / (r + mean), size=(sims.size, per_member))
        return np.maximum(counts.astype(np.float64), floor).ravel()
    noise = rng.standard_normal((sims.size, per_member))
    return (mean * np.exp(errors.level_sd(target) * noise)).ravel()


def observed_at_resolution(target: Target, floor: float) -> float:
    """The observation as the likelihood compares it (counts of people floored at `floor`)."""
    return target.value if target.kind in (INTERVAL, SHARE) else max(target.value, floor)
