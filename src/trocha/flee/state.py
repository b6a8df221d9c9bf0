"""The state a `flee` run shares between its modules: network, spawning schedule, agent table.

Agents are 18 bytes plus 2 per remembered route step (`agent_bytes`). The rules that only read
this state (location scores, move chances) live here too, so that every module sees the same ones.
"""

from __future__ import annotations

import numpy as np

from ..rng import stream_key
from .importer import FleeScenario
from .network import Network, Paths, build_network, enumerate_paths
from .refugee_data import RefugeeData, spawn_schedule

AGENT_ARRAYS = ("loc", "link", "on_link", "recent", "started", "route_len", "route")


class FleeRunError(ValueError):
    """The scenario cannot go on (Flee 3.1 would stop with an assertion); says why."""


class FleeState:
    """Everything one run of a Flee scenario changes, set up for `days` days at `scale`.

    `initial_agents` (benchmarks) places that many agents at the spawn locations of day 0 and
    turns data-driven spawning off.
    """

    def __init__(
        self,
        scenario: FleeScenario,
        seed: int,
        scale: int,
        days: int,
        initial_agents: int | None = None,
    ):
        self.scenario = scenario
        self.settings = scenario.settings
        self.days = days
        self.initial_agents = initial_agents
        self.net: Network = build_network(scenario.inputs, self.settings, scale)
        self.data = RefugeeData(scenario.inputs, scale)
        total = self.data.series("total", days)
        self.new_agents, self.refugees_raw, self.refugee_debt = spawn_schedule(
            total, self.settings.insert_day0
        )
        self.camps = list(self.net.initial_camps)
        self.day0: dict[int, int] = {}
        if self.settings.insert_day0 and initial_agents is None:
            self.day0 = {c: self.data.field(self.net.names[c], 0) for c in self.camps}
        if initial_agents is not None:
            self.new_agents[:] = 0
            self.refugees_raw[:] = 0
            self.refugee_debt[:] = 0
        self.move_key = stream_key(seed, "flee.move")
        self.spawn_key = stream_key(seed, "flee.spawn")
        self.count = np.zeros(len(self.net.names), np.int64)  # residents by location
        self.spawned = np.zeros(days, np.int64)
        self.events: list[tuple[int, str, str, str]] = []  # day, kind, location, detail
        self.conflicts_changed = False  # a conflict zone started or ended today
        self.paths: Paths = enumerate_paths(self.net, self.settings.awareness_level)
        self.record = None  # the recorder's FleeRecord, once it is set up
        capacity = sum(self.day0.values()) + int(self.new_agents.sum()) + (initial_agents or 0)
        self._allocate(max(capacity, 1))
        self.n = 0

    # agent table -----------------------------------------------------------------------------
    def _allocate(self, capacity: int) -> None:
        self.route_width = max(self.paths.nodes.shape[1] - 1, 0)
        self.loc = np.zeros(capacity, np.int32)
        self.link = np.full(capacity, -1, np.int32)
        self.on_link = np.zeros(capacity, np.float32)
        self.recent = np.zeros(capacity, np.float32)
        self.started = np.zeros(capacity, np.uint8)
        self.route_len = np.zeros(capacity, np.int8)
        self.route = np.zeros((capacity, self.route_width), np.int16)

    def grow(self, needed: int) -> None:
        """Make room for `needed` agents (doubling), keeping the ones there."""
        if needed <= len(self.loc):
            return
        size = max(needed, 2 * len(self.loc))
        for name in AGENT_ARRAYS[:-1]:
            old = getattr(self, name)
            new = np.zeros(size, old.dtype)
            if name == "link":
                new[:] = -1
            new[: len(old)] = old
            setattr(self, name, new)
        route = np.zeros((size, self.route_width), np.int16)
        route[: len(self.route)] = self.route
        self.route = route

    def place(self, where: np.ndarray | int, number: int) -> None:
        """Add `number` agents at `where` (not yet counted as residents)."""
        first = self.n
        self.grow(first + number)
        self.loc[first : first + number] = where
        self.link[first : first + number] = -1
        self.n += number

    def agent_bytes(self) -> int:
        return sum(
            getattr(self, n).itemsize * int(np.prod(getattr(self, n).shape[1:] or (1,)))
            for n in AGENT_ARRAYS
        )

    def take_from_population(self, where: int, number: int, t: int) -> None:
        """Flee's `take_from_population`: spawned agents leave the conflict zone's population."""
        if not self.settings.take_from_population or self.net.conflict[where] <= 0.0:
            return
        if self.net.pop[where] < number:
            raise FleeRunError(
                f"day {t}: more agents spawned at {self.net.names[where]} than its population "
                "(take_from_population); raise the population in locations.csv or turn it off"
            )
        self.net.pop[where] -= number

    # rules that read the state -----------------------------------------------------------------
    def decay(self, since: np.ndarray) -> np.ndarray:
        decay = self.settings.conflict_spawn_decay
        if not decay:
            return np.ones(len(since))
        index = np.minimum((since / 30).astype(np.int64), len(decay) - 1)
        return np.asarray(decay)[index]

    def spawn_cumulative(self, when: int) -> np.ndarray:
        """Cumulative spawn weights by location as of day `when` (population x intensity)."""
        net = self.net
        active = net.conflict > 0.0
        weights = np.where(active, net.pop * net.conflict, 0.0)
        if self.settings.conflict_spawn_decay:
            weights = weights * self.decay(when - net.time_of_conflict)
        return np.cumsum(weights)

    def scores(self, t: int) -> np.ndarray:
        net, s = self.net, self.settings
        score = np.ones(len(net.names))
        score = np.where(net.foreign, score * s.foreign_weight, score)
        score = np.where(net.camp, score * s.camp_weight, score)
        active = net.conflict > 0.0
        exponent = self.decay(t - net.time_of_conflict) * net.conflict
        score = np.where(
            active, score * s.conflict_weight ** np.where(active, exponent, 0.0), score
        )
        if s.use_pop_for_loc_weight:
            factor = np.minimum(1.0, net.pop.astype(float)) ** s.pop_power_for_loc_weight
            score = np.where(net.camp, score, score * factor)
        return score

    def movement_inputs(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Day t's static path weights (before capacity) and move chances by location."""
        s, net, paths = self.settings, self.net, self.paths
        score = self.scores(t)
        static = (s.weight_softening + score[paths.end]) / (
            s.softening + paths.distance
        ) ** s.distance_power
        movechance = (
            net.movechance
            * (np.maximum(net.pop, net.capacity).astype(float) / s.movechance_pop_base)
            ** s.movechance_pop_scale_factor
        )
        return static, movechance
