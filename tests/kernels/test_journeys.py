"""The journeys kernel against a slow, plain-Python statement of the same rules on a small world."""

from __future__ import annotations

import copy

import numpy as np

import trocha
from trocha import rng
from trocha.codes import SETTLED, STRANDED, TRAVELLING
from trocha.kernels import counters as k
from trocha.kernels.choice import sample_affordable_py

# Fields of the stream-key record (rng.stream_keys) that the reference draws from.
K_DEATH, K_DESTINATION, K_WORK = "journeys_death", "journeys_destination", "journeys_work"
K_SETTLED_WHAT, K_SETTLED_WHEN = "journeys_settled_what", "journeys_settled_when"


def _exp(key, day, agent, kk, mean):
    return -mean * np.log(1.0 - rng.uniform_py(int(key), day, agent, kk))


def reference_day(day, last_day, keys, version, p, next_link, cdf, dests, loc_country, world, s):
    """Plain-Python rules for every agent queued on `day` (same bucket order as the kernel)."""
    bucket = []
    a = s["queue_head"][day]
    while a != -1:
        bucket.append(a)
        a = s["queue_next"][a]
    s["queue_head"][day] = -1
    for a in bucket:
        s["queue_next"][a] = -1
    for a in bucket:
        _reference_agent(
            a, day, last_day, keys, version, p, next_link, cdf, dests, loc_country, world, s
        )


def _push(s, a, day, last_day):
    if day <= last_day:
        s["queue_next"][a] = s["queue_head"][day]
        s["queue_head"][day] = a


def _choose_index(cdf, trip, doc, place, budget, u):
    return sample_affordable_py(cdf[doc, place], trip[doc, place], budget, u)


def _choose(cdf, dests, trip, doc, place, budget, u):
    i = _choose_index(cdf, trip, doc, place, budget, u)
    return int(dests[i]) if i >= 0 else -1


def _stay(s, a, c, day, last_day, p, keys, uid, kk):
    """Next slow event of a settled migrant; the savings of the wait are paid now."""
    wait = 1 + int(_exp(keys[K_SETTLED_WHEN], day, uid, kk, p["settled_days"]))
    s["money"][a] = s["money"][a] + p["wage_day"][c] * p["saving_ratio"] * min(
        wait, last_day + 1 - day
    )
    _push(s, a, day + wait, last_day)


def _moves_on(cdf, dests, doc, here, i, stay_utility, u):
    """The drawn destination i against staying at `here` (binary logit, stay premium)."""
    row = list(cdf[doc, here])
    weights = [now - before for now, before in zip(row, [0.0, *row[:-1]], strict=True)]
    stay = sum(w for j, w in enumerate(weights) if dests[j] == here) * np.exp(stay_utility)
    return u * (weights[i] + stay) < weights[i]


def _strand(s, a, c, here):
    if s["state"][a] != STRANDED:
        s["state"][a] = STRANDED
        s["current"][k.STRANDED_NOW, c] += 1
        s["loc"][k.LOC_STRANDED, here] += 1
        s["daily"][k.STRANDINGS, c] += 1


