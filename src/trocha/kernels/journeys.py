"""Numba kernels of the exodus and journeys: pure functions over the people arrays.

Work is proportional to events: each day only the agents in that day's bucket of the calendar
queue are touched (those who leave, reach a place, run out of money or reconsider where they live).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..rng import exponential, standard_normal, uniform
from .choice import sample_cdf
from .counters import (
    ARRIVALS,
    DEATHS,
    DEPARTURES,
    IRREGULAR,
    LOC_PRESENT,
    LOC_STRANDED,
    MOVING,
    OFFICIAL,
    PRESENT,
    RETURNS,
    STRANDED_NOW,
    STRANDINGS,
)

TRAVELLING, STRANDED, SETTLED, RETURNED, DEAD = 1, 2, 3, 4, 5
CROSSING_OFFICIAL, CROSSING_IRREGULAR = 1, 2
NO_WAIT_DAYS = 30.0  # how long an agent with no reachable destination waits before trying again

# Stream indices into the `keys` array (one independent stream per decision).
K_DOCUMENT, K_MONEY, K_DESTINATION, K_DEATH, K_WORK, K_SETTLED_WHEN, K_SETTLED_WHAT = range(7)
STREAM_NAMES = (
    "exodus.document",
    "exodus.money",
    "journeys.destination",
    "journeys.death",
    "journeys.work",
    "journeys.settled_when",
    "journeys.settled_what",
)


@njit(cache=True)
def queue_push(queue_head, queue_next, agent, day):
    queue_next[agent] = queue_head[day]
    queue_head[day] = agent


@njit(cache=True)
def spawn(
    day, first_id, counts, origin_places, keys, passport_share, visa_share, money_median,
    money_sigma, cdf, dest_places, version, loc_country,
    state, document, returning, origin, location, destination, money, departed_day,
    route_version, queue_next, queue_head, current, daily, loc_counts,
):
    """Create today's emigrants (`counts[i]` at `origin_places[i]`), queued to start today."""
    a = first_id
    for i in range(counts.shape[0]):
        place = origin_places[i]
        c = loc_country[place]
        for _ in range(counts[i]):
            u = uniform(keys[K_DOCUMENT], day, a, 0)
            doc = 2 if u < visa_share else (1 if u < passport_share else 0)
            z = standard_normal(keys[K_MONEY], day, a, 0)
            k = sample_cdf(cdf[doc, place], uniform(keys[K_DESTINATION], day, a, 0))
            state[a] = TRAVELLING
            document[a] = doc
            returning[a] = 0
            origin[a] = place
            location[a] = place
            destination[a] = dest_places[k] if k >= 0 else -1
            money[a] = money_median * np.exp(money_sigma * z)
            departed_day[a] = day
            route_version[a] = version
            queue_push(queue_head, queue_next, a, day)
            current[PRESENT, c] += 1
            current[MOVING, c] += 1
            daily[DEPARTURES, c] += 1
            loc_counts[LOC_PRESENT, place] += 1
            a += 1
    return a


@njit(cache=True)
def spawn_settled(
    first_id, counts, places, origin_places, origin_cdf, keys, settled_event_days, last_day,
    loc_country, state, document, returning, origin, location, destination, money, departed_day,
    route_version, queue_next, queue_head, current, loc_counts,
):
    """Emigrants already abroad at the start (`counts[i]` settled at `places[i]`)."""
    a = first_id
    for i in range(counts.shape[0]):
        place = places[i]
        c = loc_country[place]
        for _ in range(counts[i]):
            state[a] = SETTLED
            document[a] = 1
            returning[a] = 0
            k = sample_cdf(origin_cdf, uniform(keys[K_DOCUMENT], -1, a, 0))
            origin[a] = origin_places[k]
            location[a] = place
            destination[a] = place
            money[a] = 0.0
            departed_day[a] = -1
            route_version[a] = 0
            wait = exponential(keys[K_SETTLED_WHEN], -1, a, 0, settled_event_days)
            _schedule(queue_head, queue_next, a, int(wait), last_day)
            current[PRESENT, c] += 1
            loc_counts[LOC_PRESENT, place] += 1
            a += 1
    return a


@njit(cache=True)
def process_day(
    day, last_day, keys, version, living_cost, stranded_work_days, wage_day,
    settled_event_days, return_share,
    next_link, cdf, dest_places, loc_country, link_to, link_days, link_cost, link_crossing,
    link_risk, state, document, returning, origin, location, destination, money, route_version,
    queue_next, queue_head, current, daily, loc_counts,
):
    """Handle every agent whose next event falls on `day`."""
    a = queue_head[day]
    queue_head[day] = -1
    while a != -1:
        following = queue_next[a]
        queue_next[a] = -1
        _handle(
            a, day, last_day, keys, version, living_cost, stranded_work_days, wage_day,
            settled_event_days, return_share, next_link, cdf, dest_places, loc_country, link_to,
            link_days, link_cost, link_crossing, link_risk, state, document, returning, origin,
            location, destination, money, route_version, queue_next, queue_head, current, daily,
            loc_counts,
        )
        a = following


