"""Flee compatibility: import Flee scenario folders and run them under Flee 3.1's movement rules.

Flee (Groen et al., https://github.com/djgroen/flee, BSD-3) is the validated simulator of conflict
displacement whose scenario folders this package reads. `import_flee` turns a Flee folder into a
Trocha scenario folder whose `scenario.toml` says `ruleset = "flee"`; `trocha.Simulation` runs it
with the flee modules (modules.py: array kernels that follow Flee 3.1's rules; docs/flee.md lists
the rules and the quirks matched) and returns the same `Result` as every run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use: checking or importing a Flee folder does not pay for Numba.
_LAZY = {
    "FleeRunError": "trocha.flee.state",
    "FleeSimulation": "trocha.flee.engine",
    "import_flee": "trocha.flee.importer",
    "is_flee_scenario": "trocha.flee.detect",
    "load_flee_scenario": "trocha.flee.importer",
}

if TYPE_CHECKING:
    from .detect import is_flee_scenario
    from .engine import FleeSimulation
    from .importer import import_flee, load_flee_scenario
    from .state import FleeRunError

__all__ = [
    "FleeRunError",
    "FleeSimulation",
    "import_flee",
    "is_flee_scenario",
    "load_flee_scenario",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trocha.flee' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
