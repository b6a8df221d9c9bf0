"""Commands that describe what Trocha offers: scenarios, parameters, interventions."""

from __future__ import annotations

import datetime as dt
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli_common import Format, FormatOption, console, emit, load

# What each intervention parameter means, where its class does not say it in a Field description.
# Keyed by (kind, name), or by name for parameters that mean the same in every kind.
MEANINGS: dict[Any, str] = {
    "start": "first day it acts",
    "end": "last day it acts (inclusive); none: to the end of the run",
    "countries": "countries it acts in: ISO3 codes ('COL PER' or a list), * for all",
    "country": "the destination country (ISO3 code)",
    "from_countries": "countries of the travellers it applies to (ISO3 codes, * for all)",
    "organisation": "the criminal organisation, by name (organisations.csv)",
    ("border_regime", "regime"): "document needed at official crossings: open (ID card), "
    "passport, visa (passport and visa) or closed",
    ("visa_requirement", "regime"): "always visa (passport and visa)",
    "place_a": "one end of the crossing (a place in locations.csv)",
    "place_b": "the other end of the crossing",
    "crossing": "which crossings: official, irregular or both",
    "open": "true opens them instead of closing them",
    "places": "places the corridor joins, in order (at least two)",
    "attraction": "how much more attractive the destination becomes (logit units)",
    ("regularisation", "coverage"): "share of migrants in the countries who gain status",
    "risk_reduction": "fall in the risk of deceptive offers and debt bondage for those covered",
    "wage_gain": "rise in what stranded migrants earn, for those covered",
    ("awareness_campaign", "coverage"): "share of people the campaigns reach; deceptive "
    "recruitment falls by coverage x awareness_effect",
    ("victim_identification", "multiplier"): "factor on the victim identification rate",
    ("policing_surge", "multiplier"): "factor on policing (arrests and identification)",
    "reduction": "share by which corruption falls",
    "arrest_share": "share of the organisation's members in those countries arrested on start",
    ("coordinated_crackdown", "multiplier"): "factor on policing from start to end",
}


def scenarios(fmt: FormatOption = Format.table) -> None:
    """List the scenarios shipped with Trocha, with their descriptions."""
    from .scenario.loader import resolve_folder, shipped_scenarios

    rows = []
    for name in shipped_scenarios():
        raw = _toml(resolve_folder(name) / "scenario.toml")
        section = raw.get("scenario", {})
        base = section.get("base")
        rows.append([name, section.get("description", ""), base or ""])
    emit(["scenario", "description", "builds on"], rows, fmt)


def parameters(
    scenario: Annotated[
        str | None, typer.Argument(help="Show this scenario's values and where each comes from")
    ] = None,
    markdown: Annotated[bool, typer.Option(help="Print docs/parameters.md")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List every model parameter with its value, unit, valid range, prior range and source.

    With a SCENARIO: its value of each parameter and where it was set (the parameter table, the
    scenario's scenario.toml, or a scenario it builds on).
    """
    from .scenario.parameters import parameter_table

    if markdown:
        from .scenario.parameters_doc import parameters_markdown

        print(parameters_markdown(), end="")
        return
    table = parameter_table()
    if scenario is None:
        columns = [
            "name", "value", "unit", "min", "max", "prior_low", "prior_high", "source",
            "description",
        ]  # fmt: skip
        rows = [
            [p.name, p.value, p.unit, p.low, p.high, p.prior_low, p.prior_high, p.source,
             p.description]
            for p in table.values()
        ]  # fmt: skip
        if fmt is Format.table:  # the description is what --format csv/json/markdown add
            columns, rows = columns[:-1], [row[:-1] for row in rows]
        emit(
            columns,
            rows,
            fmt,
            title="Parameters (src/trocha/data/parameters.csv)",
            cell=_number,
            right=("value", "min", "max", "prior_low", "prior_high"),
        )
        return
    loaded = load(scenario)
    origins = _origins(loaded.folder)
    rows = []
    for p in table.values():
        value = loaded.parameters[p.name]
        where = origins.get(p.name, "parameter table") if p.name in loaded.overrides else None
        rows.append([p.name, value, p.value, where or "parameter table", p.unit])
    emit(
        ["name", "value", "default", "set by", "unit"],
        rows,
        fmt,
        title=f"Parameters of {loaded.name}",
        cell=_number,
        right=("value", "default"),
    )


def interventions(fmt: FormatOption = Format.table) -> None:
    """List every intervention type with its parameters (use them in scenario.toml or Python)."""
    from .interventions import KINDS

    out = console()
    rows = []
    for kind, cls in KINDS.items():
        doc = " ".join((cls.__doc__ or "").split())
        for name, info in cls.model_fields.items():
            default = "required" if info.is_required() else _default(info)
            meaning = info.description or MEANINGS.get((kind, name)) or MEANINGS.get(name, "")
            bounds = _bounds(info.metadata)
            rows.append([kind, name, _type_words(info.annotation) + bounds, default, meaning, doc])
    if fmt is not Format.table:
        emit(["kind", "parameter", "type", "default", "meaning", "description"], rows, fmt)
        return
    for kind, cls in KINDS.items():
        mine = [row[1:5] for row in rows if row[0] == kind]
        emit(["parameter", "type", "default", "meaning"], mine, fmt, title=f"{kind}")
        out.print(" ".join((cls.__doc__ or "").split()), highlight=False, markup=False)
        out.print()


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _origins(folder: Path) -> dict[str, str]:
    """Parameter name -> where a scenario (or the chain of scenarios it builds on) sets it."""
    from .scenario.loader import resolve_folder
    from .scenario.problems import ScenarioError

    found: dict[str, str] = {}
    seen: set[Path] = set()
    current: Path | None = folder
    label = "scenario.toml"
    while current is not None and current.resolve() not in seen:
        seen.add(current.resolve())
        raw = _toml(current / "scenario.toml")
        for name in raw.get("parameters", {}):
            found.setdefault(name, label)
        base = raw.get("scenario", {}).get("base")
        if not base:
            break
        label = f"base scenario {base}"
        local = (current / base).resolve()
        try:
            current = local if local.is_dir() else resolve_folder(base)
        except ScenarioError:
            break
    return found


def _number(_column: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _default(info) -> str:
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(str(v) for v in value) or "(empty)"
    return str(value)


def _bounds(metadata: list) -> str:
    low = high = None
    for item in metadata:
        for attr, sign in (("ge", ">="), ("gt", ">")):
            if getattr(item, attr, None) is not None:
                low = f"{sign} {getattr(item, attr):g}"
        for attr, sign in (("le", "<="), ("lt", "<")):
            if getattr(item, attr, None) is not None:
                high = f"{sign} {getattr(item, attr):g}"
        if getattr(item, "min_length", None) is not None:
            low = f"at least {item.min_length}"
    parts = [p for p in (low, high) if p]
    return f" ({', '.join(parts)})" if parts else ""


def _type_words(annotation: Any) -> str:
    """A type annotation in words: number, text, date, list of text, one of: a, b..."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        words = [_type_words(a) for a in args if a is not type(None)]
        optional = " or none" if type(None) in args else ""
        return " or ".join(words) + optional
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if origin in (list, tuple, set):
        return "list of " + (_type_words(args[0]) if args else "values")
    names = {
        float: "number",
        int: "whole number",
        str: "text",
        bool: "true/false",
        dt.date: "date (YYYY-MM-DD)",
    }
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))
