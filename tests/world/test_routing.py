"""Routing tables against brute force on the tiny and default scenarios."""

import datetime as dt

import numpy as np
import pytest

import trocha
from trocha.calendar import Calendar
from trocha.codes import CROSSING_IRREGULAR
from trocha.world.graph import build_world
from trocha.world.regimes import build_regime_schedule
from trocha.world.routing import compute_routing, link_costs, trip_money


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
    entry = tables.irregular_entry
    for c in range(allowed.shape[0]):
        brute = floyd_warshall(world, cost, allowed[c])
        finite = np.isfinite(brute)
        assert np.array_equal(finite, np.isfinite(tables.cost[c]))
        assert np.allclose(tables.cost[c][finite], brute[finite])
        # Walking next_link from each place reaches each destination at the tabled cost and money.
        for j_index, j in enumerate(world.destinations):
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


def test_shortest_paths_break_ties_by_cost_then_link_index():
    """Parallel links: the cheapest wins, then the lowest index; a link that is not allowed
    (inf) is never taken; a place with no way to j gets -1 and inf."""
    from trocha.world.routing import _shortest_paths

    # places 0 -> 1 -> 2; links 0 and 1 are parallel 0 -> 1 of equal cost, link 2 a dearer
    # parallel, link 3 is 1 -> 2, link 4 a forbidden 0 -> 2 shortcut; place 3 is cut off.
    link_from = np.array([0, 0, 0, 1, 0], dtype=np.int64)
    link_to = np.array([1, 1, 1, 2, 2], dtype=np.int64)
    cost = np.array([2.0, 2.0, 1.5, 1.0, np.inf])
    order = np.argsort(link_to, kind="stable").astype(np.int64)
    start = np.zeros(5, dtype=np.int64)
    np.cumsum(np.bincount(link_to, minlength=4), out=start[1:])
    dist = np.empty((4, 4))
    nxt = np.empty((4, 4), dtype=np.int32)
    entry = np.zeros((4, 1), dtype=np.int8)  # destination 0 is place 2
    into = np.full(5, -1)  # no irregular link
    country, dest_index = np.arange(4), np.array([-1, -1, 0, -1])

    def _shortest_paths_of(cost):
        _shortest_paths(
            cost, link_from, link_to, start, order, into, country, dest_index, (dist, nxt, entry)
        )

    _shortest_paths_of(cost)
    assert nxt[0, 1] == 2 and dist[0, 1] == 1.5
    assert nxt[0, 2] == 2 and dist[0, 2] == 2.5
    cost[2] = 2.0  # now three equal parallel links: the lowest index
    _shortest_paths_of(cost)
    assert nxt[0, 1] == 0 and nxt[0, 2] == 0 and dist[0, 2] == 3.0
    assert nxt[3, 2] == -1 and dist[3, 2] == np.inf and nxt[2, 2] == -1 and dist[2, 2] == 0.0
    assert not entry.any()
    into[3] = 2  # link 3 (1 -> 2) an irregular crossing into place 2's country
    _shortest_paths_of(cost)
    assert list(entry[:, 0]) == [1, 1, 0, 0]  # 0 and 1 enter by it; 2 is there, 3 cut off
