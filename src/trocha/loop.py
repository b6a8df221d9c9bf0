"""The daily loop: one explicit list of modules in a fixed order, timed per module.

Order of a day:
1. borders       apply the border regimes in force today; re-route if any changed
2. destinations  refresh destination-choice probabilities (weekly, and after re-routing)
3. exodus        today's emigrants leave their origin regions
4. journeys      every agent whose event falls today moves, pays, strands, settles or returns
5. recorder      copy today's counters into the output arrays
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .modules.base import Module

if TYPE_CHECKING:
    from .simulation import Simulation


def run_loop(
    sim: Simulation, modules: list[Module], progress: Callable[[int], None] | None = None
) -> dict[str, float]:
    """Run every day through every module; return the CPU seconds spent in each module."""
    seconds = {m.name: 0.0 for m in modules}
    for day in range(sim.n_days):
        for module in modules:
            t0 = time.perf_counter()
            module.step(sim, day)
            seconds[module.name] += time.perf_counter() - t0
        if progress is not None:
            progress(day)
    return seconds
