"""Posterior draws with honest weights: importance sampling after the TPE search.

TPE finds where the fit is good but does not record the density it proposed from, so its trials
cannot be weighted into a posterior. After the search, Trocha draws `posterior_draws` new points
from a known proposal and weights each by prior x likelihood / proposal:

    q(s) = alpha N(s; m, C / 4) truncated to the prior box + (1 - alpha) prior(s)

in the search coordinates s (log of log-uniform parameters, the value otherwise), with m the best
search trial and C the covariance of the best tenth of the trials (a floor keeps C from
collapsing). With many targets the likelihood is sharply peaked, so the proposal is centred on the
best point found, not on the mean of the good ones (any proposal gives valid weights; a close one
gives more effective draws). The prior
component ("defensive importance sampling", Hesterberg 1995) keeps the weights bounded where the
Gaussian is too narrow. Every draw is seeded by (search seed, draw number), so extending
`--posterior-draws` keeps the earlier draws, and each draw stores the log density it was drawn
from, so weights stay valid when a later search changes the proposal.

Adaptive rounds (population Monte Carlo): the search's best tenth is spread far wider than a
likelihood of some ninety targets, so most first-round draws land hundreds of log units below the
best and one draw takes all the weight. The draws therefore come in rounds (`--draws-per-round`
draws each); each later round's Gaussian is centred on the best point evaluated so far and its
covariance is the previous one scaled by (d / 2) / (median drop), where the drop is how far the
previous round's Gaussian draws fell below the best log posterior and d / 2 is that drop for
draws from a d-dimensional Gaussian posterior itself. Every draw is then weighted against the
mixture of all rounds' proposals in proportion to their draws (deterministic-mixture weights,
Cornuet et al. 2012, "Adaptive multiple importance sampling"), which keeps an early, wide round's
lucky draw from taking all the weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .priors import Prior

ALPHA = 0.8  # weight of the Gaussian component of the proposal
COVARIANCE_SCALE = 0.25  # the Gaussian's covariance: the best trials' covariance times this (local)
FLOOR = 0.02  # minimum standard deviation, as a share of each coordinate's prior width
BOX_SAMPLES = 20_000  # Monte Carlo draws for the Gaussian's mass inside the prior box
MAX_REJECTIONS = 1_000
ADAPT_FLOOR = 0.002  # minimum standard deviation of an adapted Gaussian, share of prior width
ADAPT_LIMITS = (0.01, 4.0)  # how far one round may shrink or widen the covariance


def search_coordinates(priors: list[Prior], params: dict[str, float]) -> np.ndarray:
    return np.array([np.log(params[p.name]) if p.log else params[p.name] for p in priors])


def parameter_values(priors: list[Prior], s: np.ndarray) -> dict[str, float]:
    values = {}
    for p, x in zip(priors, s, strict=True):
        value = float(np.exp(x)) if p.log else float(x)
        values[p.name] = float(np.clip(value, p.low, p.high))  # exp(log(high)) may overshoot
    return values


def prior_box(priors: list[Prior]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the priors in search coordinates."""
    low = np.array([np.log(p.low) if p.log else p.low for p in priors])
    high = np.array([np.log(p.high) if p.log else p.high for p in priors])
    return low, high


def log_prior(priors: list[Prior], s: np.ndarray) -> float:
    """Normalised log prior density in search coordinates (uniform, or a truncated N(0, 1))."""
    from scipy.stats import norm

    low, high = prior_box(priors)
    if np.any(s < low) or np.any(s > high):
        return -np.inf
    total = 0.0
    for p, x, lo, hi in zip(priors, s, low, high, strict=True):
        if p.normal:
            total += float(norm.logpdf(x) - np.log(norm.cdf(hi) - norm.cdf(lo)))
        else:
            total -= float(np.log(hi - lo))
    return total


def _draw_prior(priors: list[Prior], rng: np.random.Generator) -> np.ndarray:
    from scipy.stats import truncnorm

    low, high = prior_box(priors)
    s = rng.uniform(low, high)
    for i, p in enumerate(priors):
        if p.normal:
            s[i] = truncnorm.ppf(rng.uniform(), low[i], high[i])
    return s


