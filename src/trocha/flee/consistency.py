"""Checks that need both a Flee folder's tables and its settings.

Flee 3.1 turns every place whose daily move chance is below 0.005 into a camp ("automatically
setting location ... to camp"), and a camp needs a data series: with `default_movechance = 0`, say,
every town becomes a camp and Flee stops with "can't find the header". Checked when importing and
whenever the scenario loads, so `check` refuses what `run` cannot run.
"""

from __future__ import annotations

from ..scenario.problems import Problem
from .inputs import FleeInputs
from .settings import FleeSettings

CAMP_BELOW = 0.005  # Flee 3.1's threshold
MAX_AGENTS = 100_000_000  # about 4 GB of agent columns: beyond this a run cannot finish


def _move_chance(kind: str, conflict_date: int | None, settings: FleeSettings) -> tuple[float, str]:
    """The move chance a non-camp place starts with, and the setting it comes from."""
    if "conflict" in kind and (conflict_date or 0) > 0:
        kind = "town"  # a conflict zone that starts later starts as a town
    if "conflict" in kind:
        return settings.conflict_movechance, "conflict_movechance"
    if "forward" in kind or "marker" in kind:
        return 1.0, ""
    return settings.default_movechance, "default_movechance"


def settings_problems(
    inputs: FleeInputs, settings: FleeSettings, label: str, scale: int | None = None
) -> list[Problem]:
    """Places the settings make camps without the series Flee 3.1 then needs; runs too large.

    `scale` is the run's people per agent (default: the settings' hasten).
    """
    series = {name for name, _ in inputs.layout}
    problems = []
    hasten = scale or settings.hasten
    agents = agents_upper_bound(inputs, settings, hasten)
    if agents > MAX_AGENTS:
        problems.append(
            Problem(
                label,
                None,
                "hasten",
                f"at {hasten} people per agent the run would create up to {agents:,.0f} agents "
                f"(more than {MAX_AGENTS:,}); raise hasten (or --scale) or lower the spawning",
            )
        )
    for loc in inputs.locations:
        kind = loc.location_type.lower()
        if "camp" in kind:
            continue
        chance, key = _move_chance(kind, loc.conflict_date, settings)
        if chance < CAMP_BELOW and loc.name not in series:
            problems.append(
                Problem(
                    label,
                    None,
                    key,
                    f"{chance:g} makes {loc.name!r} a camp (Flee 3.1 turns places with a move "
                    f"chance below {CAMP_BELOW:g} into camps) and a camp needs a series in "
                    "data_layout.csv, which it has not; Flee 3.1 stops there",
                )
            )
    return problems


def agents_upper_bound(inputs: FleeInputs, settings: FleeSettings, hasten: int) -> float:
    """The most agents a run can create: from the camp data, or from conflict-driven spawning."""
    counts = {file: max((c for _, c in rows), default=0) for file, rows in inputs.series.items()}
    day0 = sum(
        sum(counts.get(f, 0) for f in files) // hasten for name, files in inputs.layout if name
    )
    if not settings.conflict_spawn_mode:
        return float(day0)
    population = {loc.name: loc.population // hasten for loc in inputs.locations}
    per_day = settings.displaced_per_conflict_day
    total = 0.0
    for row in inputs.conflicts[: inputs.days]:
        for name, value in zip(inputs.conflict_names, row, strict=False):
            if name and value > 0:
                weight = (
                    population.get(name, 0) if settings.conflict_spawn_mode == "pop_ratio" else 1
                )
                total += per_day * value * weight
    return float(day0) + total
