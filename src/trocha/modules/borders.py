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
    """Regimes from border_regimes.csv, with interventions' overrides on top.

    `sim.link_overrides` holds (first day, last day, link mask, allowed[class] or None); an
    intervention adds one to open, close or restrict links for a while. Later overrides win.
    """

    name = "borders"

    def init(self, sim: Simulation) -> None:
        self.schedule = build_regime_schedule(sim.scenario, sim.world, sim.calendar)
        self._change_days = {int(d) for d in self.schedule.change_days}
        for first, last, _, _ in sim.link_overrides:
            self._change_days |= {first, last + 1}
        sim.borders_allowed = self.allowed(sim, 0)
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

    def allowed(self, sim: Simulation, day: int) -> np.ndarray:
        allowed = self.schedule.allowed(day, len(sim.world.link_from))
        for first, last, links, classes in sim.link_overrides:
            if first <= day <= last:
                allowed[:, links] = np.asarray(classes, dtype=bool)[:, None]
        return allowed

    def step(self, sim: Simulation, day: int) -> None:
        if day in self._change_days and day > 0:
            allowed = self.allowed(sim, day)
            if not np.array_equal(allowed, sim.borders_allowed):
                sim.borders_allowed = allowed
                sim.reroute(new_regimes=True)