@dataclass(frozen=True)
class Proposal:
    mean: np.ndarray
    cov: np.ndarray
    log_mass_inside: float  # log of the Gaussian's probability of landing inside the prior box

    def to_json(self) -> dict:
        return {
            "mean": self.mean.tolist(),
            "cov": self.cov.tolist(),
            "log_mass_inside": self.log_mass_inside,
        }

    @classmethod
    def from_json(cls, data: dict) -> Proposal:
        return cls(np.array(data["mean"]), np.array(data["cov"]), float(data["log_mass_inside"]))

    @staticmethod
    def from_prior(seed: int, index: int) -> bool:
        """Whether draw number `index` comes from the prior component (the same first uniform
        as `draw`)."""
        return bool(np.random.default_rng([seed, 0x1A7B, index]).uniform() >= ALPHA)

    def log_density(self, priors: list[Prior], s: np.ndarray) -> float:
        """log q(s) of the defensive mixture."""
        from scipy.stats import multivariate_normal

        prior = log_prior(priors, s)
        if not np.isfinite(prior):
            return -np.inf
        gauss = multivariate_normal(self.mean, self.cov, allow_singular=True).logpdf(s)
        return float(
            np.logaddexp(np.log(ALPHA) + gauss - self.log_mass_inside, np.log(1 - ALPHA) + prior)
        )

    def draw(self, priors: list[Prior], seed: int, index: int) -> np.ndarray:
        """Draw number `index`: the same point whatever the number of draws asked for."""
        rng = np.random.default_rng([seed, 0x1A7B, index])
        if rng.uniform() >= ALPHA:
            return _draw_prior(priors, rng)
        low, high = prior_box(priors)
        for _ in range(MAX_REJECTIONS):
            s = rng.multivariate_normal(self.mean, self.cov, method="eigh")
            if np.all(s >= low) and np.all(s <= high):
                return s
        return _draw_prior(priors, rng)  # a Gaussian almost outside the box: fall back


def fit_proposal(
    priors: list[Prior], points: np.ndarray, losses: np.ndarray, seed: int
) -> Proposal:
    """The Gaussian part of the proposal from the search trials (rows of `points`): centred on
    the best trial, with a quarter of the covariance of the best tenth (at least 5, or all if
    fewer) and standard deviations of at least FLOOR of each prior's width."""
    low, high = prior_box(priors)
    finite = np.isfinite(losses)
    points, losses = points[finite], losses[finite]
    if len(points) == 0:
        raise ValueError("no completed search trial to build the posterior proposal from")
    k = min(len(points), max(5, len(points) // 10))
    order = np.argsort(losses, kind="stable")
    best = points[order[:k]]
    mean = points[order[0]]
    cov = np.atleast_2d(np.cov(best, rowvar=False)) if k > 1 else np.zeros((len(priors),) * 2)
    floor = (FLOOR * (high - low)) ** 2
    cov = COVARIANCE_SCALE * cov + np.diag(floor)
    return _with_mass(priors, mean, cov, seed)


def _with_mass(priors: list[Prior], mean: np.ndarray, cov: np.ndarray, seed: int) -> Proposal:
    """A proposal with the Monte Carlo mass of its Gaussian inside the prior box."""
    low, high = prior_box(priors)
    rng = np.random.default_rng([seed, 0x1A7C])
    sample = rng.multivariate_normal(mean, cov, size=BOX_SAMPLES, method="eigh")
    inside = np.all((sample >= low) & (sample <= high), axis=1).mean()
    return Proposal(mean, cov, float(np.log(max(inside, 1.0 / BOX_SAMPLES))))


def adapt_proposal(
    priors: list[Prior],
    previous: Proposal,
    best: np.ndarray,
    best_log_posterior: float,
    round_log_posteriors: np.ndarray,
    seed: int,
) -> Proposal:
    """The next round's proposal (module docstring): centred on `best`, the previous covariance
    scaled so that the median drop of a draw below the best log posterior becomes d / 2.
    `round_log_posteriors` are the previous round's Gaussian-component draws."""
    low, high = prior_box(priors)
    drops = best_log_posterior - np.asarray(round_log_posteriors, dtype=np.float64)
    drops = drops[np.isfinite(drops)]
    target = max(0.5 * len(priors), 0.5)
    factor = 1.0 if drops.size == 0 else target / max(float(np.median(drops)), 1e-9)
    factor = float(np.clip(factor, *ADAPT_LIMITS))
    cov = previous.cov * factor + np.diag((ADAPT_FLOOR * (high - low)) ** 2)
    return _with_mass(priors, np.asarray(best, dtype=np.float64), cov, seed)


def mixture_log_density(
    priors: list[Prior], proposals: list[Proposal], counts: list[int], s: np.ndarray
) -> float:
    """log of the deterministic mixture sum_r (n_r / N) q_r(s) of the rounds' proposals."""
    total = sum(counts)
    terms = [
        np.log(n / total) + q.log_density(priors, s)
        for q, n in zip(proposals, counts, strict=True)
        if n > 0
    ]
    return float(np.logaddexp.reduce(terms)) if terms else -np.inf


def importance_weights(log_likelihood, log_prior_s, log_proposal) -> np.ndarray:
    """Normalised weights prior x likelihood / proposal (zero where any term is not finite)."""
    score = np.asarray(log_likelihood) + np.asarray(log_prior_s) - np.asarray(log_proposal)
    weight = np.zeros(len(score))
    finite = np.isfinite(score)
    if finite.any():
        weight[finite] = np.exp(score[finite] - score[finite].max())
        weight /= weight.sum()
    return weight
