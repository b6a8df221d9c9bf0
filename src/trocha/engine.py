"""The core every ruleset's Simulation shares: run the modules through the daily plan, time them,
and hand the timings to the ruleset's result builder.

`trocha.Simulation` (the migration ruleset) and `trocha.flee.engine.FleeSimulation` (Flee 3.1's
rules) are both Engines: the same `run()`, loop (loop.py), phase timings and `Result`. The core
imports no model code, so a ruleset pays only for what it uses.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from .loop import run_loop

if TYPE_CHECKING:
    from .modules.base import Module
    from .results.tables import Result


class Engine:
    """A seeded run: `modules` in daily order over `n_days` days; subclasses set them up."""

    modules: list[Module]
    n_days: int
    recorded: dict[str, list[tuple[int, str, float]]]  # metrics recorded with `record`
    standard_metrics: Collection[str] = ()  # the metrics the ruleset's own recorder fills
    _ran: bool = False

    def record(self, metric: str, day: int, value: float, country: str = "ALL") -> None:
        """Record one value of a metric a module declares (`Module.metrics`) for the output
        timeseries; values are in people (multiply agent counts by `scale`)."""
        if metric in self.standard_metrics or not any(metric in m.metrics for m in self.modules):
            raise ValueError(
                f"metric {metric!r} is not declared by any module (Module.metrics) or is one "
                "the ruleset's recorder fills"
            )
        self.recorded.setdefault(metric, []).append((int(day), country, float(value)))

    def finish_day(self, day: int) -> None:
        """Close the day after every module's finish_step (the migration ruleset rolls its
        counters here)."""

    def results(self, timings: dict) -> Result:
        """The run's Result from the modules' records (each ruleset builds its own tables)."""
        raise NotImplementedError

    def run(self, progress: Callable[[int], None] | None = None) -> Result:
        """Simulate every day from start to end and return the output tables."""
        if self._ran:
            raise RuntimeError("a Simulation runs once; create a new one to run again")
        self._ran = True
        t0 = time.perf_counter()
        init_seconds = {}
        for module in self.modules:
            t = time.perf_counter()
            module.init(self)
            init_seconds[module.name] = time.perf_counter() - t
        phase_seconds = run_loop(self, self.modules, progress)
        timings = {
            "init_seconds": init_seconds,
            "step_seconds": {name: sum(t.values()) for name, t in phase_seconds.items()},
            "phase_seconds": phase_seconds,
            "total_seconds": time.perf_counter() - t0,
        }
        return self.results(timings)


def as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    """A date from a date or an ISO string (None stays None); ValueError naming `name`."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2020-12-31, got {value!r}") from None
