"""Trocha: agent-based simulation of mass migration and the criminal economies that prey on it."""

__version__ = "0.1.0"

from .results.tables import Result  # noqa: E402
from .scenario.loader import Scenario, load_scenario, shipped_scenarios  # noqa: E402
from .scenario.problems import Problem, ScenarioError  # noqa: E402
from .simulation import Simulation  # noqa: E402

__all__ = [
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "__version__",
    "load_scenario",
    "shipped_scenarios",
]
