"""Interventions: switch scheduled policy changes on and off, first thing each day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation


class Interventions(Module):
    name = "interventions"

    def init(self, sim: Simulation) -> None:
        self.windows = [(iv, *iv.days(sim)) for iv in sim.interventions]
        for iv, first, last in self.windows:
            if first <= last and first <= sim.last_day:
                sim.events.append((first, "intervention", "", "", iv.describe()))

    def step(self, sim: Simulation, day: int) -> None:
        sim.economy_changed = False
        for iv, first, last in self.windows:
            if first > last:
                continue
            if day == first:
                iv.activate(sim, day)
            elif day == last + 1:
                iv.deactivate(sim, day)
