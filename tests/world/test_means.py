"""Means tiers: who is better-off, how much a dollar of fare weighs for them, and whom they route
by air where the budget tier goes overland."""

from __future__ import annotations

import math

import numpy as np
import pytest

import trocha
from trocha.codes import N_DOCUMENTS
from trocha.people import departed_day
from trocha.world.graph import MODES
from trocha.world.means import (
    better_off_fare_weight,
    better_off_threshold,
    fare_weights,
    n_means,
    route_class_allowed,
)
from trocha.world.regimes import DOCUMENT_CLASSES

PASSPORT = DOCUMENT_CLASSES.index("passport")
SAVINGS = {"savings_median_usd": 250.0, "savings_sigma": 1.0}


def test_no_tier_without_a_share():
    p = {**SAVINGS, "better_off_share": 0.0}
    assert n_means(p) == 1
    assert better_off_threshold(p) == math.inf
    assert better_off_fare_weight(p) == 1.0
    assert fare_weights(p).tolist() == [1.0] * N_DOCUMENTS
    allowed = np.array([[True, False], [True, True], [False, True]])
    assert np.array_equal(route_class_allowed(allowed, p), allowed)


def test_threshold_and_fare_weight_known_answers():
    # Half the emigrants better-off: the threshold is the median savings.
    half = {**SAVINGS, "better_off_share": 0.5}
    assert better_off_threshold(half) == pytest.approx(250.0)
    # E[S | S > median] = median x exp(1/2) x Phi(1) / 0.5 = 250 x 2.7742 for sigma 1.
    assert better_off_fare_weight(half) == pytest.approx(1 / (math.exp(0.5) * 0.841345 / 0.5))
    # Against a sample: the tier's mean savings over the median savings.
    p = {**SAVINGS, "better_off_share": 0.1}
    savings = 250.0 * np.exp(np.random.default_rng(3).standard_normal(2_000_000))
    threshold = better_off_threshold(p)
    assert np.mean(savings >= threshold) == pytest.approx(0.1, abs=0.001)
    assert 250.0 / savings[savings >= threshold].mean() == pytest.approx(
        better_off_fare_weight(p), rel=0.01
    )
    weights = fare_weights(p)
    assert weights[:N_DOCUMENTS].tolist() == [1.0] * N_DOCUMENTS
    assert np.allclose(weights[N_DOCUMENTS:], better_off_fare_weight(p))
    assert route_class_allowed(np.ones((N_DOCUMENTS, 4), dtype=bool), p).shape == (6, 4)


def test_shares_at_the_ends_of_the_range_give_finite_answers():
    # 1 - share is 1.0 in floating point below about 1e-17 (a fuzz case: 7.6e-19 failed with
    # "p must be in the range 0.0 < p < 1.0"): nobody is better-off, and the tier's weight is
    # small but defined; a share of 1 makes everyone better-off at the population's mean.
    tiny = {**SAVINGS, "better_off_share": 7.6e-19}
    assert better_off_threshold(tiny) > 250.0 * math.exp(8.0)
    assert 0.0 < better_off_fare_weight(tiny) < 1e-3
    everyone = {**SAVINGS, "better_off_share": 1.0}
    assert better_off_threshold(everyone) == 0.0
    assert better_off_fare_weight(everyone) == pytest.approx(math.exp(-0.5))


def _first_hops(sim, origin: str, destination: str, route_class: int) -> list[str]:
    w, r = sim.world, sim.routing
    names = list(w.location_names)
    here, goal = names.index(origin), names.index(destination)
    hops = []
    while here != goal and len(hops) < 60:
        link = r.next_link[route_class, here, goal]
        assert link >= 0
        hops.append(MODES[w.link_mode[link]])
        here = w.link_to[link]
    return hops


def test_the_better_off_fly_where_the_budget_tier_takes_the_bus():
    scenario = trocha.load_scenario("venezuela").with_parameters(better_off_share=0.1)
    sim = trocha.Simulation(scenario, seed=1, scale=20000, end="2014-01-31")
    sim.run()
    budget = _first_hops(sim, "Distrito Capital y La Guaira", "Lima", PASSPORT)
    better_off = _first_hops(sim, "Distrito Capital y La Guaira", "Lima", PASSPORT + N_DOCUMENTS)
    assert "air" not in budget
    assert "air" in better_off
    # Money is money: both tiers' trip cost is what their own route costs in fares and living.
    k = list(sim.world.destinations).index(list(sim.world.location_names).index("Lima"))
    origin = list(sim.world.location_names).index("Distrito Capital y La Guaira")
    assert (
        sim.routing.trip_cost[PASSPORT + N_DOCUMENTS, origin, k]
        > sim.routing.trip_cost[PASSPORT, origin, k]
    )


def test_departures_join_the_better_off_tier_by_savings_and_passport():
    share = 0.2
    scenario = trocha.load_scenario("venezuela").with_parameters(
        better_off_share=share, recruit_origin_probability=0.0
    )
    sim = trocha.Simulation(scenario, seed=2, scale=500, end="2016-12-31")
    sim.run()
    people = sim.people
    n = people.count
    means, document = people.column("means")[:n], people.column("document")[:n]
    departed = departed_day(people.column("uid")[:n]) >= 0  # not the initial stock
    # No identity-card holder is better-off; among passport and visa holders, about `share`.
    assert not (means[document == 0] == 1).any()
    holders = departed & (document > 0)
    observed = means[holders].mean()
    tolerance = 4 * math.sqrt(share * (1 - share) / holders.sum())
    assert abs(observed - share) < tolerance, (observed, holders.sum())


def test_a_vanishing_tier_weighs_a_dollar_at_almost_nothing_without_dividing_by_zero():
    """A share of 1.5e-31 (found by the fuzz test): Phi(sigma - z) underflows, the weight does
    not; it shrinks as the tier does and stays below the weight of a larger tier."""
    from trocha.world.means import better_off_fare_weight

    def weight(share: float) -> float:
        return better_off_fare_weight({"better_off_share": share, "savings_sigma": 1.0})

    tiny = weight(1.5e-31)
    assert 0.0 < tiny < weight(1e-6) < weight(0.1)
    assert weight(0.1) == pytest.approx(0.156, abs=1e-3)  # ODD 7.3
