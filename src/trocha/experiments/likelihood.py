"""Log-likelihood of observed targets given simulated values, one rule per kind of target.

- Levels (stocks): lognormal, log(observed) ~ N(log(simulated), sd), with sd the measurement and
  model error on the log scale (`stock_log_sd`, an assumption: official stock estimates of the
  same year differ by 10-20%, e.g. R4V vs UNHCR). A lower bound (an observation that counts only
  part of the people) contributes log P(observed <= true), the censored form of the same model;
  an upper bound log P(observed >= true). Flows are censored the same way.
- Flows (crossings, encounters in a period): negative binomial with mean = simulated and
  dispersion `flow_dispersion` (variance = mean + mean^2 / dispersion), the usual model for
  over-dispersed counts.
- Intervals (prices with a low and a high): 0 inside [low, high]; outside, a lognormal penalty on
  the distance to the nearer end with the same log-scale sd.
Counts are compared above the model's resolution: a run with one agent per `scale` people cannot
resolve fewer than about half an agent, so simulated and observed counts of people are floored at
`floor` = scale / 2 (at least one person): a host with 70 observed Venezuelans and no agent at
scale 1000 is not a miss, and a flow the model misses entirely costs what half an agent would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .targets import FLOW, INTERVAL, Target


@dataclass(frozen=True)
class ErrorModel:
    """How far a simulated value may be from an observation (see the module docstring)."""

    stock_log_sd: float = 0.15
    flow_dispersion: float = 5.0
    interval_log_sd: float = 0.3


def count_floor(scale: float) -> float:
    """Half an agent, in people: the smallest count a run at `scale` resolves."""
    return max(1.0, 0.5 * float(scale))


def target_log_likelihoods(
    targets: list[Target],
    simulated: np.ndarray,
    errors: ErrorModel | None = None,
    floor: float = 1.0,
) -> np.ndarray:
    """One log-likelihood per target; -inf where the model gives no value (NaN). Counts of
    people (levels, flows) are floored at `floor` (see the module docstring); prices are not."""
    errors = errors or ErrorModel()
    simulated = np.asarray(simulated, dtype=np.float64)
    out = np.empty(len(targets))
    for i, target in enumerate(targets):
        sim = simulated[i]
        if not np.isfinite(sim):
            out[i] = -np.inf
            continue
        sim = max(sim, 1e-9) if target.kind == INTERVAL else max(sim, floor)
        if target.kind == FLOW:
            mu, r = sim, errors.flow_dispersion
            p = r / (r + mu)
            if target.lower_bound:  # observed <= true count: P(N >= observed)
                out[i] = stats.nbinom.logsf(round(target.value) - 1, r, p)
            elif target.upper_bound:  # observed >= true count: P(N <= observed)
                out[i] = stats.nbinom.logcdf(round(target.value), r, p)
            else:
                out[i] = stats.nbinom.logpmf(round(target.value), r, p)
        elif target.kind == INTERVAL:
            low, high = max(target.value, 1e-9), max(target.value_high or target.value, 1e-9)
            if low <= sim <= high:
                out[i] = 0.0
            else:
                edge = low if sim < low else high
                z = np.log(sim / edge) / errors.interval_log_sd
                out[i] = -0.5 * z * z
        else:
            z = (np.log(sim) - np.log(max(target.value, floor))) / errors.stock_log_sd
            if target.lower_bound:
                out[i] = stats.norm.logcdf(z)  # observed <= true: fine when sim >= observed
            elif target.upper_bound:
                out[i] = stats.norm.logcdf(-z)  # observed >= true: fine when sim <= observed
            else:
                out[i] = stats.norm.logpdf(z) - np.log(errors.stock_log_sd)
    return out


def crps_ensemble(observed: float, ensemble: np.ndarray) -> float:
    """Continuous ranked probability score of an ensemble forecast (lower is better; in the
    observation's unit): E|X - y| - E|X - X'| / 2 (Gneiting & Raftery 2007)."""
    x = np.sort(np.asarray(ensemble, dtype=np.float64))
    n = len(x)
    if n == 0:
        return float("nan")
    first = np.abs(x - observed).mean()
    # E|X - X'| from the sorted sample in O(n): sum over i of (2i - n - 1) x_i, times 2 / n^2.
    i = np.arange(1, n + 1)
    second = 2.0 * ((2 * i - n - 1) * x).sum() / (n * n)
    return float(first - 0.5 * second)
