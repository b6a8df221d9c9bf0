"""Observed figures shipped with a scenario (optional `targets.csv`)."""

from __future__ import annotations

from .tables import TargetRow as Target

__all__ = ["Target"]
