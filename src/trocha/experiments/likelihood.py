"""Log-likelihood of observed targets given simulated values, one rule per kind of target.

- Levels (stocks): lognormal, log(observed) ~ N(log(simulated), sd), with sd the measurement and
  model error on the log scale (`stock_log_sd`, an assumption: official stock estimates of the
  same year differ by 10-20%, e.g. R4V vs UNHCR). The stocks of minor hosts (every figure up to
  the cut-off below `minor_host_people`) have their own sd, `minor_stock_log_sd`: their figures
  are estimates revised by a third or more from one year to the next (venezuela: Guyana 36,400
  in 2018, 22,000 in 2019; Curaçao 26,000 then 16,500; the Dominican Republic 34,062 in 2019,
  114,325 in 2020), far more than any flow moves them, so one sd for all would make them weigh
  on the fit as if they were as well measured as Colombia's registrations. Left unset, it is
  estimated with the parameters (`profile_minor_sd`: the value that maximises the minor hosts'
  likelihood, the profile likelihood). A lower bound (an observation that counts only part of
  the people) contributes log P(observed <= true), the censored form of the same model;
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
A level's error is not independent of the same series' error a few months away: where the model
misses a host, it misses it on neighbouring dates too (the residuals of the calibrated venezuela
scenario correlate 0.7 between figures under half a year apart, 0.4 between figures a year apart,
docs/calibration.md). So the levels of one series (country and metric) that are not bounds are
scored jointly: a multivariate normal on the log scale whose covariance between two figures
t years apart is `level_correlation` x exp(-t / `level_correlation_years`) x their sds, the rest
of each figure's variance (and the estimate's sampling variance) independent. Each figure's
share of the joint log-density is its density given the series' earlier figures (the chain rule),
so the per-target values still sum to the joint. Treating correlated figures as independent
counts one persistent miss as several, which makes the posterior far narrower than the data
warrant.
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

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from .targets import FLOW, INTERVAL, LEVEL, SHARE, Target

SHARE_CLIP = 0.005
MINOR_SD_MAX = 3.0  # the largest minor-host sd the profile considers (a factor of 20)
MINOR_SD_GRID = 121


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
    # Correlation of a series' level errors: the persistent share and its time scale in years
    # (0 years: independent levels).
    level_correlation: float = 0.9
    level_correlation_years: float = 1.0
    # Minor hosts: their stock figures' own log-scale sd (None: estimated, profile likelihood).
    minor_host_people: float = 150_000.0
    minor_hosts: tuple[str, ...] = ()
    minor_stock_log_sd: float | None = None

    def __post_init__(self) -> None:
        # calibration.json stores the hosts as a list
        object.__setattr__(self, "minor_hosts", tuple(self.minor_hosts))

    def with_minor_hosts(self, targets: list[Target]) -> ErrorModel:
        """This model with its minor hosts found in `targets`, unless it names them already."""
        if self.minor_hosts or self.minor_host_people <= 0:
            return self
        return replace(self, minor_hosts=minor_hosts(targets, self.minor_host_people))

    @property
    def estimates_minor_sd(self) -> bool:
        return bool(self.minor_hosts) and self.minor_stock_log_sd is None

    def level_sd(self, target: Target) -> float:
        """Log-scale measurement sd of a level target (a minor host's own, where it has one)."""
        return self.country_sd(target.country)

    def country_sd(self, country: str) -> float:
        """Log-scale measurement sd of a stock of `country`."""
        if self.minor_stock_log_sd is not None and country in self.minor_hosts:
            return self.minor_stock_log_sd
        return self.stock_log_sd

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
    levels: list[tuple] = []  # scored together below
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
            levels.append(
                (
                    i,
                    np.log(sim) - np.log(max(target.value, floor)),
                    errors.level_sd(target) ** 2,
                    extra / (sim * sim),
                    target.lower_bound,
                    target.upper_bound,
                    *_series_and_years(target),
                )
            )
    if levels:
        at, log_ratio, error_var, sampling_var, lower, upper, series, years = (
            np.array(c) for c in zip(*levels, strict=True)
        )
        out[at] = level_log_likelihoods(
            log_ratio, error_var, sampling_var, lower, upper, series, years, errors
        )
    return out


def _series_and_years(target: Target) -> tuple[str, float]:
    """The series a level belongs to (its errors correlate within it) and its date in years."""
    return f"{target.country}|{target.metric}", target.date.toordinal() / 365.25


def level_log_likelihoods(
    log_ratio, error_var, sampling_var, lower, upper, series, years, errors: ErrorModel
) -> np.ndarray:
    """Lognormal log-likelihood of levels (module docstring): censored bounds independent, the
    other levels of one series jointly with correlated errors. `error_var` may carry a leading
    axis (a grid of error variances, as the minor hosts' profile scores); the result has its
    shape."""
    error_var = np.asarray(error_var, dtype=np.float64)
    out = _level_log_likelihoods(log_ratio, error_var + sampling_var, lower, upper)
    if errors.level_correlation <= 0.0 or errors.level_correlation_years <= 0.0:
        return out
    plain = ~(np.asarray(lower) | np.asarray(upper))
    for name in np.unique(series[plain]):
        idx = np.flatnonzero(plain & (series == name))
        if len(idx) < 2:
            continue
        idx = idx[np.argsort(years[idx], kind="stable")]
        out[..., idx] = _correlated_level_log_likelihoods(
            log_ratio[idx], error_var[..., idx], sampling_var[idx], years[idx], errors
        )
    return out


def _correlated_level_log_likelihoods(log_ratio, error_var, sampling_var, years, errors):
    """Each figure's log-density given the earlier ones (in the order given) under a
    multivariate normal: correlation `level_correlation` x exp(-gap / time scale) between the
    errors, the sampling variances independent. Sums to the joint log-density."""
    gap = np.abs(years[:, None] - years[None, :])
    corr = errors.level_correlation * np.exp(-gap / errors.level_correlation_years)
    np.fill_diagonal(corr, 1.0)
    sd = np.sqrt(error_var)
    cov = sd[..., :, None] * sd[..., None, :] * corr + np.diag(sampling_var)
    chol = np.linalg.cholesky(cov)
    rhs = np.broadcast_to(log_ratio, sd.shape)[..., None]
    z = np.linalg.solve(chol, rhs)[..., 0]
    diag = np.diagonal(chol, axis1=-2, axis2=-1)
    return -0.5 * z * z - np.log(diag) - 0.5 * np.log(2.0 * np.pi)


def _level_log_likelihoods(log_ratio, variance, lower, upper) -> np.ndarray:
    """Lognormal log-likelihood of levels (arrays broadcast): log_ratio = log(simulated) -
    log(observed), variance the log-scale variance; a lower bound is censored as
    log P(observed <= true), an upper bound as log P(observed >= true)."""
    sd = np.sqrt(variance)
    z = log_ratio / sd
    return np.where(
        lower,
        stats.norm.logcdf(z),  # observed <= true: fine when sim >= observed
        np.where(upper, stats.norm.logcdf(-z), stats.norm.logpdf(z) - np.log(sd)),
    )


def minor_hosts(targets: list[Target], people: float) -> tuple[str, ...]:
    """Hosts (not the total "ALL") whose every stock figure among `targets` is below `people`."""
    largest: dict[str, float] = {}
    for t in targets:
        if t.kind == LEVEL and t.country != "ALL":
            largest[t.country] = max(largest.get(t.country, 0.0), t.value)
    return tuple(sorted(c for c, v in largest.items() if v < people))


def profile_minor_sd(
    targets: list[Target],
    simulated: np.ndarray,
    errors: ErrorModel,
    floor: float = 1.0,
    agent_people: float = 0.0,
    runs: int = 1,
) -> float:
    """The minor hosts' stock sd that maximises their log-likelihood (a grid from
    `stock_log_sd` to MINOR_SD_MAX: never better measured than the main hosts); `stock_log_sd`
    when no minor host has a stock target with a simulated value. The levels' rule of
    `target_log_likelihoods`, on the whole grid at once (a calibration scores every trial)."""
    chosen = [
        (t, float(simulated[i]))
        for i, t in enumerate(targets)
        if t.kind == LEVEL and t.country in errors.minor_hosts and np.isfinite(simulated[i])
    ]
    if not chosen:
        return errors.stock_log_sd
    grid = np.geomspace(errors.stock_log_sd, max(MINOR_SD_MAX, errors.stock_log_sd), MINOR_SD_GRID)
    sim = np.array([max(value, floor) for _, value in chosen])
    observed = np.array([max(t.value, floor) for t, _ in chosen])
    extra = np.array([errors.estimate_variance(v, agent_people, runs) for v in sim]) / sim**2
    totals = level_log_likelihoods(
        np.log(sim) - np.log(observed),
        np.broadcast_to(grid[:, None] ** 2, (len(grid), len(chosen))),
        extra,
        np.array([t.lower_bound for t, _ in chosen]),
        np.array([t.upper_bound for t, _ in chosen]),
        *(np.array(c) for c in zip(*(_series_and_years(t) for t, _ in chosen), strict=True)),
        errors,
    ).sum(axis=1)
    return float(grid[int(np.argmax(totals))])


def fitted_errors(
    targets: list[Target],
    simulated: np.ndarray,
    errors: ErrorModel,
    floor: float = 1.0,
    agent_people: float = 0.0,
    runs: int = 1,
) -> ErrorModel:
    """The error model with its minor-host sd estimated at `simulated`, where it is left to be."""
    if not errors.estimates_minor_sd:
        return errors
    sd = profile_minor_sd(targets, simulated, errors, floor, agent_people, runs)
    return replace(errors, minor_stock_log_sd=sd)


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
