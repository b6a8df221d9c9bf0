"""The `trocha import-flee` command and `trocha run` for scenarios with `ruleset = "flee"`.

Bad input exits with code 2 and one line per problem (`file:row: field: message`), never a
traceback, as every Trocha command does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from ..cli_common import fail
from ..scenario.problems import ScenarioError
from .consistency import settings_problems
from .importer import import_flee, load_flee_scenario


def _problems(err: Console, error: ScenarioError, what: str) -> typer.Exit:
    for p in error.problems:
        err.print(str(p), highlight=False, soft_wrap=True, markup=False)
    return fail(f"{what} has {len(error.problems)} problem(s); see above")


def import_command(
    flee_dir: Path,
    out: Path,
    settings: Path | None,
    name: str | None,
    console: Console,
    err: Console,
    strict: bool = False,
) -> None:
    try:
        scenario = import_flee(flee_dir, out, settings_file=settings, name=name, strict=strict)
    except ScenarioError as error:
        raise _problems(err, error, f"Flee folder {str(flee_dir)!r}") from None
    except OSError as error:
        raise fail(f"cannot write to {out}: {error.strerror}") from None
    inputs = scenario.inputs
    camps = sum("camp" in loc.location_type.lower() for loc in inputs.locations)
    console.print(
        f"{scenario.name}: imported {len(inputs.locations)} locations ({camps} camps), "
        f"{len(inputs.routes)} routes, {len(inputs.closures)} closures, {inputs.days} days from "
        f"{inputs.start} -> {out}",
        highlight=False,
    )
    _warn(err, scenario.warnings)


def _warn(err: Console, warnings) -> None:
    """What Flee 3.1 tolerates with a printed warning, printed the same way (one per line)."""
    for w in warnings:
        err.print(f"warning: {w}", highlight=False, soft_wrap=True, markup=False)


def _load(folder: str, err: Console):
    """The one loading step of `check` and `run`, so they accept and refuse the same scenarios."""
    try:
        return load_flee_scenario(folder)
    except ScenarioError as error:
        raise _problems(err, error, f"scenario {folder!r}") from None


def check_command(folder: str, console: Console, err: Console) -> None:
    scenario = _load(folder, err)
    _warn(err, scenario.warnings)
    inputs = scenario.inputs
    console.print(
        f"{scenario.name}: OK (flee rules; {len(inputs.locations)} locations, "
        f"{len(inputs.routes)} routes, {len(inputs.closures)} closures, {inputs.days} days from "
        f"{inputs.start})",
        highlight=False,
    )


def run_command(
    folder: str,
    seed: int,
    scale: int | None,
    start: dt.date | None,
    end: dt.date | None,
    out_dir: Path,
    console: Console,
    err: Console,
) -> None:
    """`trocha run` on a Flee scenario: its Simulation (FleeSimulation), saved by save_run."""
    from ..results.rundir import save_run
    from .engine import FleeSimulation

    scenario = _load(folder, err)
    _warn(err, scenario.warnings)
    too_large = settings_problems(scenario.inputs, scenario.settings, "--scale", scale)
    if scale is not None and too_large:
        raise _problems(err, ScenarioError(too_large), f"scenario {folder!r} at --scale {scale}")
    try:
        sim = FleeSimulation(scenario, seed=seed, scale=scale, start=start, end=end)
        result = sim.run()
    except ValueError as problem:  # FleeRunError included
        raise fail(str(problem)) from None
    try:
        folder_out = save_run(result, out_dir)
    except OSError as problem:
        raise fail(f"cannot write to {out_dir}: {problem.strerror}") from None
    rec, manifest = sim.flee.record, result.manifest
    flee = manifest["flee"]
    if flee["ard"] is None:
        score = "no camp data, so no ARD"
    else:
        score = f"ARD {flee['ard']:.3f} (rescaled {flee['ard_rescaled']:.3f})"
    console.print(
        f"{scenario.name} (flee rules): {int(rec.total_agents[-1]) * sim.scale:,} displaced, "
        f"{int(rec.camp_sim[-1].sum()) * sim.scale:,} in camps on {sim.end}; {score}. "
        f"{manifest['agents_created']:,} agents, "
        f"{manifest['timings']['total_seconds']:.1f} s. Run directory: {folder_out}",
        highlight=False,
    )
