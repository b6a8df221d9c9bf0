"""Sampling from a cumulative distribution (destination choice) and the next link (route choice)."""

from typing import NamedTuple

import numpy as np
from numba import njit

from ..codes import N_DOCUMENTS


class Choice(NamedTuple):
    """Destination-choice, routing and host-policy arrays as the kernels see them."""

    cdf: np.ndarray  # [class, place, destination index] cumulative choice weights
    destinations: np.ndarray  # place of each destination index
    trip_cost: np.ndarray  # [class, place, destination index] USD
    next_link: np.ndarray  # [class, place, place] first link of the cheapest route, -1 none
    stay_utility: np.ndarray  # [country] premium of staying over moving on (logit units)
    apprehension: np.ndarray  # [country] share of irregular entrants met at the border
    expulsion: np.ndarray  # [country] share of those met who are expelled back across it
    parole_left: np.ndarray  # [country] parole places left this month, in agents
    return_share: np.ndarray  # [country] share of a settled migrant's slow events that go home
    route_cdf: np.ndarray  # [class, destination, out position] cumulative next-link weights
    out_start: np.ndarray  # [place + 1] offsets of each place's outgoing links in out_links
    out_links: np.ndarray  # [link] links ordered by their start place


@njit(cache=True, inline="always")
def route_class(agents, a) -> int:
    """Agent a's row of the routing and choice tables: its document class and means tier."""
    return agents.document[a] + N_DOCUMENTS * agents.means[a]


@njit(cache=True)
def stay_weight(cdf_row, destinations, place: int) -> float:
    """Choice weight of `place` itself in a cdf row (0 if it is not a destination)."""
    previous = 0.0
    for k in range(cdf_row.shape[0]):
        if destinations[k] == place:
            return cdf_row[k] - previous
        previous = cdf_row[k]
    return 0.0


@njit(cache=True)
def sample_cdf(cdf_row, u: float) -> int:
    """Index k of the first cdf_row[k] > u * total, or -1 if the row is all zero."""
    total = cdf_row[cdf_row.shape[0] - 1]
    if total <= 0.0:
        return -1
    target = u * total
    lo, hi = 0, cdf_row.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf_row[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def sample_cdf_py(cdf_row, u: float) -> int:
    """Slow reference of `sample_cdf`."""
    total = float(cdf_row[-1])
    if total <= 0:
        return -1
    for k, value in enumerate(cdf_row):
        if value > u * total:
            return k
    return len(cdf_row) - 1


@njit(cache=True)
def sample_affordable(cdf_row, trip_cost_row, budget: float, u: float) -> int:
    """Like `sample_cdf`, restricted to options whose trip cost is within `budget`.

    If nothing reachable is affordable: the cheapest reachable option (migrants work their way).
    """
    total = 0.0
    previous = 0.0
    cheapest = -1
    for k in range(cdf_row.shape[0]):
        weight = cdf_row[k] - previous
        previous = cdf_row[k]
        if weight > 0.0:
            if trip_cost_row[k] <= budget:
                total += weight
            if cheapest < 0 or trip_cost_row[k] < trip_cost_row[cheapest]:
                cheapest = k
    if total <= 0.0:
        return cheapest
    target = u * total
    acc = 0.0
    previous = 0.0
    last = -1
    for k in range(cdf_row.shape[0]):
        weight = cdf_row[k] - previous
        previous = cdf_row[k]
        if weight > 0.0 and trip_cost_row[k] <= budget:
            acc += weight
            last = k
            if acc > target:
                return k
    return last


def sample_affordable_py(cdf_row, trip_cost_row, budget: float, u: float) -> int:
    """Slow reference of `sample_affordable`."""
    weights = [float(c) - float(p) for c, p in zip(cdf_row, [0.0, *cdf_row[:-1]], strict=True)]
    reachable = [k for k, w in enumerate(weights) if w > 0]
    if not reachable:
        return -1
    affordable = [k for k in reachable if trip_cost_row[k] <= budget]
    if not affordable:
        return min(reachable, key=lambda k: (trip_cost_row[k], k))
    total = sum(weights[k] for k in affordable)
    acc = 0.0
    for k in affordable:
        acc += weights[k]
        if acc > u * total:
            return k
    return affordable[-1]


@njit(cache=True, inline="always")
def sample_next_link(choice, doc, here, dest, u) -> int:
    """The link taken from `here` towards `dest`: a logit draw over the links that make progress.

    The weights (world/routing.py `route_choice_cdf`) are those of the links leaving `here`, in
    the order of out_links; with route choice off (scale 0) it is the cheapest route's first
    link. -1 if there is no way on.
    """
    best = choice.next_link[doc, here, dest]
    if best < 0 or choice.route_cdf.shape[1] == 0:
        return best
    start, stop = choice.out_start[here], choice.out_start[here + 1]
    target = u * choice.route_cdf[doc, dest, stop - 1]
    for i in range(start, stop):
        if choice.route_cdf[doc, dest, i] > target:
            return choice.out_links[i]
    return best
