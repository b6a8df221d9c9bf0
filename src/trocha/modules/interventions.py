"""Interventions: which are active today, first thing each day; one-shot events on their day.

The intervention specs keep no run state: their effects were scheduled on the levers when the
Simulation was built (`Simulation.levers`); here the day's changes are announced so that the modules
owning the levers recompute them in their own start_step, and one-shot events happen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import NEVER, Module

if TYPE_CHECKING:
    from ..simulation import Simulation


class Interventions(Module):
    name = "interventions"
    provides = ("interventions",)

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Interventions act through levers, whose change days the Simulation counts."""
        return NEVER

    def init(self, sim: Simulation) -> None:
        self.windows = [(iv, *iv.days(sim)) for iv in sim.interventions]
        for iv, first, last in self.windows:
            if first <= last and first <= sim.last_day:
                sim.events.append((first, "intervention", "", "", iv.describe()))

    def start_step(self, sim: Simulation, day: int) -> None:
        sim.levers.start_day(day)
        sim.economy_changed = False  # the modules owning levers set it if one changes today
        for iv, first, last in self.windows:
            if first == day and first <= last:
                iv.event(sim, day)
