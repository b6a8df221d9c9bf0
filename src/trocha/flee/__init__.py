"""Flee compatibility: import Flee scenario folders and run them under Flee 3.1's movement rules.

Flee (Groen et al., https://github.com/djgroen/flee, BSD-3) is the validated simulator of conflict
displacement whose scenario folders this package reads. `import_flee` turns a Flee folder into a
Trocha scenario folder whose `scenario.toml` says `ruleset = "flee"`; `FleeSimulation` runs it with
array kernels that follow Flee 3.1's rules (see docs/flee.md for the rules and the quirks matched).
"""

from __future__ import annotations

from .importer import import_flee, is_flee_scenario, load_flee_scenario
from .model import FleeResult, FleeSimulation
from .outputs import save_flee_run

__all__ = [
    "FleeResult",
    "FleeSimulation",
    "import_flee",
    "is_flee_scenario",
    "load_flee_scenario",
    "save_flee_run",
]
