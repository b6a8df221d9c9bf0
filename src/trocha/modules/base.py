"""The lifecycle every model module follows: set up once, then four phases a day in a fixed order.

Each day the Simulation runs `start_step` over all modules, then `step` over all, then
`update_results`, then `finish_step` (loop.py documents the order). A module declares what it needs
and gives, so the Simulation can refuse a module list that cannot run:
    parameters  groups of parameters it reads (the `module` column of data/parameters.csv)
    requires    state other modules provide (e.g. "routing", "choice")
    provides    state it provides to others
    levers      the levers it owns (levers.py): interventions act only through these
    metrics     the result metrics it records with `sim.record` (besides the standard tables)

A module also declares what it adds to the shared kernel inputs, so that a new mechanism touches
its module and its kernel only:
    columns     the agent columns it owns (name -> NumPy dtype, or (dtype, fill value) when a
                fresh slot must not read 0); the Simulation assembles the people table's record
                type from them
    streams     the names of the random streams its kernels draw from; kernels read each key as
                `keys.<name with "." replaced by "_">`
    kernel_rules(sim)  named numbers its kernels read (`rules.<name>`), computed after `init`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..economy import NEVER  # `quiet_until` of a module that never changes what a hop reads
from ..levers import Lever


def next_week(day: int) -> int:
    """The first weekly update day (day % 7 == 0) after `day`."""
    return (day // 7 + 1) * 7


def next_of(days, day: int) -> int:
    """The first of `days` after `day` (NEVER if none)."""
    return min((d for d in days if d > day), default=NEVER)


if TYPE_CHECKING:
    from ..simulation import Simulation


class Module:
    """One part of the model with a fixed place in the daily plan."""

    name: ClassVar[str] = "module"
    parameters: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    levers: ClassVar[tuple[Lever, ...]] = ()
    metrics: ClassVar[tuple[str, ...]] = ()
    columns: ClassVar[dict[str, object]] = {}
    streams: ClassVar[tuple[str, ...]] = ()

    def init(self, sim: Simulation) -> None:
        """Allocate state and attach the baselines of its levers; called once before day 0."""

    def start_step(self, sim: Simulation, day: int) -> None:
        """Take in today's changes from outside the module (interventions, levers)."""

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        """Named numbers the kernels read; called once after every module's `init`."""
        return {}

    def step(self, sim: Simulation, day: int) -> None:
        """Advance the module by one day."""

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """The first day after `day` on which this module may change what a traveller's hop
        reads (routing, fees, crossing controllers, drug routes, fares, border policies); the
        journeys kernel takes a traveller's hops on the days before it in one event. Asked
        after the day's `step`. The default, `day + 1`, claims nothing (every hop on its own
        day); a module that never changes those inputs returns NEVER."""
        return day + 1

    def update_results(self, sim: Simulation, day: int) -> None:
        """Record today's outputs; only reads the model's state."""

    def finish_step(self, sim: Simulation, day: int) -> None:
        """Close the day (e.g. roll today's counters into the totals)."""


def check_order(modules: list[Module]) -> None:
    """Refuse duplicate module names and a module whose `requires` no module before it
    provides (every ruleset's module list is checked this way)."""
    names = [m.name for m in modules]
    if len(set(names)) != len(names):
        raise ValueError(f"module names must be unique, got {names}")
    provided: set[str] = set()
    for m in modules:
        missing = [need for need in m.requires if need not in provided]
        if missing:
            raise ValueError(
                f"module {m.name} requires {missing}, which no module before it provides "
                f"(provided so far: {sorted(provided) or 'nothing'})"
            )
        provided.update(m.provides)
