"""Numba kernels of the exodus and journeys: pure functions over the people table.

Work is proportional to events: each day only the agents in that day's bucket of the calendar
queue are touched (those who leave, reach a place, run out of money, reconsider where they live,
or, as victims, come up for their monthly review).

Kernels take named inputs:
  agents   the people table (a structured array; `agents.money[a]` is agent a's money); its
           columns are those the modules declare (people.py, modules/*.py `columns`)
  keys     one random-stream key per declared stream (`keys.journeys_death` for
           "journeys.death"; modules/*.py `streams`)
  rules    named numbers from the modules' `kernel_rules` (`rules.living_cost_usd_day`)
  counters Counters: queue_head, current, daily, location, links (counters.py)
  links    world.graph.Links: to, days, fare, crossing, risk
  choice   choice.Choice: cdf, destinations, trip_cost, next_link and the route-choice arrays
  economy  economy.EconomyArrays: fees, crossing control, recruitment, the ledger
Money: every dollar a migrant pays is written to the ledger (counters.py), so money is conserved.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..codes import (
    CROSSING_IRREGULAR,
    CROSSING_OFFICIAL,
    DEAD,
    N_DOCUMENTS,
    RETURNED,
    SETTLED,
    STRANDED,
    TRAVELLING,
    VICTIM,
)
from ..rng import exponential, kernel_agent_uid, standard_normal, uniform
from .choice import route_class, sample_affordable, sample_cdf, sample_next_link, stay_weight
from .counters import (
    ARRIVALS,
    DEATHS,
    DEPARTURES,
    DRUG_ARRESTS,
    ENCOUNTERS,
    EXPULSIONS,
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
    PAROLES,
    PENDING_DAYS,
    PRESENT,
    RECRUITED_AGAIN,
    RECRUITED_BONDAGE,
    RECRUITED_DESTINATION,
    RECRUITED_ORIGIN,
    RETURN_DEPARTURES,
    RETURNS,
    STRANDED_NOW,
    STRANDINGS,
)
from .exploitation import control_factor, make_victim, recruitment_weight, review_victim
from .prefetch import prefetch

NO_WAY_WAIT_DAYS = 30  # how long an agent with no reachable destination waits before trying again


@njit(cache=True, inline="always")
def queue_push(queue_head, agents, a, day):
    agents.queue_next[a] = queue_head[day]
    queue_head[day] = a


@njit(cache=True, inline="always")
def _schedule(queue_head, agents, a, day, last_day):
    if day <= last_day:
        queue_push(queue_head, agents, a, day)


@njit(cache=True, inline="always")
def _choose_index(choice, doc, place, budget, u):
    """Index (into the destinations) drawn among the destinations the agent can afford."""
    return sample_affordable(choice.cdf[doc, place], choice.trip_cost[doc, place], budget, u)


@njit(cache=True, inline="always")
def _choose(choice, doc, place, budget, u):
    k = _choose_index(choice, doc, place, budget, u)
    return choice.destinations[k] if k >= 0 else -1


@njit(cache=True, inline="always")
def _try_recruit(
    a,
    mechanism,
    row,
    place,
    p_scale,
    day,
    last_day,
    keys,
    rules,
    loc_country,
    agents,
    counters,
    economy,
):
    """Recruitment attempt at `place` by the organisation operating there; True if recruited.

    The chance p falls smoothly with the victims the organisation already holds per member. The
    draw is the agent's recruitment clock (ODD 7.8): each exposure uses up -ln(1 - p) of an
    Exp(1) clock drawn once, and the agent is taken when it runs out. The same as a fresh draw
    per exposure, but the same agent meets the same clock in every scenario of a comparison
    whatever the day of its exposures, so common random numbers reach recruitment."""
    org = economy.place_org[place]
    if org < 0:
        return False
    p = (
        economy.recruit_prob[mechanism, place]
        * p_scale
        * recruitment_weight(rules, agents.female[a], agents.minor[a])
        * control_factor(
            economy.victims_counted[org],
            economy.control_capacity[org],
            rules.control_cost_exponent,
        )
    )
    if p <= 0.0:
        return False
    clock = agents.recruit_clock[a] + (np.log(1.0 - p) if p < 1.0 else -np.inf)
    if clock > 0.0:
        agents.recruit_clock[a] = clock
        return False
    # A fresh clock for after this spell of exploitation.
    agents.recruit_clock[a] = exponential(keys.exploitation_recruit, day, agents.uid[a], 4, 1.0)
    make_victim(
        a,
        org,
        day,
        last_day,
        keys.exploitation_place,
        rules,
        loc_country,
        agents,
        counters,
        economy,
    )
    counters.daily[row, loc_country[place]] += 1
    return True


@njit(cache=True, inline="always")
def _beats_staying(choice, doc, place, k, c, u):
    """Does destination index k beat staying at `place`? A binary logit between the two, with
    the country's premium for staying (settling in, papers, protection) on the side of staying."""
    row = choice.cdf[doc, place]
    move = row[k] - (row[k - 1] if k > 0 else 0.0)
    stay = stay_weight(row, choice.destinations, place) * np.exp(choice.stay_utility[c])
    return u * (move + stay) < move


