"""Numba kernels of the exodus and journeys: pure functions over the people arrays.

Work is proportional to events: each day only the agents in that day's bucket of the calendar
queue are touched (those who leave, reach a place, run out of money or reconsider where they live).

Kernels take their arrays bundled in tuples, always in these orders:
  agents   = People.columns(): state, document, returning, origin, location, destination, money,
             departed_day, route_version, queue_next
  counters = queue_head, current, daily, location counts (see counters.py)
  links    = link_to, link_days, link_cost, link_crossing, link_risk
  choice   = choice cdf [class, place, destination], destination places, trip cost [class, place,
             destination], next link [class, place, place]
  rules    = float64 array indexed by the R_* constants below
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..rng import exponential, standard_normal, uniform
from .choice import sample_affordable, sample_cdf
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
NO_WAY_WAIT_DAYS = 30  # how long an agent with no reachable destination waits before trying again

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

# Indices into the `rules` array of journey parameters.
R_LIVING_COST, R_WORK_DAYS, R_SETTLED_EVENT_DAYS, R_RETURN_SHARE = range(4)
N_RULES = 4


@njit(cache=True)
def queue_push(queue_head, queue_next, agent, day):
    queue_next[agent] = queue_head[day]
    queue_head[day] = agent


@njit(cache=True)
def _schedule(queue_head, queue_next, a, day, last_day):
    if day <= last_day:
        queue_push(queue_head, queue_next, a, day)


@njit(cache=True)
def _choose(choice, doc, place, budget, u):
    """A destination drawn from the choice probabilities among those the agent can afford."""
    cdf, dest_places, trip_cost, _ = choice
    k = sample_affordable(cdf[doc, place], trip_cost[doc, place], budget, u)
    return dest_places[k] if k >= 0 else -1


@njit(cache=True)
def spawn(
    day,
    first_id,
    counts,
    origin_places,
    keys,
    documents,
    savings,
    choice,
    version,
    loc_country,
    agents,
    counters,
):
    """Create today's emigrants (`counts[i]` at `origin_places[i]`), queued to start today.

    documents = (passport share, visa share); savings = (median USD, lognormal sigma).
    """
    (
        state,
        document,
        returning,
        origin,
        location,
        destination,
        money,
        departed_day,
        route_version,
        queue_next,
    ) = agents
    queue_head, current, daily, loc_counts = counters
    a = first_id
    for i in range(counts.shape[0]):
        place = origin_places[i]
        c = loc_country[place]
        for _ in range(counts[i]):
            u = uniform(keys[K_DOCUMENT], day, a, 0)
            doc = 2 if u < documents[1] else (1 if u < documents[0] else 0)
            z = standard_normal(keys[K_MONEY], day, a, 0)
            cash = savings[0] * np.exp(savings[1] * z)
            state[a] = TRAVELLING
            document[a] = doc
            returning[a] = 0
            origin[a] = place
            location[a] = place
            destination[a] = _choose(
                choice, doc, place, cash, uniform(keys[K_DESTINATION], day, a, 0)
            )
            money[a] = cash
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
    first_id,
    counts,
    places,
    origin_places,
    origin_cdf,
    keys,
    settled_event_days,
    last_day,
    loc_country,
    agents,
    counters,
):
    """Emigrants already abroad at the start (`counts[i]` settled at `places[i]`)."""
    (
        state,
        document,
        returning,
        origin,
        location,
        destination,
        money,
        departed_day,
        route_version,
        queue_next,
    ) = agents
    queue_head, current, _, loc_counts = counters
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
    day, last_day, keys, version, rules, wage_day, choice, loc_country, links, agents, counters
):
    """Handle every agent whose next event falls on `day`; return how many were handled."""
    queue_head = counters[0]
    queue_next = agents[9]
    handled = 0
    a = queue_head[day]
    queue_head[day] = -1
    while a != -1:
        handled += 1
        following = queue_next[a]
        queue_next[a] = -1
        _handle(
            a,
            day,
            last_day,
            keys,
            version,
            rules,
            wage_day,
            choice,
            loc_country,
            links,
            agents,
            counters,
        )
        a = following
    return handled


@njit(cache=True)
def _become_stranded(a, c, here, state, current, daily, loc_counts):
    if state[a] != STRANDED:
        state[a] = STRANDED
        current[STRANDED_NOW, c] += 1
        loc_counts[LOC_STRANDED, here] += 1
        daily[STRANDINGS, c] += 1


@njit(cache=True)
def _handle(
    a, day, last_day, keys, version, rules, wage_day, choice, loc_country, links, agents, counters
):
    (
        state,
        document,
        returning,
        origin,
        location,
        destination,
        money,
        _,
        route_version,
        queue_next,
    ) = agents
    queue_head, current, daily, loc_counts = counters
    link_to, link_days, link_cost, link_crossing, link_risk = links
    next_link = choice[3]
    here = location[a]
    c = loc_country[here]

    if state[a] == SETTLED:
        # A slow event of a settled migrant: return home or move on.
        if uniform(keys[K_SETTLED_WHAT], day, a, 0) < rules[R_RETURN_SHARE]:
            returning[a] = 1
            destination[a] = origin[a]
        else:
            new_dest = _choose(
                choice, document[a], here, money[a], uniform(keys[K_DESTINATION], day, a, 1)
            )
            if new_dest < 0 or loc_country[new_dest] == c:
                wait = exponential(keys[K_SETTLED_WHEN], day, a, 0, rules[R_SETTLED_EVENT_DAYS])
                _schedule(queue_head, queue_next, a, day + 1 + int(wait), last_day)
                return
            destination[a] = new_dest
            route_version[a] = version
        state[a] = TRAVELLING
        current[MOVING, c] += 1

    if returning[a] == 0 and (route_version[a] != version or destination[a] < 0):
        # Border regimes changed since the agent chose: reconsider from here.
        destination[a] = _choose(
            choice, document[a], here, money[a], uniform(keys[K_DESTINATION], day, a, 2)
        )
        route_version[a] = version

    dest = destination[a]
    link = next_link[document[a], here, dest] if dest >= 0 and dest != here else -1
    if dest < 0 or (link < 0 and dest != here):
        # No way on with this document (e.g. the way home is closed): wait and retry.
        _become_stranded(a, c, here, state, current, daily, loc_counts)
        _schedule(queue_head, queue_next, a, day + NO_WAY_WAIT_DAYS, last_day)
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
            wait = exponential(keys[K_SETTLED_WHEN], day, a, 1, rules[R_SETTLED_EVENT_DAYS])
            _schedule(queue_head, queue_next, a, day + 1 + int(wait), last_day)
        return

    travel_days = max(1, int(link_days[link] + 0.5))
    need = link_cost[link] + rules[R_LIVING_COST] * travel_days
    if money[a] < need:
        if state[a] == STRANDED and returning[a] == 0:
            # Stranded again after a spell of work: reconsider, among places within reach.
            budget = money[a] + wage_day[c] * rules[R_WORK_DAYS]
            new_dest = _choose(
                choice, document[a], here, budget, uniform(keys[K_DESTINATION], day, a, 3)
            )
            if new_dest >= 0:
                destination[a] = new_dest
        _become_stranded(a, c, here, state, current, daily, loc_counts)
        work = 1.0 + exponential(keys[K_WORK], day, a, 0, rules[R_WORK_DAYS])
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
