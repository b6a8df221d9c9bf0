"""Border regimes: apply the dated entry regimes and re-route travellers when they change.

Routing tables are recomputed only on the days some regime changes (events.csv of the scenario).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..world.regimes import build_regime_schedule
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation


class Borders(Module):
    name = "borders"

    def init(self, sim: Simulation) -> None:
        self.schedule = build_regime_schedule(sim.scenario, sim.world)
        self._change_days = set(int(d) for d in self.schedule.change_days)
        sim.borders_allowed = self.schedule.allowed(0, len(sim.world.link_from))
        sim.reroute(new_regimes=True)
        for change in self.schedule.changes:
            if 0 <= change.day <= sim.last_day:
                sim.events.append(
                    (
                        change.day,
                        "border_regime",
                        "",
                        change.country,
                        f"entry into {change.country} from {change.from_country}: {change.regime} "
                        f"(source {change.source_id})",
                    )
                )

    def step(self, sim: Simulation, day: int) -> None:
        if day in self._change_days and day > 0:
            allowed = self.schedule.allowed(day, len(sim.world.link_from))
            if not np.array_equal(allowed, sim.borders_allowed):
                sim.borders_allowed = allowed
                sim.reroute(new_regimes=True)
