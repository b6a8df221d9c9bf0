"""Run an imported Flee scenario under the `flee` ruleset (Flee 3.1's rules, array kernels).

The daily order is Flee 3.1's run script: new conflict zones from conflicts.csv, spawning from the
refugee totals (the day-0 total is placed in camps), closures due that day, then one `evolve` (the
kernel in `kernels.py`). Agents are 18 bytes plus 2 per remembered route step.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np

from ..rng import stream_key
from .importer import FleeScenario
from .kernels import spawn, step_day
from .network import apply_closures, build_network, enumerate_paths
from .refugee_data import RefugeeData, spawn_schedule


class FleeRunError(ValueError):
    """The scenario cannot go on (Flee 3.1 would stop with an assertion); says why."""


@dataclass
class FleeResult:
    """Daily outputs of one run; counts are agents (multiply by `scale` for people)."""

    scenario: str
    seed: int
    scale: int
    start: dt.date
    days: int
    location_names: list[str]
    location_countries: list[str]
    camp_names: list[str]
    camp_sim: np.ndarray  # [days, camps]
    camp_data: np.ndarray  # [days, camps]
    present: np.ndarray  # [days, locations] residents
    total_agents: np.ndarray  # [days]
    spawned: np.ndarray  # [days]
    refugees_raw: np.ndarray
    refugee_debt: np.ndarray
    events: list[tuple[int, str, str, str]]  # day, kind, location, detail
    manifest: dict = field(default_factory=dict)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=t) for t in range(self.days)]

    def ard(self, rescaled: bool = False) -> float:
        """Averaged relative difference of camp populations against the data (Flee's measure)."""
        from .outputs import averaged_relative_difference

        return averaged_relative_difference(self.camp_sim, self.camp_data, rescaled)


class FleeSimulation:
    """One run of a Flee scenario. `scale` is Flee's `hasten` (people per agent).

    `initial_agents` (benchmarks) places that many agents at the spawn locations of day 0 and
    turns data-driven spawning off.
    """

    def __init__(
        self,
        scenario: FleeScenario,
        seed: int = 1,
        scale: int | None = None,
        days: int | None = None,
        initial_agents: int | None = None,
    ):
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        self.scenario = scenario
        self.settings = scenario.settings
        self.seed = int(seed)
        self.scale = int(scale if scale is not None else self.settings.hasten)
        if self.scale < 1:
            raise ValueError(f"scale must be >= 1, got {self.scale}")
        inputs = scenario.inputs
        self.days = int(days if days is not None else inputs.days)
        if not 1 <= self.days <= len(inputs.conflicts):
            raise ValueError(
                f"days must be between 1 and {len(inputs.conflicts)} (the rows of conflicts.csv), "
                f"got {self.days}"
            )
        self.initial_agents = initial_agents
        self.net = build_network(inputs, self.settings, self.scale)
        self.data = RefugeeData(inputs, self.scale)
        total = self.data.series("total", self.days)
        self.new_agents, self.refugees_raw, self.refugee_debt = spawn_schedule(
            total, self.settings.insert_day0
        )
        self.camps = list(self.net.initial_camps)
        self.day0 = {}
        if self.settings.insert_day0 and initial_agents is None:
            self.day0 = {c: self.data.field(self.net.names[c], 0) for c in self.camps}
        if initial_agents is not None:
            self.new_agents[:] = 0
            self.refugees_raw[:] = 0
            self.refugee_debt[:] = 0
        capacity = sum(self.day0.values()) + int(self.new_agents.sum()) + (initial_agents or 0)
        self._allocate(max(capacity, 1))
        self.n = 0

    # agent table -----------------------------------------------------------------------------
    def _allocate(self, capacity: int) -> None:
        paths = enumerate_paths(self.net, self.settings.awareness_level)
        self.route_width = max(paths.nodes.shape[1] - 1, 0)
        self.loc = np.zeros(capacity, np.int32)
        self.link = np.full(capacity, -1, np.int32)
        self.on_link = np.zeros(capacity, np.float32)
        self.recent = np.zeros(capacity, np.float32)
        self.started = np.zeros(capacity, np.uint8)
        self.route_len = np.zeros(capacity, np.int8)
        self.route = np.zeros((capacity, self.route_width), np.int16)

    def _grow(self, needed: int) -> None:
        if needed <= len(self.loc):
            return
        size = max(needed, 2 * len(self.loc))
        for name in ("loc", "link", "on_link", "recent", "started", "route_len"):
            old = getattr(self, name)
            new = np.zeros(size, old.dtype)
            if name == "link":
                new[:] = -1
            new[: len(old)] = old
            setattr(self, name, new)
        route = np.zeros((size, self.route_width), np.int16)
        route[: len(self.route)] = self.route
        self.route = route

    def agent_bytes(self) -> int:
        names = ("loc", "link", "on_link", "recent", "started", "route_len", "route")
        return sum(
            getattr(self, n).itemsize * int(np.prod(getattr(self, n).shape[1:] or (1,)))
            for n in names
        )

    # rules of the day ------------------------------------------------------------------------
    def _decay(self, since: np.ndarray) -> np.ndarray:
        decay = self.settings.conflict_spawn_decay
        if not decay:
            return np.ones(len(since))
        index = np.minimum((since / 30).astype(np.int64), len(decay) - 1)
        return np.asarray(decay)[index]

    def _spawn_cumulative(self, when: int) -> np.ndarray:
        net = self.net
        active = net.conflict > 0.0
        weights = np.where(active, net.pop * net.conflict, 0.0)
        if self.settings.conflict_spawn_decay:
            weights = weights * self._decay(when - net.time_of_conflict)
        return np.cumsum(weights)

    def _update_conflicts(self, t: int) -> bool:
        net, s = self.net, self.settings
        index = {name: i for i, name in enumerate(net.names)}
        changed = False
        for c, name in enumerate(self.scenario.inputs.conflict_names):
            if not name:
                continue
            value = self.scenario.inputs.conflicts[t][c]
            before = self.scenario.inputs.conflicts[t - 1][c] if t > 0 else 0.0
            i = index[name]
            if value > 0.000001 and (t == 0 or before < 0.000001):
                net.movechance[i] = s.conflict_movechance
                net.conflict[i] = value
                net.town[i] = False
                net.time_of_conflict[i] = t
                self.events.append((t, "conflict_start", name, f"intensity {value:g}"))
                changed = True
            if value < 0.000001 and t > 0 and before == 1:
                # Flee 3.1 ends a conflict only when the previous day's intensity is exactly 1.
                net.movechance[i] = s.default_movechance
                net.conflict[i] = -1.0
                net.town[i] = True
                self.events.append((t, "conflict_end", name, ""))
                changed = True
        return changed

    def _scores(self, t: int) -> np.ndarray:
        net, s = self.net, self.settings
        score = np.ones(len(net.names))
        score = np.where(net.foreign, score * s.foreign_weight, score)
        score = np.where(net.camp, score * s.camp_weight, score)
        active = net.conflict > 0.0
        exponent = self._decay(t - net.time_of_conflict) * net.conflict
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
        score = self._scores(t)
        static = (s.weight_softening + score[paths.end]) / (
            s.softening + paths.distance
        ) ** s.distance_power
        movechance = (
            net.movechance
            * (np.maximum(net.pop, net.capacity).astype(float) / s.movechance_pop_base)
            ** s.movechance_pop_scale_factor
        )
        return static, movechance

    def _place(self, where: np.ndarray | int, number: int) -> None:
        first = self.n
        self._grow(first + number)
        self.loc[first : first + number] = where
        self.link[first : first + number] = -1
        self.n += number

    # the run ---------------------------------------------------------------------------------
    def run(self, progress=None) -> FleeResult:
        s, net = self.settings, self.net
        t0 = time.perf_counter()
        timings = {"spawn": 0.0, "rules": 0.0, "movement": 0.0}
        n_loc = len(net.names)
        count = np.zeros(n_loc, np.int64)
        self.count = count
        move_key = stream_key(self.seed, "flee.move")
        spawn_key = stream_key(self.seed, "flee.spawn")
        self.events: list[tuple[int, str, str, str]] = []
        for c, number in self.day0.items():
            self._place(c, number)
            count[c] += number
        camp_sim = np.zeros((self.days, len(self.camps)), np.int64)
        camp_data = np.zeros((self.days, len(self.camps)), np.int64)
        present = np.zeros((self.days, n_loc), np.int64)
        total_agents = np.zeros(self.days, np.int64)
        spawned = np.zeros(self.days, np.int64)
        paths = enumerate_paths(net, s.awareness_level)
        camp_names = [net.names[c] for c in self.camps]
        data_series = {name: self.data.series(name, self.days) for name in camp_names}
        for t in range(self.days):
            a = time.perf_counter()
            changed = self._update_conflicts(t)
            number = int(self.new_agents[t])
            if t == 0 and self.initial_agents:
                number = int(self.initial_agents)
            if s.conflict_spawn_mode and self.initial_agents is None:
                active = np.flatnonzero(net.conflict > 0.0)
                per_day = s.displaced_per_conflict_day * net.conflict[active]
                if s.conflict_spawn_mode == "pop_ratio":
                    per_day = per_day * net.pop[active]
                numbers = per_day.astype(np.int64)
                for where, k in zip(active, numbers, strict=True):
                    self._take_from_population(where, int(k), t)
                    self._place(where, int(k))
                    count[where] += int(k)
                spawned[t] = int(numbers.sum())
            elif number > 0:
                cumulative = self._spawn_cumulative(t if (changed or t == 0) else t - 1)
                if cumulative[-1] <= 0.0:
                    raise FleeRunError(
                        f"day {t}: {number} agents to spawn but no conflict zone with people "
                        "(conflicts.csv and the populations in locations.csv); Flee 3.1 stops here"
                    )
                first = self.n
                self._grow(first + number)
                spawn(spawn_key, t, first, number, cumulative, self.loc, self.link, count)
                self.n += number
                spawned[t] = number
                if s.take_from_population:
                    where = np.bincount(self.loc[first : first + number], minlength=n_loc)
                    for i in np.flatnonzero(where):
                        self._take_from_population(i, int(where[i]), t)
            b = time.perf_counter()
            if apply_closures(net, t, s):
                paths = enumerate_paths(net, s.awareness_level)
            for action, target, _ in net.closure_events.get(t, []):
                if action >= 2:
                    kind = "camp_closed" if action == 2 else "camp_opened"
                    self.events.append((t, kind, net.names[target], ""))
            self.paths = paths
            static, movechance = self.movement_inputs(t)
            c = time.perf_counter()
            step_day(
                move_key,
                t,
                self.n,
                self.loc,
                self.link,
                self.on_link,
                self.recent,
                self.started,
                self.route_len,
                self.route,
                count,
                net.capacity,
                movechance,
                net.town,
                net.camp,
                net.link_offsets,
                net.link_src,
                net.link_dst,
                net.link_open,
                net.link_distance,
                net.link_speed,
                net.link_walk_probability,
                paths.offsets,
                paths.end,
                static,
                paths.length,
                paths.nodes,
                s.capacity_buffer,
                s.weight_power,
                s.awareness_level > 0,
                s.start_on_foot,
                s.avoid_short_stints,
                s.max_walk_speed,
                s.max_move_speed,
            )
            d = time.perf_counter()
            timings["spawn"] += b - a
            timings["rules"] += c - b
            timings["movement"] += d - c
            camp_sim[t] = count[self.camps]
            for j, name in enumerate(camp_names):
                camp_data[t, j] = data_series[name][t]
            present[t] = count
            total_agents[t] = self.n
            if progress is not None:
                progress(t)
        timings["total_seconds"] = time.perf_counter() - t0
        result = FleeResult(
            scenario=self.scenario.name,
            seed=self.seed,
            scale=self.scale,
            start=self.scenario.inputs.start,
            days=self.days,
            location_names=list(net.names),
            location_countries=list(net.countries),
            camp_names=camp_names,
            camp_sim=camp_sim,
            camp_data=camp_data,
            present=present,
            total_agents=total_agents,
            spawned=spawned,
            refugees_raw=self.refugees_raw[: self.days].copy(),
            refugee_debt=self.refugee_debt[: self.days].copy(),
            events=self.events,
        )
        result.manifest = self._manifest(result, timings)
        return result

    def _take_from_population(self, where: int, number: int, t: int) -> None:
        if not self.settings.take_from_population or self.net.conflict[where] <= 0.0:
            return
        if self.net.pop[where] < number:
            raise FleeRunError(
                f"day {t}: more agents spawned at {self.net.names[where]} than its population "
                "(take_from_population); raise the population in locations.csv or turn it off"
            )
        self.net.pop[where] -= number

    def _manifest(self, result: FleeResult, timings: dict) -> dict:
        from .outputs import manifest_for

        return manifest_for(self, result, timings)