@njit(cache=True)
def _schedule(queue_head, queue_next, a, day, last_day):
    if day <= last_day:
        queue_push(queue_head, queue_next, a, day)


@njit(cache=True)
def _choose(cdf, dest_places, doc, place, u):
    k = sample_cdf(cdf[doc, place], u)
    return dest_places[k] if k >= 0 else -1


@njit(cache=True)
def _handle(
    a, day, last_day, keys, version, living_cost, stranded_work_days, wage_day,
    settled_event_days, return_share, next_link, cdf, dest_places, loc_country, link_to,
    link_days, link_cost, link_crossing, link_risk, state, document, returning, origin, location,
    destination, money, route_version, queue_next, queue_head, current, daily, loc_counts,
):
    here = location[a]
    c = loc_country[here]
    if state[a] == SETTLED:
        # A slow event of a settled migrant: return home or move on.
        if uniform(keys[K_SETTLED_WHAT], day, a, 0) < return_share:
            returning[a] = 1
            destination[a] = origin[a]
        else:
            new_dest = _choose(cdf, dest_places, document[a], here,
                               uniform(keys[K_DESTINATION], day, a, 1))
            if new_dest < 0 or loc_country[new_dest] == c:
                wait = exponential(keys[K_SETTLED_WHEN], day, a, 0, settled_event_days)
                _schedule(queue_head, queue_next, a, day + 1 + int(wait), last_day)
                return
            destination[a] = new_dest
            route_version[a] = version
        state[a] = TRAVELLING
        current[MOVING, c] += 1

    if returning[a] == 0 and (route_version[a] != version or destination[a] < 0):
        # Border regimes changed since the agent chose: reconsider from here.
        destination[a] = _choose(cdf, dest_places, document[a], here,
                                 uniform(keys[K_DESTINATION], day, a, 2))
        route_version[a] = version

    dest = destination[a]
    if dest < 0:
        _become_stranded(a, c, here, state, current, daily, loc_counts)
        _schedule(queue_head, queue_next, a, day + int(NO_WAIT_DAYS), last_day)
        return

    if here == dest:
        if state[a] == STRANDED:
            current[STRANDED_NOW, c] -= 1
            loc_counts[LOC_STRANDED, here] -= 1
        current[MOVING, c] -= 1
        if returning[a] == 1:
            state[a] = RETURNED
            current[PRESENT, c] -= 1
            loc_counts[LOC_PRESENT, here] -= 1
            daily[RETURNS, c] += 1
        else:
            state[a] = SETTLED
            daily[ARRIVALS, c] += 1
            wait = exponential(keys[K_SETTLED_WHEN], day, a, 1, settled_event_days)
            _schedule(queue_head, queue_next, a, day + 1 + int(wait), last_day)
        return

    link = next_link[document[a], here, dest]
    if link < 0:
        # Unreachable with this document (e.g. the way home is closed): wait and retry.
        _become_stranded(a, c, here, state, current, daily, loc_counts)
        _schedule(queue_head, queue_next, a, day + int(NO_WAIT_DAYS), last_day)
        return

    days = link_days[link]
    travel_days = max(1, int(days + 0.5))
    need = link_cost[link] + living_cost * travel_days
    if money[a] < need:
        _become_stranded(a, c, here, state, current, daily, loc_counts)
        work = 1.0 + exponential(keys[K_WORK], day, a, 0, stranded_work_days)
        money[a] += wage_day[c] * work
        _schedule(queue_head, queue_next, a, day + int(work + 0.5), last_day)
        return

    if state[a] == STRANDED:
        state[a] = TRAVELLING
        current[STRANDED_NOW, c] -= 1
        loc_counts[LOC_STRANDED, here] -= 1
    money[a] -= need
    there = link_to[link]
    c2 = loc_country[there]
    if link_crossing[link] == CROSSING_OFFICIAL:
        daily[OFFICIAL, c2] += 1
    elif link_crossing[link] == CROSSING_IRREGULAR:
        daily[IRREGULAR, c2] += 1
    loc_counts[LOC_PRESENT, here] -= 1
    current[PRESENT, c] -= 1
    current[MOVING, c] -= 1
    if link_risk[link] > 0.0 and uniform(keys[K_DEATH], day, a, 0) < link_risk[link]:
        state[a] = DEAD
        daily[DEATHS, c2] += 1
        return
    location[a] = there
    loc_counts[LOC_PRESENT, there] += 1
    current[PRESENT, c2] += 1
    current[MOVING, c2] += 1
    _schedule(queue_head, queue_next, a, day + travel_days, last_day)


@njit(cache=True)
def _become_stranded(a, c, here, state, current, daily, loc_counts):
    if state[a] != STRANDED:
        state[a] = STRANDED
        current[STRANDED_NOW, c] += 1
        loc_counts[LOC_STRANDED, here] += 1
        daily[STRANDINGS, c] += 1
