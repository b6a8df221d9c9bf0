"""Routing tables against brute force on the tiny and default scenarios."""

import datetime as dt

import numpy as np
import pytest

import trocha
from trocha.calendar import Calendar
from trocha.codes import CROSSING_IRREGULAR
from trocha.world.graph import build_world
from trocha.world.regimes import build_regime_schedule
from trocha.world.routing import compute_routing, irregular_entries, link_costs, trip_money


def floyd_warshall(world, cost, allowed_links):
    n = world.n_locations
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    for link in np.flatnonzero(allowed_links):
        a, b = world.link_from[link], world.link_to[link]
        dist[a, b] = min(dist[a, b], cost[link])
    for k in range(n):
        dist = np.minimum(dist, dist[:, [k]] + dist[[k], :])
    return dist


@pytest.mark.parametrize("name", ["tiny", "venezuela"])
@pytest.mark.parametrize("date", ["2014-06-01", "2019-03-01", "2020-06-01"])
def test_paths_are_shortest_and_trip_cost_follows_them(name, date):
    scenario = trocha.load_scenario(name)
    world = build_world(scenario)
    calendar = Calendar(scenario.spec.start, scenario.spec.end)
    schedule = build_regime_schedule(scenario, world, calendar)
    day = calendar.in_force_from(dt.date.fromisoformat(date))
    allowed = schedule.allowed(int(day), len(world.link_from))
    cost = link_costs(world, scenario.parameters)
    living = 4.0
    tables = compute_routing(world, cost, allowed, living)
    entry = irregular_entries(world, tables.next_link)
    for c in range(allowed.shape[0]):
        brute = floyd_warshall(world, cost, allowed[c])
        finite = np.isfinite(brute)
        assert np.array_equal(finite, np.isfinite(tables.cost[c]))
        assert np.allclose(tables.cost[c][finite], brute[finite])
        # Walking next_link from each place reaches each destination at the tabled cost and money.
        for j_index, j in enumerate(world.destinations[:8]):
            for i in range(world.n_locations):
                if not finite[i, j]:
                    assert tables.next_link[c, i, j] == -1
                    assert entry[c, i, j_index] == 0
                    continue
                here, total, money, hops, entered_irregularly = i, 0.0, 0.0, 0, 0
                while here != j:
                    link = tables.next_link[c, here, j]
                    assert allowed[c, link]
                    if (
                        world.link_crossing[link] == CROSSING_IRREGULAR
                        and world.location_country[world.link_to[link]] == world.location_country[j]
                    ):
                        entered_irregularly = 1
                    total += cost[link]
                    money += world.link_cost[link] + living * max(
                        1, int(world.link_days[link] + 0.5)
                    )
                    here = world.link_to[link]
                    hops += 1
                    assert hops <= world.n_locations
                assert total == pytest.approx(tables.cost[c, i, j])
                assert money == pytest.approx(tables.trip_cost[c, i, j_index])
                assert entry[c, i, j_index] == entered_irregularly


def _trip_money_by_relaxation(world, next_link, living_cost, prices):
    """Slow reference: relax money[i, j] = spend(next link) + money[next place, j] to a fixpoint."""
    n = world.n_locations
    spend = prices + living_cost * np.maximum(1, (world.link_days + 0.5).astype(np.int64))
    here, dest = np.arange(n)[:, None], np.arange(n)[None, :]
    out = np.empty(next_link.shape)
    for c in range(next_link.shape[0]):
        has = next_link[c] >= 0
        safe = np.where(has, next_link[c], 0)
        money = np.where(here == dest, 0.0, np.inf)
        for _ in range(n):
            step = np.where(has, spend[safe] + money[world.link_to[safe], dest], money)
            money = np.where(here == dest, 0.0, step)
        out[c] = money
    return out


@pytest.mark.parametrize("name", ["tiny", "venezuela"])
def test_trip_money_equals_relaxation(name):
    scenario = trocha.load_scenario(name)
    world = build_world(scenario)
    calendar = Calendar(scenario.spec.start, scenario.spec.end)
    schedule = build_regime_schedule(scenario, world, calendar)
    allowed = schedule.allowed(0, len(world.link_from))
    prices = world.link_cost * 1.5
    tables = compute_routing(world, link_costs(world, scenario.parameters), allowed, 12.0, prices)
    expected = _trip_money_by_relaxation(world, tables.next_link, 12.0, prices)
    got = trip_money(world, tables.next_link, 12.0, prices)
    assert np.array_equal(got, expected)
    assert np.isfinite(got).any() and (got > 0).any()
