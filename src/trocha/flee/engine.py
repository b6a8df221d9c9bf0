"""The Simulation of an imported Flee scenario: `trocha.Simulation(flee_scenario)` gives one.

It is an Engine like the migration ruleset's Simulation: it runs the flee modules (modules.py)
with the same `run()`, loop and phase timings, and returns the same `Result` (outputs.py). It
imports none of the migration model, so `trocha run` on a Flee scenario loads only what it uses.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..bounds import check_seed
from ..calendar import Calendar
from ..engine import Engine, as_date
from .importer import FleeScenario
from .modules import FLEE_METRICS, check_flee_modules, flee_modules
from .state import FleeState

if TYPE_CHECKING:
    from ..modules.base import Module
    from ..results.tables import Result

RULESET = "flee"


class FleeSimulation(Engine):
    """One seeded run of an imported Flee scenario under Flee 3.1's rules (`trocha.Simulation`
    of a Flee scenario gives one). `scale` is Flee's `hasten` (people per agent).

    A flee run starts on the first day of conflicts.csv; `end` (or `days`) may cut it short.
    `initial_agents` (benchmarks) places that many agents at the spawn locations of day 0 and
    turns data-driven spawning off.
    """

    ruleset = RULESET
    standard_metrics = FLEE_METRICS

    def __init__(
        self,
        scenario: FleeScenario,
        seed: int = 1,
        scale: int | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        interventions: list | None = None,
        modules: list[Module] | None = None,
        *,
        days: int | None = None,
        initial_agents: int | None = None,
    ):
        if interventions:
            raise ValueError("interventions are not available under the flee ruleset")
        self.scenario = scenario
        self.seed = check_seed(seed)
        self.scale = int(scale if scale is not None else scenario.settings.hasten)
        if self.scale < 1:
            raise ValueError(f"scale must be >= 1, got {self.scale}")
        first = scenario.inputs.start
        start = as_date(start, "start")
        if start is not None and start != first:
            raise ValueError(f"start must be the scenario's first day {first} (Flee scenarios)")
        limit = len(scenario.inputs.conflicts)
        if days is not None:
            if not 1 <= days <= limit:
                raise ValueError(
                    f"days must be between 1 and {limit} (the rows of conflicts.csv), got {days}"
                )
            end = first + dt.timedelta(days=days - 1)
        end = as_date(end, "end") or scenario.end
        if not 1 <= (end - first).days + 1 <= limit:
            raise ValueError(
                f"end must be between {first} and {first + dt.timedelta(days=limit - 1)} (the "
                f"rows of conflicts.csv), got {end}"
            )
        self.calendar = Calendar(first, end)
        self.start, self.end = self.calendar.start, self.calendar.end
        self.n_days = self.calendar.n_days
        self.last_day = self.calendar.last_day
        self.parameters: dict[str, float] = {}  # Flee's settings are in scenario.settings
        self.interventions: list = []
        self.modules = flee_modules() if modules is None else list(modules)
        check_flee_modules(self.modules)
        self.flee = FleeState(scenario, self.seed, self.scale, self.n_days, initial_agents)
        self.recorded: dict[str, list[tuple[int, str, float]]] = {}  # `record`ed metrics
        self._ran = False

    def results(self, timings: dict) -> Result:
        """The common Result (outputs.py), with the ARD in the manifest and flee_out.csv."""
        from .outputs import flee_result

        return flee_result(self, timings)
