"""The daily loop: one explicit list of modules in a fixed order, timed per module.

Order of a day:
1. interventions  switch scheduled policy changes on or off
2. borders        apply the border regimes in force today; re-route if any changed
3. market         crossing control, packages on sale, weekly trocha fees (re-route on big moves)
4. organisation   revenue and costs today; weekly growth, heat, rotations and expansion
5. enforcement    prison raids and crackdowns; weekly arrests and victim-identification rates
6. exploitation   where and how likely organisations recruit victims (weekly)
7. destinations   refresh destination-choice probabilities (weekly, and after re-routing)
8. exodus         today's emigrants leave their origin regions (some recruited at origin)
9. journeys       every agent whose event falls today moves, pays, strands, settles, returns,
                  or is reviewed as a victim
10. recorder      copy today's counters into the output arrays
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
