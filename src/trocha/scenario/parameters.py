"""The parameter table: every model parameter with its value, unit, source and prior range.

Scenarios override values by name in `scenario.toml` under `[parameters]`; unknown names are errors,
so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from importlib import resources

from .problems import Problem


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    module: str
    source: str
    prior_low: float
    prior_high: float
    description: str


def parameter_table() -> dict[str, Parameter]:
    """The shipped parameter table, keyed by name."""
    text = resources.files("trocha").joinpath("data/parameters.csv").read_text(encoding="utf-8")
    table = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["name"]] = Parameter(
            name=row["name"],
            value=float(row["value"]),
            unit=row["unit"],
            module=row["module"],
            source=row["source"],
            prior_low=float(row["prior_low"]),
            prior_high=float(row["prior_high"]),
            description=row["description"],
        )
    return table


def resolve_parameters(
    overrides: dict[str, object], file: str = "scenario.toml"
) -> tuple[dict[str, float], list[Problem]]:
    """Defaults updated with `overrides`; problems for unknown names and non-numeric values."""
    table = parameter_table()
    values = {name: p.value for name, p in table.items()}
    problems = []
    for name, value in overrides.items():
        if name not in table:
            close = difflib.get_close_matches(name, table, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see docs/parameters.md for names"
            problems.append(Problem(file, None, f"parameters.{name}", f"unknown parameter; {hint}"))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(file, None, f"parameters.{name}", f"expected a number, got {value!r}")
            )
            continue
        values[name] = float(value)
    return values, problems
