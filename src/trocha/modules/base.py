"""The lifecycle every model module follows: set up once, then step once a day in a fixed order."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..simulation import Simulation


class Module:
    """One part of the model with a fixed place in the daily loop."""

    name: str = "module"

    def init(self, sim: Simulation) -> None:
        """Allocate state; called once before day 0."""

    def step(self, sim: Simulation, day: int) -> None:
        """Advance the module by one day."""
