"""The module list of a simulation: the default one, and the checks that a custom one can run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..results.recorder import Recorder
from ..scenario.parameters import parameter_table
from .base import Module, check_order
from .borders import Borders
from .destinations import Destinations
from .enforcement import Enforcement
from .exodus import Exodus
from .exploitation import Exploitation
from .host_policies import HostPolicies
from .interventions import Interventions
from .journeys import Journeys
from .market import Market
from .organisation import Organisations

if TYPE_CHECKING:
    from ..levers import Levers


def default_modules() -> list[Module]:
    """Fresh instances of the model's modules in their documented order (loop.py)."""
    return [
        Interventions(),
        Borders(),
        HostPolicies(),
        Market(),
        Organisations(),
        Enforcement(),
        Exploitation(),
        Destinations(),
        Exodus(),
        Journeys(),
        Recorder(),
    ]


def check_modules(modules: list[Module], levers: Levers) -> None:
    """Refuse a module list whose needs are unmet; declare the levers the modules own."""
    check_order(modules)
    if not any(isinstance(m, Recorder) for m in modules):
        raise ValueError("the module list needs a Recorder (the results come from it)")
    groups = {p.module for p in parameter_table().values()}
    metrics: dict[str, str] = {}
    for m in modules:
        unknown = [g for g in m.parameters if g not in groups]
        if unknown:
            raise ValueError(
                f"module {m.name} declares parameters {unknown}, which are not groups of "
                f"parameters.csv's module column ({', '.join(sorted(groups))})"
            )
        for metric in m.metrics:
            if metric in metrics:
                raise ValueError(
                    f"module {m.name}: metric {metric!r} is already recorded by {metrics[metric]}"
                )
            metrics[metric] = m.name
        for lever in m.levers:
            levers.declare(lever, m.name)
