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
- Shares (the entries by air over all entries in a period): logit-normal, logit(observed) ~
  N(logit(simulated), `share_logit_sd`), both clipped to [SHARE_CLIP, 1 - SHARE_CLIP] (a share
  of 0 or 1 is a count too small to tell, not a certainty); an interval of shares scores as an
  interval does, on the logit scale.
Counts are compared above the model's resolution: a run with one agent per `scale` people cannot
resolve fewer than about half an agent, so simulated and observed counts of people are floored at
`floor` = scale / 2 (at least one person): a host with 70 observed Venezuelans and no agent at
scale 1000 is not a miss, and a flow the model misses entirely costs what half an agent would.

The simulated value is itself an estimate: the mean of `runs` seeds of a model with one agent per
`agent_people` people. Its sampling variance, about `resolution_overdispersion` x agent_people x
value / runs people^2 (a compound Poisson count of agents; the overdispersion measured over 8 seeds
of the calibrated scenario at scale 1,000 is 1.2-2.6, `docs/calibration.md`), is added to the
error's variance (synthetic likelihood, Wood 2010): on the log scale for levels, to the negative
binomial's variance for flows. Without it a host of ten agents scores +-30 log-likelihood units on
seed luck alone, the search rewards the seeds rather than the parameters, and the posterior
collapses onto one draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .targets import FLOW, INTERVAL, SHARE, Target

SHARE_CLIP = 0.005


def logit(share: float | np.ndarray) -> float | np.ndarray:
    """log(p / (1 - p)) of a share clipped to [SHARE_CLIP, 1 - SHARE_CLIP]."""
    p = np.clip(share, SHARE_CLIP, 1.0 - SHARE_CLIP)
    return np.log(p / (1.0 - p))


@dataclass(frozen=True)
class ErrorModel:
    """How far a simulated value may be from an observation (see the module docstring)."""

    stock_log_sd: float = 0.15
    flow_dispersion: float = 5.0
    interval_log_sd: float = 0.3
    share_logit_sd: float = 0.5
    resolution_overdispersion: float = 2.0

    def estimate_variance(self, value: float, agent_people: float, runs: int) -> float:
        """Sampling variance (people^2) of a count that is the mean of `runs` seeds of a model
        with one agent per `agent_people` people (0 when the model is not agent-resolved)."""
        if agent_people <= 0 or runs < 1:
            return 0.0
        return self.resolution_overdispersion * agent_people * value / runs


def count_floor(scale: float) -> float:
    """Half an agent, in people: the smallest count a run at `scale` resolves."""
    return max(1.0, 0.5 * float(scale))


def target_log_likelihoods(
    targets: list[Target],
    simulated: np.ndarray,
    errors: ErrorModel | None = None,
    floor: float = 1.0,
    agent_people: float = 0.0,
    runs: int = 1,
) -> np.ndarray:
    """One log-likelihood per target; -inf where the model gives no value (NaN). Counts of
    people (levels, flows) are floored at `floor` and carry the sampling variance of a mean of
    `runs` seeds at one agent per `agent_people` people (see the module docstring); prices do
    not."""
    errors = errors or ErrorModel()
    simulated = np.asarray(simulated, dtype=np.float64)
    out = np.empty(len(targets))
    for i, target in enumerate(targets):
        sim = simulated[i]
        if not np.isfinite(sim):
            out[i] = -np.inf
            continue
        if target.kind == SHARE:
            here, low = logit(sim), logit(target.value)
            sd = errors.share_logit_sd
            if target.value_high is None:
                out[i] = stats.norm.logpdf((here - low) / sd) - np.log(sd)
            else:
                high = logit(target.value_high)
                edge = min(max(here, low), high)
                out[i] = -0.5 * ((here - edge) / sd) ** 2
            continue
        sim = max(sim, 1e-9) if target.kind == INTERVAL else max(sim, floor)
        counted = target.kind != INTERVAL
        extra = errors.estimate_variance(sim, agent_people, runs) if counted else 0.0
        if target.kind == FLOW:
            # negative binomial with the variance mu + mu^2 / dispersion + the estimate's
            mu = sim
            r = mu * mu / (mu * mu / errors.flow_dispersion + extra)
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
            # log-scale variance of the estimate: delta method, var / value^2
            sd = np.sqrt(errors.stock_log_sd**2 + extra / (sim * sim))
            z = (np.log(sim) - np.log(max(target.value, floor))) / sd
            if target.lower_bound:
                out[i] = stats.norm.logcdf(z)  # observed <= true: fine when sim >= observed
            elif target.upper_bound:
                out[i] = stats.norm.logcdf(-z)  # observed >= true: fine when sim <= observed
            else:
                out[i] = stats.norm.logpdf(z) - np.log(sd)
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