@njit(cache=True, inline="always")
def _parole(a, c, here, choice, loc_country, agents, daily):
    """A passport holder weighing its options takes a parole place of another country, if one
    is left this month: it gets a visa-class document and heads for the city of that country it
    prefers (choice weights of the visa class from here); -1 if none."""
    for p in range(choice.parole_left.shape[0]):
        if p == c or choice.parole_left[p] < 1.0:
            continue
        row = choice.cdf[2 + N_DOCUMENTS * agents.means[a], here]
        best, best_weight, previous = -1, 0.0, 0.0
        for k in range(row.shape[0]):
            weight = row[k] - previous
            previous = row[k]
            if weight > best_weight and loc_country[choice.destinations[k]] == p:
                best, best_weight = choice.destinations[k], weight
        if best >= 0:
            choice.parole_left[p] -= 1.0
            agents.document[a] = 2
            daily[PAROLES, p] += 1
            return best
    return -1


@njit(cache=True, inline="always")
def _stay_settled(a, day, last_day, draw, c, keys, rules, wage_day, agents, counters, economy):
    """Schedule a settled migrant's next slow event; what they save until then is paid now
    (nothing reads a settled migrant's money before that event)."""
    wait = 1 + int(
        exponential(keys.journeys_settled_when, day, agents.uid[a], draw, rules.settled_event_days)
    )
    saved = wage_day[c] * rules.settled_saving_ratio * min(wait, last_day + 1 - day)
    if saved > 0.0:
        agents.money[a] += saved
        economy.ledger[economy.ledger.shape[0] - 1, L_EARNINGS_IN] += saved
    _schedule(counters.queue_head, agents, a, day + wait, last_day)


@njit(cache=True, _nrt=False)  # as process_day (below)
def spawn(
    day,
    last_day,
    first_id,
    counts,
    origin_places,
    keys,
    rules,
    choice,
    version,
    loc_country,
    agents,
    counters,
    economy,
):
    """Create today's emigrants (`counts[i]` at `origin_places[i]`), queued to start today."""
    current, daily, loc_counts = counters.current, counters.daily, counters.location
    ledger, package_org = economy.ledger, economy.package_org
    n_orgs = ledger.shape[0] - 1
    a = first_id
    for i in range(counts.shape[0]):
        place = origin_places[i]
        c = loc_country[place]
        for rank in range(counts[i]):
            uid = kernel_agent_uid(place, day, rank)
            agents.uid[a] = uid
            u = uniform(keys.exodus_document, day, uid, 0)
            doc = 2 if u < rules.visa_share else (1 if u < rules.passport_share else 0)
            cash = rules.savings_median_usd * np.exp(
                rules.savings_sigma * standard_normal(keys.exodus_money, day, uid, 0)
            )
            # Better-off: among the most savings, with a passport or visa (an identity card
            # opens no flight abroad; world/means.py).
            means = 1 if doc > 0 and cash >= rules.better_off_savings_usd else 0
            agents.state[a] = TRAVELLING
            agents.document[a] = doc
            agents.means[a] = means
            agents.returning[a] = 0
            agents.origin[a] = place
            agents.location[a] = place
            agents.money[a] = cash
            agents.route_version[a] = version
            female = uniform(keys.exodus_sex_age, day, uid, 0) < rules.female_share
            agents.female[a] = 1 if female else 0
            agents.minor[a] = (
                1 if uniform(keys.exodus_sex_age, day, uid, 1) < rules.minor_share else 0
            )
            agents.package[a] = 0
            agents.victim_org[a] = -1
            agents.former_org[a] = -1
            agents.debt[a] = 0.0
            agents.recruit_clock[a] = exponential(keys.exploitation_recruit, day, uid, 0, 1.0)
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
                rules,
                loc_country,
                agents,
                counters,
                economy,
            ):
                a += 1
                continue
            k = _choose_index(
                choice,
                doc + N_DOCUMENTS * means,
                place,
                cash,
                uniform(keys.journeys_destination, day, uid, 0),
            )
            agents.destination[a] = choice.destinations[k] if k >= 0 else -1
            seller = package_org[place]
            # Packages are the budget tier's overland passages (the better-off travel on their
            # own, mostly by air).
            if seller >= 0 and k >= 0 and means == 0:
                # The market prices packages (0: none for this trip, e.g. outside the network).
                price = economy.package_price[doc, place, k]
                if (
                    price > 0.0
                    and cash >= price
                    and uniform(keys.market_package, day, uid, 0) < rules.package_take_up
                ):
                    agents.money[a] -= price
                    ledger[seller, L_PACKAGES] += price
                    agents.package[a] = seller + 1
            queue_push(counters.queue_head, agents, a, day)
            a += 1
    return a


