"""Flee 3.1's movement rules written idiomatically in Mesa 3, for the side-by-side benchmark.

A fair Mesa model, not a strawman: one `mesa.Agent` per displaced person with the same state as
Flee's `Person`, locations and links as small Python objects with precomputed neighbour lists,
Mesa's seeded `model.random`, and `AgentSet.do` for the two passes of a day (decide, then travel),
as Flee orders them. The geography (locations, links, closures) is read with Trocha's importer, so
only the daily loop is timed. Awareness level 1 (the validation suite's setting).
"""

from __future__ import annotations

import mesa
import numpy as np

from trocha.flee.network import apply_closures, build_network


class Place:
    __slots__ = ("camp", "capacity", "count", "index", "links", "movechance", "score", "town")

    def __init__(self, index: int):
        self.index = index
        self.links: list[Road] = []
        self.count = 0


class Road:
    __slots__ = ("distance", "end", "index", "speed", "start")

    def __init__(self, index, start, end, distance, speed):
        self.index, self.start, self.end = index, start, end
        self.distance, self.speed = distance, speed


class Displaced(mesa.Agent):
    """One person: where they are, the link they travel and how far along it."""

    def __init__(self, model: FleeMesaModel, place: Place):
        super().__init__(model)
        self.place = place
        self.road: Road | None = None
        self.on_road = 0.0
        self.recent = 0.0
        self.moved = 0.0
        self.started = False
        place.count += 1

    def decide(self, force: bool = False) -> None:
        m = self.model
        chance = 1.0 if (force and self.place.town) else self.place.movechance
        if self.random.random() >= chance:
            return
        roads = [r for r in self.place.links if m.open[r.index]]
        if not roads:
            return
        weights = [m.static[r.index] * m.capacity_multiplier(r.end) for r in roads]
        if sum(weights) > 0:
            road = self.random.choices(roads, weights=weights)[0]
        else:
            road = self.random.choice(roads)
        if road.end.camp and m.capacity_multiplier(road.end) < 0.5:
            return
        self.place.count -= 1
        self.road, self.on_road = road, 0.0

    def travel(self) -> None:
        m = self.model
        self.moved = 0.0
        while self.road is not None:
            road = self.road
            speed = m.walk_speed if (not self.started and m.start_on_foot) else road.speed
            self.on_road += speed
            self.moved += speed
            if self.on_road <= road.distance:
                break
            self.started = True
            self.moved += road.distance - self.on_road
            self.road, self.on_road = None, 0.0
            self.place = road.end if m.open[road.index] else road.start
            self.place.count += 1
            if not m.open[road.index] or self.moved >= speed:
                break
            force = m.avoid_short and (self.recent + self.moved / m.max_speed) / 2 < 0.5
            self.decide(force)
        self.recent = (self.recent + self.moved / m.max_speed) / 2


class FleeMesaModel(mesa.Model):
    def __init__(self, scenario, agents: int, seed: int = 1):
        super().__init__(seed=seed)
        s = self.settings = scenario.settings
        self.net = build_network(scenario.inputs, s, s.hasten)
        net = self.net
        self.places = [Place(i) for i in range(len(net.names))]
        for i, place in enumerate(self.places):
            place.capacity = int(net.capacity[i])
        self.roads = []
        for k in range(len(net.link_src)):
            road = Road(
                k,
                self.places[net.link_src[k]],
                self.places[net.link_dst[k]],
                float(net.link_distance[k]),
                float(net.link_speed[k]),
            )
            road.start.links.append(road)
            self.roads.append(road)
        self.open = net.link_open
        self.walk_speed, self.max_speed = s.max_walk_speed, s.max_move_speed
        self.start_on_foot, self.avoid_short = s.start_on_foot, s.avoid_short_stints
        self.day = 0
        self.scenario = scenario
        self._conflicts(0)
        weights = np.where(net.conflict > 0, net.pop * net.conflict, 0.0)
        homes = self.random.choices(self.places, weights=list(weights), k=agents)
        for home in homes:
            Displaced(self, home)

    def capacity_multiplier(self, place: Place) -> float:
        buffer = self.settings.capacity_buffer
        if place.capacity < 1 or place.count <= buffer * place.capacity:
            return 1.0
        if place.count >= place.capacity:
            return 0.0
        return 1.0 - (place.count - buffer * place.capacity) / (place.capacity * (1 - buffer))

    def _conflicts(self, t: int) -> None:
        """New and ended conflict zones of day t (conflicts.csv), as Flee 3.1 reads them."""
        net, inputs, s = self.net, self.scenario.inputs, self.settings
        for c, name in enumerate(inputs.conflict_names):
            if not name:
                continue
            i = net.names.index(name)
            value = inputs.conflicts[t][c]
            before = inputs.conflicts[t - 1][c] if t > 0 else 0.0
            if value > 1e-6 and (t == 0 or before < 1e-6):
                net.movechance[i], net.conflict[i] = s.conflict_movechance, value
                net.town[i], net.time_of_conflict[i] = False, t
            if value < 1e-6 and t > 0 and before == 1:
                net.movechance[i], net.conflict[i], net.town[i] = s.default_movechance, -1.0, True

    def _decay(self, since: np.ndarray) -> np.ndarray:
        decay = self.settings.conflict_spawn_decay
        if not decay:
            return np.ones(len(since))
        return np.asarray(decay)[np.minimum(since // 30, len(decay) - 1)]

    def step(self) -> None:
        s, net = self.settings, self.net
        if self.day > 0:
            self._conflicts(self.day)
        apply_closures(net, self.day, s)
        score = np.ones(len(net.names))
        score[net.foreign] *= s.foreign_weight
        score[net.camp] *= s.camp_weight
        active = net.conflict > 0
        exponent = self._decay(self.day - net.time_of_conflict) * net.conflict
        score[active] *= s.conflict_weight ** exponent[active]
        self.static = (s.weight_softening + score[net.link_dst]) / (
            s.softening + net.link_distance
        ) ** s.distance_power
        for i, place in enumerate(self.places):
            place.movechance = float(net.movechance[i])
            place.town = bool(net.town[i])
            place.camp = bool(net.camp[i])
        resting = self.agents.select(lambda a: a.road is None)
        resting.do("decide")
        self.agents.do("travel")
        self.day += 1


def run_mesa(scenario, agents: int, days: int, seed: int = 1) -> dict:
    import time

    model = FleeMesaModel(scenario, agents, seed)
    t0 = time.perf_counter()
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - t0
    in_camps = sum(p.count for p in model.places if p.camp)
    return {"seconds": seconds, "agent_steps": agents * days, "in_camps": in_camps}
