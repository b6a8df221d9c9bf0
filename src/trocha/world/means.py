"""Means tiers: the better-off weigh a dollar of fare less, so they fly where the poor take the bus.

Emigrants carry lognormal savings (median m, log-sd s). The share `better_off_share` with the
most savings at departure (those above the threshold T = m exp(s z), z the standard normal
quantile of 1 - share) form the better-off tier. With log utility of money, a dollar weighs in
inverse proportion to what one has, so the better-off count fares (and trocha fees) at the weight
m / E[savings | savings > T] of the median migrant's dollar; time, fear of an irregular crossing
and risk stay in the median migrant's dollars. A flight of a day that costs USD 800 against a bus
trip of two weeks and USD 150 is dearer for the median migrant; with value_of_time_usd_day 8 the
better-off prefer it when their weight is below 13 x 8 / (800 - 150) = 0.16, which holds for
better_off_share up to about 0.1 (savings_sigma 1): the larger the tier, the less its average
member has, and the fewer routes it flies. Without the tier (share 0) everyone routes as the
median migrant.

Route classes (routing and choice tables) are document x tier: class = document + 3 x tier.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from scipy.special import log_ndtr

from ..codes import N_DOCUMENTS

# The standard normal from the standard library: scipy.stats would add a second to every
# process that imports the simulation.
_NORMAL = NormalDist()


def _upper_quantile(share: float) -> float:
    """z with P(Z > z) = share for the standard normal: -inf at 1 (everyone is better-off),
    +inf at 0. Computed as -Phi^-1(share), not Phi^-1(1 - share): 1 - share is 1.0 in floating
    point for a share below about 1e-17, where Phi^-1 is undefined."""
    if share >= 1.0:
        return -math.inf
    if share <= 0.0:
        return math.inf
    return -_NORMAL.inv_cdf(share)


def better_off_share(parameters: dict[str, float]) -> float:
    return float(parameters.get("better_off_share", 0.0))


def n_means(parameters: dict[str, float]) -> int:
    """Number of means tiers: 2 with a better-off tier, else 1."""
    return 2 if better_off_share(parameters) > 0.0 else 1


def better_off_threshold(parameters: dict[str, float]) -> float:
    """USD of savings at departure from which a migrant is better-off (inf: no tier)."""
    share = better_off_share(parameters)
    if share <= 0.0:
        return math.inf
    z = _upper_quantile(share)
    return parameters["savings_median_usd"] * math.exp(parameters["savings_sigma"] * z)


def better_off_fare_weight(parameters: dict[str, float]) -> float:
    """Weight of a dollar of fare for the better-off: median savings over the tier's mean savings,
    E[S | S > T] = m exp(s^2 / 2) Phi(s - z) / share for lognormal S (1 with no tier)."""
    share = better_off_share(parameters)
    if share <= 0.0:
        return 1.0
    share = min(share, 1.0)
    sigma = parameters["savings_sigma"]
    z = _upper_quantile(share)
    # In logs: for a tiny tier Phi(sigma - z) underflows to 0 while the ratio stays finite.
    log_ratio = sigma * sigma / 2.0 + float(log_ndtr(sigma - z)) - math.log(share)
    return math.exp(-log_ratio)


def fare_weights(parameters: dict[str, float]) -> np.ndarray:
    """[route class] weight of a dollar of fare: 1 for the budget tier's document classes, then
    the better-off weight for each document class of the better-off tier."""
    tiers = [1.0] if n_means(parameters) == 1 else [1.0, better_off_fare_weight(parameters)]
    return np.repeat(np.asarray(tiers), N_DOCUMENTS)


def route_class_allowed(allowed: np.ndarray, parameters: dict[str, float]) -> np.ndarray:
    """allowed[route class, link] from allowed[document class, link]: each tier as its
    document."""
    return np.tile(allowed, (n_means(parameters), 1))
