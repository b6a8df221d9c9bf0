"""Trocha: agent-based simulation of mass migration and the criminal economies that prey on it."""

__version__ = "0.1.0"

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
