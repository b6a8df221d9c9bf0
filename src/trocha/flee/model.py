"""Deprecated: `FleeSimulation` is now `trocha.Simulation` on an imported Flee scenario.

Kept as a thin alias for code written before the flee ruleset ran as modules of the Simulation.
"""

from __future__ import annotations

from .engine import flee_simulation
from .state import FleeRunError

FleeSimulation = flee_simulation  # deprecated alias: builds a Simulation

__all__ = ["FleeRunError", "FleeSimulation"]
