"""Deprecated module: `FleeSimulation` now lives in trocha.flee.engine (and `trocha.Simulation`
of an imported Flee scenario gives one); kept so that older imports keep working."""

from __future__ import annotations

from .engine import FleeSimulation
from .state import FleeRunError

__all__ = ["FleeRunError", "FleeSimulation"]
