"""The `flee` ruleset as modules of the Simulation's daily plan (loop.py), in Flee 3.1's order.

Flee 3.1's run script does, each day: new conflict zones from conflicts.csv, spawning from the
refugee totals (the day-0 total is placed in camps), closures due that day, one `evolve`, then
writes out.csv. The modules below are those steps, in that order, each in its `step`; the
recorder copies the day into arrays in `update_results`. They share `sim.flee` (state.py); the
random draws are those of Flee mode before it ran as modules (same streams, same order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..modules.base import Module, check_order
from .kernels import spawn, step_day
from .network import apply_closures, enumerate_paths
from .state import FleeRunError

if TYPE_CHECKING:
    from .engine import FleeSimulation

# Metrics of a flee run (timeseries.parquet; people = agents x scale). README lists the same.
FLEE_METRICS: dict[str, tuple[str, str]] = {
    "migrant_stock": (
        "people",
        "displaced people at locations in the country, IDPs included (ALL: everywhere)",
    ),
    "in_transit": ("people", "displaced people on a route between locations (ALL only)"),
    "displaced_total": ("people", "every displaced person created so far (ALL only)"),
    "displaced_new": ("people/day", "people displaced today: spawned agents (ALL only)"),
    "in_camps": ("people", "displaced people in the camps of day 0 (ALL only)"),
    "in_camps_observed": ("people", "the data's count in those camps (UNHCR; ALL only)"),
}
# Metrics of locations.parquet in a flee run (daily, camps of day 0 only).
FLEE_LOCATION_METRICS = {
    "present": "people in the camp (simulated)",
    "observed": "people in the camp in the data (UNHCR counts, interpolated as Flee does)",
}


class FleeConflicts(Module):
    """New conflict zones from conflicts.csv (and ends of conflicts, as Flee 3.1 ends them)."""

    name = "conflicts"
    provides = ("conflicts",)

    def init(self, sim: FleeSimulation) -> None:
        self.index = {name: i for i, name in enumerate(sim.flee.net.names)}

    def step(self, sim: FleeSimulation, day: int) -> None:
        state = sim.flee
        net, s, inputs = state.net, state.settings, state.scenario.inputs
        changed = False
        for c, name in enumerate(inputs.conflict_names):
            if not name:
                continue
            value = inputs.conflicts[day][c]
            before = inputs.conflicts[day - 1][c] if day > 0 else 0.0
            i = self.index[name]
            if value > 0.000001 and (day == 0 or before < 0.000001):
                net.movechance[i] = s.conflict_movechance
                net.conflict[i] = value
                net.town[i] = False
                net.time_of_conflict[i] = day
                state.events.append((day, "conflict_start", name, f"intensity {value:g}"))
                changed = True
            if value < 0.000001 and day > 0 and before == 1:
                # Flee 3.1 ends a conflict only when the previous day's intensity is exactly 1.
                net.movechance[i] = s.default_movechance
                net.conflict[i] = -1.0
                net.town[i] = True
                state.events.append((day, "conflict_end", name, ""))
                changed = True
        state.conflicts_changed = changed


class FleeSpawning(Module):
    """New agents: the rise in the refugee total (or per conflict zone in conflict spawn mode)."""

    name = "spawning"
    requires = ("conflicts",)
    provides = ("agents",)

    def init(self, sim: FleeSimulation) -> None:
        state = sim.flee
        for c, number in state.day0.items():
            state.place(c, number)
            state.count[c] += number

    def step(self, sim: FleeSimulation, day: int) -> None:
        state = sim.flee
        s, net = state.settings, state.net
        number = int(state.new_agents[day])
        if day == 0 and state.initial_agents:
            number = int(state.initial_agents)
        if s.conflict_spawn_mode and state.initial_agents is None:
            active = np.flatnonzero(net.conflict > 0.0)
            per_day = s.displaced_per_conflict_day * net.conflict[active]
            if s.conflict_spawn_mode == "pop_ratio":
                per_day = per_day * net.pop[active]
            numbers = per_day.astype(np.int64)
            for where, k in zip(active, numbers, strict=True):
                state.take_from_population(where, int(k), day)
                state.place(where, int(k))
                state.count[where] += int(k)
            state.spawned[day] = int(numbers.sum())
        elif number > 0:
            when = day if (state.conflicts_changed or day == 0) else day - 1
            cumulative = state.spawn_cumulative(when)
            if cumulative[-1] <= 0.0:
                raise FleeRunError(
                    f"day {day}: {number} agents to spawn but no conflict zone with people "
                    "(conflicts.csv and the populations in locations.csv); Flee 3.1 stops here"
                )
            first = state.n
            state.grow(first + number)
            spawn(
                state.spawn_key, day, first, number, cumulative, state.loc, state.link, state.count
            )
            state.n += number
            state.spawned[day] = number
            if s.take_from_population:
                where = np.bincount(state.loc[first : first + number], minlength=len(net.names))
                for i in np.flatnonzero(where):
                    state.take_from_population(i, int(where[i]), day)


class FleeClosures(Module):
    """Location and link closures due today (closures.csv); routes are re-enumerated on change."""

    name = "closures"
    provides = ("paths",)

    def step(self, sim: FleeSimulation, day: int) -> None:
        state = sim.flee
        net, s = state.net, state.settings
        if apply_closures(net, day, s):
            state.paths = enumerate_paths(net, s.awareness_level)
        for action, target, _ in net.closure_events.get(day, []):
            if action >= 2:
                kind = "camp_closed" if action == 2 else "camp_opened"
                state.events.append((day, kind, net.names[target], ""))


class FleeMovement(Module):
    """One Flee `evolve`: every agent's move chance, route choice and travel (kernels.py)."""

    name = "movement"
    requires = ("agents", "paths")
    provides = ("movement",)

    def step(self, sim: FleeSimulation, day: int) -> None:
        state = sim.flee
        s, net, paths = state.settings, state.net, state.paths
        static, movechance = state.movement_inputs(day)
        step_day(
            state.move_key,
            day,
            state.n,
            state.loc,
            state.link,
            state.on_link,
            state.recent,
            state.started,
            state.route_len,
            state.route,
            state.count,
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


class FleeRecord:
    """The recorder's daily arrays (agent counts; x scale for people)."""

    def __init__(self, days: int, n_locations: int, camp_names: list[str]):
        self.camp_names = camp_names
        self.camp_sim = np.zeros((days, len(camp_names)), np.int64)
        self.camp_data = np.zeros((days, len(camp_names)), np.int64)
        self.present = np.zeros((days, n_locations), np.int64)  # residents by location
        self.total_agents = np.zeros(days, np.int64)


class FleeRecorder(Module):
    """Copy each day's counts into the FleeRecord (`sim.flee.record`); only reads the state."""

    name = "recorder"
    requires = ("movement",)
    provides = ("results",)
    metrics: ClassVar[tuple[str, ...]] = tuple(FLEE_METRICS)

    def init(self, sim: FleeSimulation) -> None:
        state = sim.flee
        names = [state.net.names[c] for c in state.camps]
        state.record = FleeRecord(sim.n_days, len(state.net.names), names)
        state.record.camp_data[:] = (
            np.stack([state.data.series(name, sim.n_days) for name in names], axis=1)
            if names
            else 0
        )

    def update_results(self, sim: FleeSimulation, day: int) -> None:
        state = sim.flee
        rec = state.record
        rec.camp_sim[day] = state.count[state.camps]
        rec.present[day] = state.count
        rec.total_agents[day] = state.n


def flee_modules() -> list[Module]:
    """Fresh instances of the flee ruleset's modules in Flee 3.1's daily order."""
    return [FleeConflicts(), FleeSpawning(), FleeClosures(), FleeMovement(), FleeRecorder()]


def check_flee_modules(modules: list[Module]) -> None:
    """Refuse a module list whose needs are unmet or that has no recorder of results."""
    check_order(modules)
    if not any(isinstance(m, FleeRecorder) for m in modules):
        raise ValueError("the module list needs a FleeRecorder (the results come from it)")
