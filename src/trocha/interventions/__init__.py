"""Scheduled policy changes ("what if"): each a small class with a schedule and a target.

Use them from Python (`trocha.Simulation(scenario, interventions=[...])`) or list them in a
scenario's scenario.toml as [[interventions]] tables with `type = "<kind>"`. `trocha interventions`
lists every kind with its parameters.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..scenario.problems import Problem
from .base import Intervention
from .borders import BorderRegime, CrossingClosure, LegalPathway, SafeTransport, VisaRequirement
from .enforcement import AntiCorruption, CoordinatedCrackdown, PolicingSurge, PrisonRaid
from .protection import AwarenessCampaign, Regularisation, VictimIdentification

KINDS: dict[str, type[Intervention]] = {
    cls.kind: cls
    for cls in (
        BorderRegime,
        VisaRequirement,
        CrossingClosure,
        SafeTransport,
        LegalPathway,
        Regularisation,
        AwarenessCampaign,
        VictimIdentification,
        PolicingSurge,
        AntiCorruption,
        PrisonRaid,
        CoordinatedCrackdown,
    )
}


def parse_interventions(
    tables: list[dict[str, Any]], file: str = "scenario.toml"
) -> tuple[list[Intervention], list[Problem]]:
    """Intervention objects from [[interventions]] tables, with a problem for each bad one."""
    out, problems = [], []
    for i, table in enumerate(tables, start=1):
        where = f"interventions[{i}]"
        data = dict(table)
        kind = data.pop("type", None)
        if kind not in KINDS:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{where}.type",
                    f"unknown type {kind!r}; one of: {', '.join(KINDS)}",
                )
            )
            continue
        try:
            out.append(KINDS[kind].model_validate(data))
        except ValidationError as err:
            for e in err.errors():
                # The only checks on the whole table are of the window (end before start).
                field = ".".join(str(x) for x in e["loc"]) or "end"
                message = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
                problems.append(Problem(file, None, f"{where}.{field}", f"{message} ({kind})"))
    return out, problems


__all__ = ["KINDS", "Intervention", "parse_interventions", *[c.__name__ for c in KINDS.values()]]