@njit(cache=True, _nrt=False)  # as process_day (below)
def spawn_settled(
    first_id,
    counts,
    first_ranks,
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
    """Emigrants already abroad at the start (`counts[i]` settled at `places[i]`).

    Their uids count from `first_ranks[i]` at each place (several rows may share a place).
    """
    current, loc_counts = counters.current, counters.location
    a = first_id
    for i in range(counts.shape[0]):
        place = places[i]
        c = loc_country[place]
        for r in range(counts[i]):
            uid = kernel_agent_uid(place, -1, first_ranks[i] + r)
            agents.uid[a] = uid
            agents.state[a] = SETTLED
            agents.document[a] = 1
            agents.means[a] = 0
            agents.returning[a] = 0
            k = sample_cdf(origin_cdf, uniform(keys.exodus_document, -1, uid, 0))
            agents.origin[a] = origin_places[k]
            agents.location[a] = place
            agents.destination[a] = place
            agents.money[a] = 0.0
            agents.route_version[a] = 0
            agents.female[a] = 1 if uniform(keys.exodus_sex_age, -1, uid, 0) < female_share else 0
            agents.minor[a] = 0
            agents.package[a] = 0
            agents.victim_org[a] = -1
            agents.former_org[a] = -1
            agents.debt[a] = 0.0
            agents.recruit_clock[a] = exponential(keys.exploitation_recruit, -1, uid, 0, 1.0)
            wait = exponential(keys.journeys_settled_when, -1, uid, 0, settled_event_days)
            _schedule(counters.queue_head, agents, a, int(wait), last_day)
            current[PRESENT, c] += 1
            loc_counts[LOC_PRESENT, place] += 1
            a += 1
    return a


# No reference counting (`_nrt=False`): `_handle` and its helpers are inlined at Numba IR level,
# and with NRT on every inlined call increfs and decrefs each array of the tuples it is passed
# (people, counters, economy, choice, links): atomic calls that took 85% of this kernel's time.
# Nothing here allocates (the kernel would not compile if it did); the arithmetic is unchanged.
@njit(cache=True, _nrt=False)
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
    horizon,
    pending,
):
    """Handle every agent whose next event falls on `day`; return how many were handled.

    `horizon`: the first day after `day` on which an input of a hop may change (routing, fees,
    controllers, fares, border policies; Simulation.quiet_until); a traveller's hops on the days
    before it are taken in the same event, their counts held in `pending` (counters.Pending)
    until their day. `horizon = day + 1` takes every hop on its own day."""
    queue_head = counters.queue_head
    handled = 0
    a = queue_head[day]
    queue_head[day] = -1
    while a != -1:
        handled += 1
        following = agents.queue_next[a]
        agents.queue_next[a] = -1
        if following != -1:
            prefetch(agents, following)  # its record arrives while this event is handled
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
            horizon,
            pending,
        )
        a = following
    return handled


