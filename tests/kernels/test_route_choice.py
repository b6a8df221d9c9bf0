"""Route choice: the logit draw of the next link, its deterministic limit, no loops, and route
information from the people who went before (ODD 7.3 "Route choice")."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import trocha
from trocha import rng
from trocha.codes import CROSSING_IRREGULAR
from trocha.kernels import counters as k
from trocha.kernels.choice import sample_next_link
from trocha.world.routing import link_costs, route_information


def _routed(scenario, scale=2000):
    """A simulation of `scenario` with its routing tables built (day 0)."""
    sim = trocha.Simulation(scenario, seed=1, scale=scale)
    for module in sim.modules:
        if module.name == "borders":
            module.init(sim)
    return sim


@pytest.fixture(scope="module")
def venezuela():
    return _routed(trocha.load_scenario("venezuela"))


def _pairs(sim):
    """Every (class, place, destination) with a route, the place not the destination."""
    finite = np.isfinite(sim.routing.cost)
    for c, here, dest in zip(*np.nonzero(finite), strict=True):
        if here != dest:
            yield int(c), int(here), int(dest)


def test_two_near_equal_routes_split_as_the_logit_says():
    """San Antonio - Cúcuta by the bridge (free) or the trochas (USD 5 fee, a little longer,
    a little risk): with no irregular penalty the trochas cost 7.8 USD more in generalised cost, so
    with scale 20 a share 1 / (1 + exp(7.8 / 20)) = 0.404 of those who set out take them. Money is
    plentiful (nobody is stranded at the border and redraws), fees and information stay fixed."""
    scale_usd = 20.0
    scenario = trocha.load_scenario("tiny").with_parameters(
        route_choice_scale_usd=scale_usd,
        irregular_penalty_usd=0.0,
        route_information_usd=0.0,
        fee_adjust_share_week=0.0,
        savings_median_usd=5000.0,
    )
    counts = np.zeros(2)
    for seed in (1, 2, 3):
        sim = trocha.Simulation(scenario, seed=seed, scale=200, end="2019-02-01")  # bridge open
        sim.run()
        w, p = sim.world, sim.parameters
        sa, cucuta = w.location_index("San Antonio del Táchira"), w.location_index("Cúcuta")
        bridge, trochas = np.flatnonzero((w.link_from == sa) & (w.link_to == cucuta))
        assert w.link_crossing[trochas] == CROSSING_IRREGULAR
        counts += sim.link_use[[bridge, trochas]]
    # The extra generalised cost of the trochas, from the ODD's link cost.
    extra = (
        sim.economy.link_fee[trochas]
        + p["value_of_time_usd_day"] * (w.link_days[trochas] - w.link_days[bridge])
        + p["death_risk_penalty_usd"] * w.link_risk[trochas]
    )
    assert extra == pytest.approx(7.8)
    share = 1.0 / (1.0 + np.exp(extra / scale_usd))
    n = int(counts.sum())
    assert n > 50_000
    assert stats.binomtest(int(counts[1]), n, share).pvalue > 1e-3
    # ... and not the split of a coin or of the cheapest route alone.
    assert stats.binomtest(int(counts[1]), n, 0.5).pvalue < 1e-9
    assert counts[1] > 0.3 * n


def _choice_at(sim, scale_usd):
    """The kernels' choice arrays with the route-choice scale set to `scale_usd`."""
    sim.parameters["route_choice_scale_usd"] = scale_usd
    sim.reroute(new_regimes=False)
    return sim.choice_arrays()


def test_a_vanishing_scale_is_the_cheapest_route(venezuela):
    us = rng.generator(1, "test.route", 0).random(3)
    off, vanishing = _choice_at(venezuela, 0.0), _choice_at(venezuela, 1e-9)
    assert off.route_cdf.size == 0 and vanishing.route_cdf.size > 0
    for c, here, dest in _pairs(venezuela):
        best = venezuela.routing.next_link[c, here, dest]
        assert sample_next_link(off, c, here, dest, us[0]) == best
        for u in us:
            assert sample_next_link(vanishing, c, here, dest, u) == best


