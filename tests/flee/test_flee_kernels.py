"""The movement kernel against the slow Python reference (tests/flee/reference.py), draw for draw."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import numpy as np
import pytest
from flee_reference import World, reference_day
from flee_reference import cap_multiplier as cap_reference

from trocha import Simulation
from trocha.flee.kernels import cap_multiplier, step_day
from trocha.rng import stream_key


def test_cap_multiplier_known_values():
    # capacity 100, buffer 0.9: full weight up to 90, zero from 100, linear between
    assert cap_multiplier(90, 100, 0.9) == 1.0
    assert cap_multiplier(95, 100, 0.9) == pytest.approx(0.5)
    assert cap_multiplier(100, 100, 0.9) == 0.0
    assert cap_multiplier(5000, -1, 0.9) == 1.0  # no capacity
    for count in range(0, 120, 7):
        assert cap_multiplier(count, 100, 0.8) == pytest.approx(cap_reference(count, 100, 0.8))


def _snapshot(sim):
    agents = []
    for i in range(sim.n):
        agents.append(
            {
                "id": i,
                "loc": int(sim.loc[i]),
                "link": None if sim.link[i] < 0 else int(sim.link[i]),
                "on_link": float(sim.on_link[i]),
                "recent": float(sim.recent[i]),
                "started": bool(sim.started[i]),
                "route": [int(x) for x in sim.route[i, : sim.route_len[i]]],
                "k": 0,
            }
        )
    return agents


@pytest.mark.parametrize(
    ("name", "scale", "changes", "days"),
    [
        ("flee_test", 5, {"camp_movechance": 0.2}, 4),
        ("mali2012", 200, {}, 40),
        ("mali2012", 200, {"awareness_level": 3, "weight_power": 1.5}, 30),
        ("burundi2015", 40, {"awareness_level": 2, "start_on_foot": False}, 120),
        ("car2013", 400, {"avoid_short_stints": False, "max_move_speed": 90.0}, 30),
    ],
)
def test_kernel_matches_reference(imported, name, scale, changes, days):
    scenario = copy.copy(imported(name))
    scenario.settings = dataclasses.replace(scenario.settings, **changes)
    end = scenario.inputs.start + dt.timedelta(days=days - 1)
    run = Simulation(scenario, seed=11, scale=scale, end=end)
    sim = run.flee  # the agent table and network the movement module works on
    # Float64 agent columns make the comparison exact (the kernel is compiled for either type).
    sim.on_link = sim.on_link.astype(np.float64)
    sim.recent = sim.recent.astype(np.float64)
    run.run()
    assert sim.n > 50
    net = sim.net
    day = days  # one more day from the state reached, on the kernel and on the reference
    static, movechance = sim.movement_inputs(day - 1)
    key = stream_key(11, "flee.move")
    agents = _snapshot(sim)
    before = [(a["loc"], a["link"]) for a in agents]
    world = World(net, sim.paths, static, movechance, sim.settings, sim.count.copy())
    reference_day(world, agents, int(key), day)
    count = sim.count.copy()
    s = sim.settings
    step_day(
        key, day, sim.n, sim.loc, sim.link, sim.on_link, sim.recent, sim.started,
        sim.route_len, sim.route, count, net.capacity, movechance, net.town, net.camp,
        net.link_offsets, net.link_src, net.link_dst, net.link_open, net.link_distance,
        net.link_speed, net.link_walk_probability, sim.paths.offsets, sim.paths.end, static,
        sim.paths.length, sim.paths.nodes, s.capacity_buffer, s.weight_power,
        s.awareness_level > 0, s.start_on_foot, s.avoid_short_stints, s.max_walk_speed,
        s.max_move_speed,
    )  # fmt: skip
    np.testing.assert_array_equal(count, world.count)
    moved = 0
    for i, agent in enumerate(agents):
        assert sim.loc[i] == agent["loc"], i
        assert sim.link[i] == (-1 if agent["link"] is None else agent["link"]), i
        assert sim.on_link[i] == agent["on_link"], i
        assert sim.recent[i] == pytest.approx(agent["recent"], abs=1e-12), i
        assert list(sim.route[i, : sim.route_len[i]]) == agent["route"], i
        moved += (agent["loc"], agent["link"]) != before[i]
    assert moved > 10  # the day moved people, so the comparison was not vacuous