@njit(cache=True, inline="always")
def _become_stranded(a, c, here, agents, counters):
    if agents.state[a] != STRANDED:
        agents.state[a] = STRANDED
        counters.current[STRANDED_NOW, c] += 1
        counters.location[LOC_STRANDED, here] += 1
        counters.daily[STRANDINGS, c] += 1


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
    horizon,
    pending,
):
    queue_head, current, daily, loc_counts = (
        counters.queue_head,
        counters.current,
        counters.daily,
        counters.location,
    )
    ledger = economy.ledger
    n_orgs = ledger.shape[0] - 1
    here = agents.location[a]
    c = loc_country[here]
    uid = agents.uid[a]

    if agents.state[a] == VICTIM:
        review_victim(
            a,
            day,
            last_day,
            keys.exploitation_exit,
            rules,
            choice,
            loc_country,
            links,
            agents,
            counters,
            economy,
        )
        return

    if agents.state[a] == SETTLED and agents.former_org[a] >= 0:
        # A freed victim the organisation comes back for (re-trafficking); if not, from now on an
        # ordinary settled migrant.
        org = agents.former_org[a]
        agents.former_org[a] = -1
        p = rules.retrafficking_probability * control_factor(
            economy.victims_counted[org], economy.control_capacity[org], rules.control_cost_exponent
        )
        if p > 0.0 and uniform(keys.exploitation_recruit, day, uid, 3) < p:
            make_victim(
                a,
                org,
                day,
                last_day,
                keys.exploitation_place,
                rules,
                loc_country,
                agents,
                counters,
                economy,
            )
            daily[RECRUITED_AGAIN, c] += 1
            return
        wait = exponential(keys.journeys_settled_when, day, uid, 2, rules.settled_event_days)
        _schedule(queue_head, agents, a, day + 1 + int(wait), last_day)
        return

    if agents.state[a] == SETTLED:
        # A slow event of a settled migrant: take a parole place, return home, move on, or stay
        # and keep saving.
        paroled_to = -1
        if agents.document[a] == 1:
            paroled_to = _parole(a, c, here, choice, loc_country, agents, daily)
        if paroled_to >= 0:
            agents.destination[a] = paroled_to
            agents.route_version[a] = version
            agents.returning[a] = 0
        elif uniform(keys.journeys_settled_what, day, uid, 0) < choice.return_share[c]:
            agents.returning[a] = 1
            agents.destination[a] = agents.origin[a]
            daily[RETURN_DEPARTURES, c] += 1
        else:
            doc = route_class(agents, a)
            k = _choose_index(
                choice,
                doc,
                here,
                agents.money[a] + wage_day[c] * rules.plan_work_days,
                uniform(keys.journeys_destination, day, uid, 1),
            )
            new_dest = choice.destinations[k] if k >= 0 else -1
            if (
                new_dest < 0
                or loc_country[new_dest] == c
                or not _beats_staying(
                    choice, doc, here, k, c, uniform(keys.journeys_settled_what, day, uid, 1)
                )
            ):
                _stay_settled(
                    a, day, last_day, 0, c, keys, rules, wage_day, agents, counters, economy
                )
                return
            agents.destination[a] = new_dest
            agents.route_version[a] = version
            agents.returning[a] = 0  # moving on, not home
        agents.state[a] = TRAVELLING
        current[MOVING, c] += 1

    if (
        agents.returning[a] == 0
        and agents.package[a] == 0
        and (agents.route_version[a] != version or agents.destination[a] < 0)
    ):
        # Border regimes changed since the agent chose: reconsider from here.
        agents.destination[a] = _choose(
            choice,
            route_class(agents, a),
            here,
            agents.money[a] + wage_day[c] * rules.plan_work_days,
            uniform(keys.journeys_destination, day, uid, 2),
        )
        agents.route_version[a] = version

    dest = agents.destination[a]
    link = -1
    if dest >= 0 and dest != here:
        # Route choice: a logit draw over the links that bring it closer (-1: no way on).
        link = sample_next_link(
            choice, route_class(agents, a), here, dest, uniform(keys.journeys_route, day, uid, 0)
        )
    if dest < 0 or (link < 0 and dest != here):
        # No way on with this document (e.g. the way home is closed): wait and retry.
        _become_stranded(a, c, here, agents, counters)
        _schedule(queue_head, agents, a, day + NO_WAY_WAIT_DAYS, last_day)
        return

    if here == dest:
        if agents.state[a] == STRANDED:
            current[STRANDED_NOW, c] -= 1
            loc_counts[LOC_STRANDED, here] -= 1
        current[MOVING, c] -= 1
        if agents.returning[a] == 1:
            agents.state[a] = RETURNED
            current[PRESENT, c] -= 1
            loc_counts[LOC_PRESENT, here] -= 1
            daily[RETURNS, c] += 1
            return
        agents.state[a] = SETTLED
        daily[ARRIVALS, c] += 1
        exposure = rules.package_exposure if agents.package[a] > 0 else 1.0
        agents.package[a] = 0
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
            rules,
            loc_country,
            agents,
            counters,
            economy,
        ):
            return
        _stay_settled(a, day, last_day, 1, c, keys, rules, wage_day, agents, counters, economy)
        return

    travel_days = max(1, int(links.days[link] + 0.5))
    seller = agents.package[a] - 1
    if seller < 0:
        need = _hop_cost(link, travel_days, rules, links, economy)
        if agents.money[a] < need:
            if agents.state[a] == STRANDED and agents.returning[a] == 0:
                # Stranded again after a spell of work: reconsider, among places within reach.
                budget = agents.money[a] + wage_day[c] * rules.stranded_work_days
                new_dest = _choose(
                    choice,
                    route_class(agents, a),
                    here,
                    budget,
                    uniform(keys.journeys_destination, day, uid, 3),
                )
                if new_dest >= 0:
                    agents.destination[a] = new_dest
            _become_stranded(a, c, here, agents, counters)
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
                rules,
                loc_country,
                agents,
                counters,
                economy,
            ):
                return
            work = 1.0 + exponential(keys.journeys_work, day, uid, 0, rules.stranded_work_days)
            earned = wage_day[c] * work
            agents.money[a] += earned
            ledger[n_orgs, L_EARNINGS_IN] += earned
            _schedule(queue_head, agents, a, day + int(work + 0.5), last_day)
            return

    if agents.state[a] == STRANDED:
        agents.state[a] = TRAVELLING
        current[STRANDED_NOW, c] -= 1
        loc_counts[LOC_STRANDED, here] -= 1
    next_day = _hop(
        a,
        day,
        link,
        travel_days,
        last_day,
        keys,
        rules,
        choice,
        loc_country,
        links,
        agents,
        economy,
        queue_head,
        current,
        daily,
        loc_counts,
        counters.links,
        economy.link_crossings,
        ledger,
    )
    # The hops that follow on the days of the quiet stretch, in this event (counters.py
    # Pending): each is the hop the agent's event on its day would take, with that day's draws.
    # A second call site rather than one call on arrays chosen by day: Numba specialises each
    # call to its arrays' layouts; the shared call measured 25.0-25.9 CPU s at full scale against
    # 20.5-24.2 s for two (single runs, which vary by 10-15% on the machine measured).
    while next_day >= 0:
        step_day = next_day
        if step_day >= horizon or step_day > last_day:
            break
        here = agents.location[a]
        dest = agents.destination[a]
        if dest < 0 or here == dest:
            break
        if (
            agents.returning[a] == 0
            and agents.package[a] == 0
            and agents.route_version[a] != version
        ):
            break
        link = sample_next_link(
            choice,
            route_class(agents, a),
            here,
            dest,
            uniform(keys.journeys_route, step_day, uid, 0),
        )
        if link < 0:
            break
        travel_days = max(1, int(links.days[link] + 0.5))
        if agents.package[a] == 0 and agents.money[a] < _hop_cost(
            link, travel_days, rules, links, economy
        ):
            break
        slot = step_day % PENDING_DAYS
        next_day = _hop(
            a,
            step_day,
            link,
            travel_days,
            last_day,
            keys,
            rules,
            choice,
            loc_country,
            links,
            agents,
            economy,
            queue_head,
            pending.current[slot],
            pending.daily[slot],
            pending.location[slot],
            pending.links[slot],
            pending.crossings[slot],
            pending.ledger[slot],
        )
    if next_day >= 0:
        _schedule(queue_head, agents, a, next_day, last_day)


