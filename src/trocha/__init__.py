"""Trocha: agent-based simulation of mass migration and the criminal economies that prey on it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public names and the modules that define them, imported on first use: `import trocha` (and so
# the `trocha` command) does not pay for NumPy, Numba, pandas or DuckDB until they are needed.
_LAZY = {
    "Module": "trocha.modules.base",
    "default_modules": "trocha.modules.plan",
    "Problem": "trocha.scenario.problems",
    "Result": "trocha.results.tables",
    "Scenario": "trocha.scenario.loader",
    "ScenarioError": "trocha.scenario.problems",
    "Simulation": "trocha.simulation",
    "interventions": "trocha.interventions",
    "load_scenario": "trocha.scenario.loader",
    "open_catalog": "trocha.results.catalog",
    "shipped_scenarios": "trocha.scenario.loader",
}

if TYPE_CHECKING:
    from . import interventions
    from .modules.base import Module
    from .modules.plan import default_modules
    from .results.catalog import open_catalog
    from .results.tables import Result
    from .scenario.loader import Scenario, load_scenario, shipped_scenarios
    from .scenario.problems import Problem, ScenarioError
    from .simulation import Simulation

__all__ = [
    "Module",
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "__version__",
    "default_modules",
    "interventions",
    "load_scenario",
    "open_catalog",
    "shipped_scenarios",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trocha' has no attribute {name!r}")
    imported = importlib.import_module(module)
    value = imported if name == "interventions" else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
