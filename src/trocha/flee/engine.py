"""Set up a Simulation for an imported Flee scenario: `Simulation.__init__` hands over here.

The Simulation then runs the flee modules (modules.py) with the same loop, phase timings and
`run()` as the migration ruleset, and returns the same `Result` (outputs.py builds it).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ..bounds import check_seed
from ..calendar import Calendar
from .importer import FleeScenario
from .modules import check_flee_modules, flee_modules
from .state import FleeState

if TYPE_CHECKING:
    from ..modules.base import Module
    from ..simulation import Simulation

RULESET = "flee"


def init_flee(
    sim: Simulation,
    scenario: FleeScenario,
    seed: int = 1,
    scale: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    interventions: list | None = None,
    modules: list[Module] | None = None,
    initial_agents: int | None = None,
) -> None:
    """Fill in `sim` for a flee run: dates, scale (Flee's `hasten`), modules and `sim.flee`.

    A flee run starts on the first day of conflicts.csv; `end` may cut it short.
    """
    if interventions:
        raise ValueError("interventions are not available under the flee ruleset")
    sim.ruleset = RULESET
    sim.scenario = scenario
    sim.seed = check_seed(seed)
    sim.scale = int(scale if scale is not None else scenario.settings.hasten)
    if sim.scale < 1:
        raise ValueError(f"scale must be >= 1, got {sim.scale}")
    first = scenario.inputs.start
    start = _date(start, "start")
    if start is not None and start != first:
        raise ValueError(f"start must be the scenario's first day {first} (Flee scenarios)")
    end = _date(end, "end") or scenario.end
    days = (end - first).days + 1
    limit = len(scenario.inputs.conflicts)
    if not 1 <= days <= limit:
        raise ValueError(
            f"end must be between {first} and {first + dt.timedelta(days=limit - 1)} (the rows "
            f"of conflicts.csv), got {end}"
        )
    sim.calendar = Calendar(first, end)
    sim.start, sim.end = sim.calendar.start, sim.calendar.end
    sim.n_days = sim.calendar.n_days
    sim.last_day = sim.calendar.last_day
    sim.parameters = {}
    sim.interventions = []
    sim.events = []
    sim.recorded = {}
    # The migration ruleset's day counters; empty here, so `Simulation.finish_day` is a no-op.
    sim.daily = np.zeros(0, np.int64)
    sim.cumulative = np.zeros(0, np.int64)
    sim.modules = flee_modules() if modules is None else list(modules)
    check_flee_modules(sim.modules)
    sim.flee = FleeState(scenario, sim.seed, sim.scale, sim.n_days, initial_agents)
    sim._ran = False


def flee_simulation(
    scenario: FleeScenario,
    seed: int = 1,
    scale: int | None = None,
    days: int | None = None,
    initial_agents: int | None = None,
) -> Simulation:
    """A Simulation of the first `days` days; `initial_agents` (benchmarks) places that many
    agents on day 0 and turns data-driven spawning off."""
    from ..simulation import Simulation

    end = None
    if days is not None:
        if not 1 <= days <= len(scenario.inputs.conflicts):
            raise ValueError(
                f"days must be between 1 and {len(scenario.inputs.conflicts)} (the rows of "
                f"conflicts.csv), got {days}"
            )
        end = scenario.inputs.start + dt.timedelta(days=days - 1)
    sim = Simulation.__new__(Simulation)
    init_flee(sim, scenario, seed=seed, scale=scale, end=end, initial_agents=initial_agents)
    return sim


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2020-12-31, got {value!r}") from None