@njit(cache=True, inline="always")
def _hop_cost(link, travel_days, rules, links, economy):
    """USD a migrant paying its own way needs for the link: fare (official) or fee (irregular)
    and living costs on the way."""
    living = rules.living_cost_usd_day * travel_days
    if links.crossing[link] == CROSSING_IRREGULAR:
        return economy.link_fee[link] + living
    return links.fare[link] + living


@njit(cache=True, inline="always")
def _hop(
    a,
    day,
    link,
    travel_days,
    last_day,
    keys,
    rules,
    choice,
    loc_country,
    links,
    agents,
    economy,
    queue_head,
    current,
    daily,
    loc_counts,
    link_counts,
    crossings,
    ledger,
):
    """Agent a, able to pay, takes `link` on `day`: pays, crosses, may be met and expelled or
    die on the way, else is at the link's end. Returns the day of its next event (the hop's
    arrival, or the end of a detention), or -1 when this event scheduled or ended it. Writes
    go to the given counter arrays (today's, or a pending slot for a hop taken ahead)."""
    n_orgs = ledger.shape[0] - 1
    here = agents.location[a]
    c = loc_country[here]
    uid = agents.uid[a]
    living = rules.living_cost_usd_day * travel_days
    irregular = links.crossing[link] == CROSSING_IRREGULAR
    fee = economy.link_fee[link] if irregular else 0.0
    fare = links.fare[link] if not irregular else 0.0
    controller = economy.link_controller[link] if irregular else -1
    seller = agents.package[a] - 1
    if seller >= 0:
        # A package client: the organisation pays the way (its own trochas cost it nothing).
        own = controller == seller
        ledger[seller, L_PACKAGE_COSTS] += fare + living + (0.0 if own else fee)
    else:
        agents.money[a] -= fare + living + fee
        ledger[n_orgs, L_FARES] += fare
        ledger[n_orgs, L_LIVING] += living
        ledger[controller if controller >= 0 else n_orgs, L_FEES] += fee
    there = links.to[link]
    c2 = loc_country[there]
    link_counts[link] += 1
    if links.crossing[link] == CROSSING_OFFICIAL:
        daily[OFFICIAL, c2] += 1
    elif irregular:
        daily[IRREGULAR, c2] += 1
        crossings[link] += 1
    detained = 0
    if economy.link_drug_route[link] == 1:
        # Forced drug carrying on a drug route, by the organisation operating there or, for a
        # package client, by the seller transporting it.
        carrier_org = economy.link_drug_org[link]
        if carrier_org < 0:
            carrier_org = seller
        if (
            carrier_org >= 0
            and uniform(keys.market_drug_carrying, day, uid, 0) < rules.drug_carry_probability
        ):
            caught = uniform(keys.market_drug_carrying, day, uid, 1)
            if caught < rules.drug_carrier_arrest_probability:
                # The load is seized and the carrier detained on the far side.
                daily[DRUG_ARRESTS, c2] += 1
                detained = int(rules.drug_detention_days + 0.5)
            else:
                ledger[carrier_org, L_DRUGS] += rules.drug_carry_value_usd
    if (
        irregular
        and choice.apprehension[c2] > 0.0
        and uniform(keys.journeys_border, day, uid, 0) < choice.apprehension[c2]
    ):
        # Met by the border authorities (an encounter); some are expelled back to where they
        # crossed from, and reconsider from there.
        daily[ENCOUNTERS, c2] += 1
        if uniform(keys.journeys_border, day, uid, 1) < choice.expulsion[c2]:
            daily[EXPULSIONS, c2] += 1
            agents.route_version[a] = -1
            _schedule(queue_head, agents, a, day + travel_days + detained, last_day)
            return -1
    loc_counts[LOC_PRESENT, here] -= 1
    current[PRESENT, c] -= 1
    current[MOVING, c] -= 1
    if links.risk[link] > 0.0 and uniform(keys.journeys_death, day, uid, 0) < links.risk[link]:
        agents.state[a] = DEAD
        daily[DEATHS, c2] += 1
        ledger[n_orgs, L_LOST] += agents.money[a]
        agents.money[a] = 0.0
        return -1
    agents.location[a] = there
    loc_counts[LOC_PRESENT, there] += 1
    current[PRESENT, c2] += 1
    current[MOVING, c2] += 1
    return day + travel_days + detained