def test_no_route_choice_loops_even_when_every_way_forward_weighs_the_same(venezuela):
    """With a huge scale every link that makes progress is about equally likely; walks from
    every place reach every destination, each hop strictly cheaper to go on from (or the
    cheapest route's first link), in fewer hops than there are places."""
    choice = _choice_at(venezuela, 1e6)
    w, routing = venezuela.world, venezuela.routing
    draws = rng.generator(2, "test.route", 0)
    detours = 0
    for c, here, dest in _pairs(venezuela):
        if dest not in w.destinations:
            continue
        place, hops = here, 0
        while place != dest:
            link = sample_next_link(choice, c, place, dest, draws.random())
            assert link >= 0 and w.link_from[link] == place
            nxt = int(w.link_to[link])
            best = routing.next_link[c, place, dest]
            assert routing.cost[c, nxt, dest] < routing.cost[c, place, dest] or link == best
            detours += link != best
            place, hops = nxt, hops + 1
            assert hops < w.n_locations
    assert detours > 1000


def test_people_and_money_are_conserved_with_wide_route_choice_and_information():
    scenario = trocha.load_scenario("tiny").with_parameters(
        route_choice_scale_usd=200.0, route_information_usd=20.0
    )
    sim = trocha.Simulation(scenario, seed=4, scale=200)
    r = sim.run()
    left = r.metric("emigrants_cumulative").to_numpy()
    abroad = r.metric("migrant_stock").to_numpy()
    at_origin = r.metric("migrant_stock", "VEN").to_numpy()
    gone = r.metric("returned_cumulative").to_numpy() + r.metric("deaths_cumulative").to_numpy()
    assert left[-1] > 0
    assert np.array_equal(left, abroad + at_origin + gone)
    ledger = sim.economy.ledger
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    money_out = ledger[:, list(k.MIGRANT_OUT)].sum()
    held = sim.people.money[: sim.people.count].sum()
    assert held + money_out == pytest.approx(money_in, rel=1e-9)
    assert sim.route_information.max() > 0


def test_route_information_lowers_only_the_irregular_penalty(venezuela):
    w, p = venezuela.world, dict(venezuela.parameters)
    p.update(route_information_usd=5.0, route_information_reference_week=100.0)
    people = np.full(len(w.link_from), 900.0)  # log1p(9) = 2.303 -> USD 11.5
    told = route_information(w, p, people)
    irregular = w.link_crossing == CROSSING_IRREGULAR
    assert np.allclose(told[irregular], 5.0 * np.log(10.0))
    assert (told[~irregular] == 0).all()
    # Never more than the irregular penalty; nothing where nobody went.
    assert route_information(w, p, people * 1e30)[irregular].max() == p["irregular_penalty_usd"]
    assert (route_information(w, p, np.zeros_like(people)) == 0).all()


def test_route_information_counts_people_not_agents():
    """The same people crossing, represented by agents at two scales, give the same information."""
    scenario = trocha.load_scenario("tiny").with_parameters(route_information_usd=5.0)
    told = []
    for scale in (100, 400):
        sim = trocha.Simulation(scenario, seed=1, scale=scale)
        for module in sim.modules:
            module.init(sim)
        journeys = next(m for m in sim.modules if m.name == "journeys")
        trochas = np.flatnonzero(sim.world.link_crossing == CROSSING_IRREGULAR)[0]
        sim.link_use[trochas] += 40_000 // scale  # 40,000 people in one week
        before = sim.reroutes
        journeys.start_step(sim, 7)
        assert sim.reroutes == before + 1  # new information: the tables are recomputed
        told.append(sim.route_information.copy())
        assert told[-1][trochas] == pytest.approx(5.0 * np.log1p(40_000 / 100))
        # The perceived generalised cost the routing uses fell by as much.
        base = link_costs(sim.world, sim.parameters, sim.link_prices())
        assert sim.routing.link_cost[0, trochas] == pytest.approx(base[trochas] - told[-1][trochas])
    assert np.array_equal(told[0], told[1])
