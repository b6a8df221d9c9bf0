"""The lifecycle every model module follows: set up once, then step once a day in a fixed order.

A module also declares what it adds to the shared kernel inputs, so that a new mechanism touches
its module and its kernel only:
- `columns`: the agent columns it owns (name -> NumPy dtype, or (dtype, fill value) when a fresh
  slot must not read 0); the Simulation assembles the people table's record type from them;
- `streams`: the names of the random streams its kernels draw from; kernels read each key as
  `keys.<name with "." replaced by "_">`;
- `kernel_rules(sim)`: named numbers its kernels read (`rules.<name>`), computed after `init`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..simulation import Simulation


class Module:
    """One part of the model with a fixed place in the daily loop."""

    name: str = "module"
    columns: ClassVar[dict[str, object]] = {}
    streams: ClassVar[tuple[str, ...]] = ()

    def init(self, sim: Simulation) -> None:
        """Allocate state; called once before day 0."""

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        """Named numbers the kernels read; called once after every module's `init`."""
        return {}

    def step(self, sim: Simulation, day: int) -> None:
        """Advance the module by one day."""
