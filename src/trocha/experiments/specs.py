"""Experiment specification files (TOML) for sweeps and sensitivity analyses, validated up front."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..interventions import parse_interventions
from ..scenario.parameters import COUPLED, parameter_table, value_problem
from ..scenario.problems import Problem, ScenarioError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParameterRange(Strict):
    """Either explicit `values` (grid) or a `low`-`high` range (Latin hypercube, Morris, Sobol)."""

    values: list[float] | None = None
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _one_form(self):
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give values = [...] or both low and high")
        if self.values is not None and not self.values:
            raise ValueError("values is empty; give at least one value")
        if self.low is not None and self.high is not None and self.high <= self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self


class Variant(Strict):
    """A named set of interventions, one factor of a sweep ("none" = the scenario as it is)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    interventions: list[dict[str, Any]] = Field(default_factory=list)


class Common(Strict):
    scenario: str
    seeds: int = Field(default=1, ge=1, le=1000)
    scale: int | None = Field(default=None, ge=1)
    end: dt.date | None = None
    sample_seed: int = 1  # seed of the sampler (Latin hypercube, Morris, Sobol)


class SweepSpec(Common):
    method: Literal["grid", "lhs"] = "grid"
    samples: int = Field(default=8, ge=1, le=100000)  # Latin hypercube points


class SensitivitySpec(Common):
    method: Literal["morris", "sobol"] = "morris"
    trajectories: int = Field(default=4, ge=2, le=10000)  # Morris
    samples: int = Field(default=8, ge=2, le=100000)  # Sobol base samples (a power of two is best)
    levels: int = Field(default=4, ge=2, le=20)  # Morris grid levels
    outcomes: list[str] = Field(default_factory=lambda: ["people_trafficked"])


def load_spec(
    path: Path | str, section: str
) -> tuple[Any, dict[str, ParameterRange], list[Variant]]:
    """The [sweep] or [sensitivity] settings, the parameter ranges and the variants of a spec."""
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise ScenarioError([Problem(str(path), None, "file", "no such experiment spec file")])
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([Problem(file, None, "syntax", f"not valid TOML: {err}")]) from None
    problems: list[Problem] = []
    allowed = {section, "parameters", "variants"}
    for name in sorted(set(doc) - allowed):
        problems.append(Problem(file, None, name, f"unknown section; expected {sorted(allowed)}"))
    model = SweepSpec if section == "sweep" else SensitivitySpec
    settings = None
    try:
        settings = model.model_validate(doc.get(section, {}))
    except ValidationError as err:
        for e in err.errors():
            where = ".".join(str(x) for x in e["loc"])
            problems.append(Problem(file, None, f"{section}.{where}", e["msg"]))
    table = parameter_table()
    ranges = {}
    for name, raw in doc.get("parameters", {}).items():
        if name not in table:
            problems.append(
                Problem(
                    file, None, f"parameters.{name}", "unknown parameter; see docs/parameters.md"
                )
            )
            continue
        try:
            ranges[name] = ParameterRange.model_validate(raw)
        except ValidationError as err:
            for e in err.errors():
                problems.append(Problem(file, None, f"parameters.{name}", e["msg"]))
            continue
        problems += _range_problems(file, name, ranges[name])
    problems += _coupled_range_problems(file, ranges)
    variants, numbers = [], []
    for i, raw in enumerate(doc.get("variants", [{"name": "none"}]), start=1):
        try:
            variant = Variant.model_validate(raw)
        except ValidationError as err:
            for e in err.errors():
                where = ".".join(str(x) for x in e["loc"])
                problems.append(Problem(file, None, f"variants[{i}].{where}", e["msg"]))
            continue
        _, iv_problems = parse_interventions(variant.interventions, file)
        problems += [
            Problem(p.file, p.row, f"variants[{i}].{p.field}", p.message) for p in iv_problems
        ]
        variants.append(variant)
        numbers.append(i)
    if section == "sweep" and settings is not None and settings.method == "lhs":
        for name, r in ranges.items():
            if r.values is not None and len(set(r.values)) < 2:
                problems.append(
                    Problem(
                        file,
                        None,
                        f"parameters.{name}",
                        "a Latin hypercube samples between two values; give low and high",
                    )
                )
    if section == "sensitivity":
        for name, r in ranges.items():
            if r.low is None:
                problems.append(
                    Problem(file, None, f"parameters.{name}", "sensitivity needs low and high")
                )
        if settings is not None:
            from .outcomes import OUTCOMES

            for outcome in settings.outcomes:
                if outcome not in OUTCOMES:
                    problems.append(
                        Problem(
                            file,
                            None,
                            "sensitivity.outcomes",
                            f"unknown outcome {outcome!r}; one of {sorted(OUTCOMES)}",
                        )
                    )
    if settings is not None and variants:
        problems += _variant_target_problems(file, settings.scenario, variants, numbers)
    if not ranges and section == "sensitivity":
        problems.append(Problem(file, None, "parameters", "give at least one parameter range"))
    if problems:
        raise ScenarioError(problems)
    return settings, ranges, variants


def _range_problems(file: str, name: str, given: ParameterRange) -> list[Problem]:
    """Every value a spec would run must be valid for the parameter (finite, within its range)."""
    parameter = parameter_table()[name]
    problems = []
    for where, values in (
        ("values", given.values or []),
        ("low", [] if given.low is None else [given.low]),
        ("high", [] if given.high is None else [given.high]),
    ):
        for value in values:
            message = value_problem(parameter, value)
            if message:
                problems.append(Problem(file, None, f"parameters.{name}.{where}", message))
    return problems


def _coupled_range_problems(file: str, ranges: dict[str, ParameterRange]) -> list[Problem]:
    """Coupled parameters (e.g. visa_share <= passport_share) must hold for every sampled point."""
    table = parameter_table()
    problems = []
    for smaller, larger, why in COUPLED:
        if smaller not in ranges and larger not in ranges:
            continue

        def extreme(name: str, pick) -> float:
            given = ranges.get(name)
            if given is None:
                return table[name].value
            return pick(given.values) if given.values is not None else pick([given.low, given.high])

        if extreme(smaller, max) > extreme(larger, min):
            name = smaller if smaller in ranges else larger
            problems.append(
                Problem(
                    file,
                    None,
                    f"parameters.{name}",
                    f"the largest {smaller} ({extreme(smaller, max):g}) exceeds the smallest "
                    f"{larger} ({extreme(larger, min):g}): {why}",
                )
            )
    return problems


def _variant_target_problems(
    file: str, scenario: str, variants: list[Variant], numbers: list[int]
) -> list[Problem]:
    """Variants' intervention targets must be in the scenario (as scenario.toml's are checked).

    A scenario that does not load is reported when the sweep loads it, not here.
    """
    from ..scenario.intervention_targets import intervention_target_problems
    from ..scenario.loader import load_scenario

    if not any(v.interventions for v in variants):
        return []
    try:
        loaded = load_scenario(scenario)
    except ScenarioError:
        return []
    if not hasattr(loaded, "locations"):  # an imported Flee scenario refuses interventions itself
        return []
    tables = {
        "countries": loaded.countries,
        "locations": loaded.locations,
        "routes": loaded.routes,
        "organisations": loaded.organisations,
    }
    problems = []
    for i, variant in zip(numbers, variants, strict=True):
        for p in intervention_target_problems(variant.interventions, [], tables, file):
            problems.append(Problem(p.file, p.row, f"variants[{i}].{p.field}", p.message))
    return problems
