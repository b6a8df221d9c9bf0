"""Numba kernels of the exodus and journeys: pure functions over the people arrays.

Work is proportional to events: each day only the agents in that day's bucket of the calendar
queue are touched (those who leave, reach a place, run out of money, reconsider where they live,
or, as victims, come up for their monthly review).

Kernels take their arrays bundled in tuples, always in these orders:
  agents   = People.columns(): state, document, returning, origin, location, destination, money,
             departed_day, route_version, queue_next, female, minor, package, victim_org, debt
  counters = queue_head, current, daily, location counts (see counters.py)
  links    = link_to, link_days, link_fare, link_crossing, link_risk
  choice   = choice cdf [class, place, destination], destination places, trip cost [class, place,
             destination], next link [class, place, place]
  economy  = link_fee, link_controller, place_org, recruit_prob [3, place],
             exploit_cdf [org, place], capacity_left [org], ledger [org + 1, column],
             victim_exit [3, country], econ rules, package_org [place], victims_by_org [org],
             link_crossings [link]
  rules    = float64 array indexed by the R_* constants below
Money: every dollar a migrant pays is written to the ledger (counters.py), so money is conserved.
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
    L_DRUGS,
    L_EARNINGS_IN,
    L_FARES,
    L_FEES,
    L_LIVING,
    L_LOST,
    L_PACKAGE_COSTS,
    L_PACKAGES,
    L_SAVINGS_IN,
    LOC_PRESENT,
    LOC_STRANDED,
    MOVING,
    OFFICIAL,
    PRESENT,
    RECRUITED_BONDAGE,
    RECRUITED_DESTINATION,
    RECRUITED_ORIGIN,
    RETURNS,
    STRANDED_NOW,
    STRANDINGS,
)
from .exploitation import (
    E_DRUG_PROB,
    E_DRUG_VALUE,
    E_FEMALE_SHARE,
    E_MINOR_SHARE,
    E_PACKAGE_EXPOSURE,
    E_PACKAGE_PRICE_MULT,
    E_PACKAGE_TAKE_UP,
    VICTIM,
    make_victim,
    recruitment_weight,
    review_victim,
)

TRAVELLING, STRANDED, SETTLED, RETURNED, DEAD = 1, 2, 3, 4, 5
CROSSING_OFFICIAL, CROSSING_IRREGULAR = 1, 2
NO_WAY_WAIT_DAYS = 30  # how long an agent with no reachable destination waits before trying again

# Stream indices into the `keys` array (one independent stream per decision).
(
    K_DOCUMENT,
    K_MONEY,
    K_DESTINATION,
    K_DEATH,
    K_WORK,
    K_SETTLED_WHEN,
    K_SETTLED_WHAT,
    K_SEX,
    K_PACKAGE,
    K_RECRUIT,
    K_EXPLOIT_PLACE,
    K_VICTIM_EXIT,
    K_DRUG,
) = range(13)
STREAM_NAMES = (
    "exodus.document",
    "exodus.money",
    "journeys.destination",
    "journeys.death",
    "journeys.work",
    "journeys.settled_when",
    "journeys.settled_what",
    "exodus.sex_age",
    "market.package",
    "exploitation.recruit",
    "exploitation.place",
    "exploitation.exit",
    "market.drug_carrying",
)

# Indices into the `rules` array of journey parameters.
R_LIVING_COST, R_WORK_DAYS, R_SETTLED_EVENT_DAYS, R_RETURN_SHARE = range(4)
N_RULES = 4


@njit(cache=True, inline="always")
def queue_push(queue_head, queue_next, agent, day):
    queue_next[agent] = queue_head[day]
    queue_head[day] = agent


@njit(cache=True, inline="always")
def _schedule(queue_head, queue_next, a, day, last_day):
    if day <= last_day:
        queue_push(queue_head, queue_next, a, day)


@njit(cache=True, inline="always")
def _choose_index(choice, doc, place, budget, u):
    """Index (into the destinations) drawn among the destinations the agent can afford."""
    cdf, _, trip_cost, _ = choice
    return sample_affordable(cdf[doc, place], trip_cost[doc, place], budget, u)


@njit(cache=True, inline="always")
def _choose(choice, doc, place, budget, u):
    k = _choose_index(choice, doc, place, budget, u)
    return choice[1][k] if k >= 0 else -1


@njit(cache=True, inline="always")
def _try_recruit(
    a, mechanism, row, place, p_scale, day, last_day, keys, economy, loc_country, agents, counters
):
    """Recruitment attempt at `place` by the organisation operating there; True if recruited."""
    place_org, recruit_prob, exploit_cdf, capacity_left, ledger = (
        economy[2],
        economy[3],
        economy[4],
        economy[5],
        economy[6],
    )
    econ, victims_by_org = economy[8], economy[10]
    org = place_org[place]
    if org < 0 or capacity_left[org] <= 0:
        return False
    p = (
        recruit_prob[mechanism, place]
        * p_scale
        * recruitment_weight(econ, agents[10][a], agents[11][a])
    )
    if p <= 0.0 or uniform(keys[K_RECRUIT], day, a, mechanism) >= p:
        return False
    c = loc_country[place]
    make_victim(
        a,
        org,
        day,
        last_day,
        keys[K_EXPLOIT_PLACE],
        econ,
        exploit_cdf,
        loc_country,
        ledger,
        agents,
        counters,
        victims_by_org,
        capacity_left,
    )
    counters[2][row, c] += 1
    return True


@njit(cache=True)
def spawn(
    day,
    last_day,
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
    economy,
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
        female,
        minor,
        package,
        victim_org,
        debt,
    ) = agents
    queue_head, current, daily, loc_counts = counters
    ledger, econ, package_org = economy[6], economy[8], economy[9]
    n_orgs = ledger.shape[0] - 1
    a = first_id
    for i in range(counts.shape[0]):
        place = origin_places[i]
        c = loc_country[place]
        for _ in range(counts[i]):
            u = uniform(keys[K_DOCUMENT], day, a, 0)
            doc = 2 if u < documents[1] else (1 if u < documents[0] else 0)
            cash = savings[0] * np.exp(savings[1] * standard_normal(keys[K_MONEY], day, a, 0))
            state[a] = TRAVELLING
            document[a] = doc
            returning[a] = 0
            origin[a] = place
            location[a] = place
            money[a] = cash
            departed_day[a] = day
            route_version[a] = version
            female[a] = 1 if uniform(keys[K_SEX], day, a, 0) < econ[E_FEMALE_SHARE] else 0
            minor[a] = 1 if uniform(keys[K_SEX], day, a, 1) < econ[E_MINOR_SHARE] else 0
            package[a] = 0
            victim_org[a] = -1
            debt[a] = 0.0
            ledger[n_orgs, L_SAVINGS_IN] += cash
            current[PRESENT, c] += 1
            current[MOVING, c] += 1
            daily[DEPARTURES, c] += 1
            loc_counts[LOC_PRESENT, place] += 1
            if _try_recruit(
                a,
                0,
                RECRUITED_ORIGIN,
                place,
                1.0,
                day,
                last_day,
                keys,
                economy,
                loc_country,
                agents,
                counters,
            ):
                a += 1
                continue
            k = _choose_index(choice, doc, place, cash, uniform(keys[K_DESTINATION], day, a, 0))
            destination[a] = choice[1][k] if k >= 0 else -1
            seller = package_org[place]
            if seller >= 0 and k >= 0:
                price = choice[2][doc, place, k] * econ[E_PACKAGE_PRICE_MULT]
                if cash >= price and uniform(keys[K_PACKAGE], day, a, 0) < econ[E_PACKAGE_TAKE_UP]:
                    money[a] -= price
                    ledger[seller, L_PACKAGES] += price
                    package[a] = seller + 1
            queue_push(queue_head, queue_next, a, day)
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
    female_share,
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
        female,
        minor,
        package,
        victim_org,
        debt,
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
            female[a] = 1 if uniform(keys[K_SEX], -1, a, 0) < female_share else 0
            minor[a] = 0
            package[a] = 0
            victim_org[a] = -1
            debt[a] = 0.0
            wait = exponential(keys[K_SETTLED_WHEN], -1, a, 0, settled_event_days)
            _schedule(queue_head, queue_next, a, int(wait), last_day)
            current[PRESENT, c] += 1
            loc_counts[LOC_PRESENT, place] += 1
            a += 1
    return a


@njit(cache=True)
def process_day(
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
    economy,
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
            economy,
        )
        a = following
    return handled


@njit(cache=True, inline="always")
def _become_stranded(a, c, here, state, current, daily, loc_counts):
    if state[a] != STRANDED:
        state[a] = STRANDED
        current[STRANDED_NOW, c] += 1
        loc_counts[LOC_STRANDED, here] += 1
        daily[STRANDINGS, c] += 1


@njit(cache=True, inline="always")
def _handle(
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
    economy,
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
        _,
        _,
        package,
        _,
        _,
    ) = agents
    queue_head, current, daily, loc_counts = counters
    link_to, link_days, link_fare, link_crossing, link_risk = links
    link_fee, link_controller, ledger, victim_exit, econ = (
        economy[0],
        economy[1],
        economy[6],
        economy[7],
        economy[8],
    )
    n_orgs = ledger.shape[0] - 1
    next_link = choice[3]
    here = location[a]
    c = loc_country[here]

    if state[a] == VICTIM:
        review_victim(
            a,
            day,
            last_day,
            keys[K_VICTIM_EXIT],
            econ,
            victim_exit,
            rules[R_SETTLED_EVENT_DAYS],
            loc_country,
            ledger,
            agents,
            counters,
            economy[10],
            n_orgs,
        )
        return

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

    if (
        returning[a] == 0
        and package[a] == 0
        and (route_version[a] != version or destination[a] < 0)
    ):
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
            return
        state[a] = SETTLED
        daily[ARRIVALS, c] += 1
        exposure = econ[E_PACKAGE_EXPOSURE] if package[a] > 0 else 1.0
        package[a] = 0
        # Deceptive job offers and online "relationships" where the organisation has a cell.
        if _try_recruit(
            a,
            1,
            RECRUITED_DESTINATION,
            here,
            exposure,
            day,
            last_day,
            keys,
            economy,
            loc_country,
            agents,
            counters,
        ):
            return
        wait = exponential(keys[K_SETTLED_WHEN], day, a, 1, rules[R_SETTLED_EVENT_DAYS])
        _schedule(queue_head, queue_next, a, day + 1 + int(wait), last_day)
        return

    travel_days = max(1, int(link_days[link] + 0.5))
    living = rules[R_LIVING_COST] * travel_days
    irregular = link_crossing[link] == CROSSING_IRREGULAR
    fee = link_fee[link] if irregular else 0.0
    fare = link_fare[link] if not irregular else 0.0
    controller = link_controller[link] if irregular else -1
    seller = package[a] - 1
    if seller >= 0:
        # A package client: the organisation pays the way (its own trochas cost it nothing).
        own = controller == seller
        ledger[seller, L_PACKAGE_COSTS] += fare + living + (0.0 if own else fee)
    else:
        need = fare + living + fee
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
            # Debt bondage: the stranded are easy prey where an organisation operates.
            if _try_recruit(
                a,
                2,
                RECRUITED_BONDAGE,
                here,
                1.0,
                day,
                last_day,
                keys,
                economy,
                loc_country,
                agents,
                counters,
            ):
                return
            work = 1.0 + exponential(keys[K_WORK], day, a, 0, rules[R_WORK_DAYS])
            earned = wage_day[c] * work
            money[a] += earned
            ledger[n_orgs, L_EARNINGS_IN] += earned
            _schedule(queue_head, queue_next, a, day + int(work + 0.5), last_day)
            return
        money[a] -= need
        ledger[n_orgs, L_FARES] += fare
        ledger[n_orgs, L_LIVING] += living
        ledger[controller if controller >= 0 else n_orgs, L_FEES] += fee

    if state[a] == STRANDED:
        state[a] = TRAVELLING
        current[STRANDED_NOW, c] -= 1
        loc_counts[LOC_STRANDED, here] -= 1
    there = link_to[link]
    c2 = loc_country[there]
    if link_crossing[link] == CROSSING_OFFICIAL:
        daily[OFFICIAL, c2] += 1
    elif irregular:
        daily[IRREGULAR, c2] += 1
        economy[11][link] += 1
        if controller >= 0 and uniform(keys[K_DRUG], day, a, 0) < econ[E_DRUG_PROB]:
            # Forced drug carrying across a controlled crossing.
            ledger[controller, L_DRUGS] += econ[E_DRUG_VALUE]
    loc_counts[LOC_PRESENT, here] -= 1
    current[PRESENT, c] -= 1
    current[MOVING, c] -= 1
    if link_risk[link] > 0.0 and uniform(keys[K_DEATH], day, a, 0) < link_risk[link]:
        state[a] = DEAD
        daily[DEATHS, c2] += 1
        ledger[n_orgs, L_LOST] += money[a]
        money[a] = 0.0
        return
    location[a] = there
    loc_counts[LOC_PRESENT, there] += 1
    current[PRESENT, c2] += 1
    current[MOVING, c2] += 1
    _schedule(queue_head, queue_next, a, day + travel_days, last_day)
