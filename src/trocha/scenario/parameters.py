"""The parameter table: every model parameter with its value, unit, source, valid and prior range.

Scenarios override values by name in `scenario.toml` under `[parameters]`; unknown names are errors,
so a typo never silently leaves a default in place. Every value, wherever it comes from (a scenario,
`Scenario.with_parameters`, a sweep or sensitivity spec), must be a finite number inside the
parameter's valid range `min`-`max` (what is meaningful, wider than the calibration prior), and the
coupled constraints below must hold: out-of-range values would run to nonsense, not fail.
"""

from __future__ import annotations

import csv
import difflib
import math
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
    low: float  # valid range: values outside it are rejected
    high: float
    prior_low: float  # calibration prior: where the value plausibly lies
    prior_high: float
    description: str


# (smaller, larger, why): `smaller` may not exceed `larger` (emigrants with a visa hold a passport:
# the document classes are 1 - passport, passport - visa and visa, each a share >= 0).
COUPLED: tuple[tuple[str, str, str], ...] = (
    ("visa_share", "passport_share", "emigrants with a visa are among those with a passport"),
)


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
            low=float(row["min"]),
            high=float(row["max"]),
            prior_low=float(row["prior_low"]),
            prior_high=float(row["prior_high"]),
            description=row["description"],
        )
    return table


def value_problem(parameter: Parameter, value: object) -> str | None:
    """Why `value` cannot be this parameter's value (None if it can)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {value!r}"
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        return f"expected a finite number, got {value!r}"
    if not parameter.low <= number <= parameter.high:
        return (
            f"{number:g} is outside the valid range {parameter.low:g} to {parameter.high:g} "
            f"({parameter.unit})"
        )
    return None


def coupled_problems(values: dict[str, float], file: str, changed: set[str]) -> list[Problem]:
    """The coupled constraints that `values` break (reported under a changed name when one is)."""
    problems = []
    for smaller, larger, why in COUPLED:
        if values[smaller] > values[larger]:
            name = smaller if smaller in changed or larger not in changed else larger
            problems.append(
                Problem(
                    file,
                    None,
                    f"parameters.{name}",
                    f"{smaller} ({values[smaller]:g}) must not exceed {larger} "
                    f"({values[larger]:g}): {why}",
                )
            )
    return problems


def resolve_parameters(
    overrides: dict[str, object], file: str = "scenario.toml"
) -> tuple[dict[str, float], list[Problem]]:
    """Defaults updated with `overrides`; problems for unknown names and invalid values."""
    table = parameter_table()
    values = {name: p.value for name, p in table.items()}
    problems = []
    for name, value in overrides.items():
        if name not in table:
            close = difflib.get_close_matches(name, table, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see docs/parameters.md for names"
            problems.append(Problem(file, None, f"parameters.{name}", f"unknown parameter; {hint}"))
            continue
        message = value_problem(table[name], value)
        if message:
            problems.append(Problem(file, None, f"parameters.{name}", message))
            continue
        values[name] = float(value)
    if not problems:
        problems += coupled_problems(values, file, set(overrides))
    return values, problems