def _reference_agent(
    a, day, last_day, keys, version, p, next_link, cdf, dests, loc_country, world, s
):
    here = int(s["location"][a])
    c = loc_country[here]
    uid = int(s["uid"][a])
    u = lambda stream, kk=0: rng.uniform_py(int(keys[stream]), day, uid, kk)  # noqa: E731
    if s["state"][a] == SETTLED:
        if u(K_SETTLED_WHAT) < p["return_share"][c]:
            s["returning"][a] = 1
            s["destination"][a] = s["origin"][a]
            s["daily"][k.RETURN_DEPARTURES, c] += 1
        else:
            doc = s["document"][a]
            i = _choose_index(cdf, p["trip"], doc, here, s["money"][a], u(K_DESTINATION, 1))
            new = int(dests[i]) if i >= 0 else -1
            if (
                new < 0
                or loc_country[new] == c
                or not _moves_on(cdf, dests, doc, here, i, p["stay"][c], u(K_SETTLED_WHAT, 1))
            ):
                _stay(s, a, c, day, last_day, p, keys, uid, 0)
                return
            s["destination"][a] = new
            s["route_version"][a] = version
        s["state"][a] = TRAVELLING
        s["current"][k.MOVING, c] += 1
    if s["returning"][a] == 0 and (s["route_version"][a] != version or s["destination"][a] < 0):
        s["destination"][a] = _choose(
            cdf, dests, p["trip"], s["document"][a], here, s["money"][a], u(K_DESTINATION, 2)
        )
        s["route_version"][a] = version
    dest = int(s["destination"][a])
    if dest < 0:
        _strand(s, a, c, here)
        _push(s, a, day + 30, last_day)
        return
    if here == dest:
        if s["state"][a] == STRANDED:
            s["current"][k.STRANDED_NOW, c] -= 1
            s["loc"][k.LOC_STRANDED, here] -= 1
        s["current"][k.MOVING, c] -= 1
        if s["returning"][a]:
            s["state"][a] = 4
            s["current"][k.PRESENT, c] -= 1
            s["loc"][k.LOC_PRESENT, here] -= 1
            s["daily"][k.RETURNS, c] += 1
        else:
            s["state"][a] = SETTLED
            s["daily"][k.ARRIVALS, c] += 1
            _stay(s, a, c, day, last_day, p, keys, uid, 1)
        return
    link = next_link[s["document"][a], here, dest]
    if link < 0:
        _strand(s, a, c, here)
        _push(s, a, day + 30, last_day)
        return
    travel = max(1, int(world.link_days[link] + 0.5))
    irregular = world.link_crossing[link] == 2
    need = (p["fees"][link] if irregular else world.link_cost[link]) + p["living"] * travel
    if s["money"][a] < need:
        if s["state"][a] == STRANDED and s["returning"][a] == 0:
            budget = s["money"][a] + p["wage_day"][c] * p["work_days"]
            new = _choose(
                cdf, dests, p["trip"], s["document"][a], here, budget, u(K_DESTINATION, 3)
            )
            if new >= 0:
                s["destination"][a] = new
        _strand(s, a, c, here)
        work = 1.0 + _exp(keys[K_WORK], day, uid, 0, p["work_days"])
        s["money"][a] = s["money"][a] + p["wage_day"][c] * work
        _push(s, a, day + int(work + 0.5), last_day)
        return
    if s["state"][a] == STRANDED:
        s["state"][a] = TRAVELLING
        s["current"][k.STRANDED_NOW, c] -= 1
        s["loc"][k.LOC_STRANDED, here] -= 1
    s["money"][a] = s["money"][a] - need
    there = int(world.link_to[link])
    c2 = loc_country[there]
    if world.link_crossing[link] == 1:
        s["daily"][k.OFFICIAL, c2] += 1
    elif world.link_crossing[link] == 2:
        s["daily"][k.IRREGULAR, c2] += 1
    s["loc"][k.LOC_PRESENT, here] -= 1
    s["current"][k.PRESENT, c] -= 1
    s["current"][k.MOVING, c] -= 1
    if world.link_risk[link] > 0 and u(K_DEATH) < world.link_risk[link]:
        s["state"][a] = 5
        s["daily"][k.DEATHS, c2] += 1
        s["money"][a] = 0.0
        return
    s["location"][a] = there
    s["loc"][k.LOC_PRESENT, there] += 1
    s["current"][k.PRESENT, c2] += 1
    s["current"][k.MOVING, c2] += 1
    _push(s, a, day + travel, last_day)


def test_kernel_matches_reference_on_tiny_world():
    # This reference has no forced drug carrying (test_reference_model.py covers it), and scale 0
    # is the deterministic limit of route choice, every hop on the cheapest route (the logit draw
    # is checked against the ODD reference in test_reference_model.py).
    scenario = trocha.load_scenario("tiny").with_parameters(
        savings_median_usd=40.0, drug_carry_probability=0.0, route_choice_scale_usd=0.0
    )
    sim = trocha.Simulation(scenario, seed=5, scale=500, end="2017-06-30")
    for module in sim.modules:
        module.init(sim)
    # Let a few dozen agents leave on the first days, then step kernel and reference side by side.
    by_name = {m.name: m for m in sim.modules}
    journeys = by_name["journeys"]
    journeys.chain_hops = False  # the reference takes each hop on its day (test_hop_chains.py)
    for day in range(0, 150):
        for module in sim.modules:
            module.start_step(sim, day)
        for module in sim.modules:
            if module.name == "journeys":
                break
            module.step(sim, day)
        people = sim.people
        names = [
            "state",
            "document",
            "returning",
            "origin",
            "location",
            "destination",
            "money",
            "route_version",
            "queue_next",
            "uid",
        ]
        ref = {n: copy.deepcopy(getattr(people, n)) for n in names}
        ref.update(
            queue_head=sim.queue_head.copy(),
            current=sim.current.copy(),
            daily=sim.daily.copy(),
            loc=sim.location_counts.copy(),
        )
        p = sim.parameters
        params = {
            "return_share": sim.return_share,
            "settled_days": journeys.settled_event_days,
            "living": p["living_cost_usd_day"],
            "work_days": p["stranded_work_days"],
            "wage_day": journeys.wage_day,
            "trip": sim.routing.trip_cost,
            "fees": sim.economy.link_fee,
            "saving_ratio": p["settled_saving_share"] / p["stranded_earning_share"],
            "stay": sim.stay_utility,
        }
        reference_day(
            day,
            sim.last_day,
            sim.keys,
            sim.routing_version,
            params,
            sim.routing.next_link,
            sim.choice,
            sim.world.destinations,
            sim.world.location_country,
            sim.world,
            ref,
        )
        journeys.step(sim, day)
        for n in names:
            assert np.array_equal(getattr(people, n), ref[n]), (day, n)
        assert np.array_equal(sim.queue_head, ref["queue_head"]), day
        assert np.array_equal(sim.current, ref["current"]), day
        assert np.array_equal(sim.daily, ref["daily"]), day
        assert np.array_equal(sim.location_counts, ref["loc"]), day
        by_name["recorder"].update_results(sim, day)
        sim.finish_day(day)
    states = sim.people.states()
    # The comparison covered every kind of event.
    assert sim.people.count > 50
    assert (states == SETTLED).any() and (sim.cumulative[k.STRANDINGS].sum() > 0)
