"""The `trocha import-flee` command and `trocha run` for scenarios with `ruleset = "flee"`.

Bad input exits with code 2 and one line per problem (`file:row: field: message`), never a
traceback, as every Trocha command does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from ..scenario.problems import ScenarioError
from .importer import import_flee, load_flee_scenario


def _fail(err: Console, message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _problems(err: Console, error: ScenarioError, what: str) -> typer.Exit:
    for p in error.problems:
        err.print(str(p), highlight=False, soft_wrap=True, markup=False)
    return _fail(err, f"{what} has {len(error.problems)} problem(s); see above")


def import_command(
    flee_dir: Path,
    out: Path,
    settings: Path | None,
    name: str | None,
    console: Console,
    err: Console,
) -> None:
    try:
        scenario = import_flee(flee_dir, out, settings_file=settings, name=name)
    except ScenarioError as error:
        raise _problems(err, error, f"Flee folder {str(flee_dir)!r}") from None
    except OSError as error:
        raise _fail(err, f"cannot write to {out}: {error.strerror}") from None
    inputs = scenario.inputs
    camps = sum("camp" in loc.location_type.lower() for loc in inputs.locations)
    console.print(
        f"{scenario.name}: imported {len(inputs.locations)} locations ({camps} camps), "
        f"{len(inputs.routes)} routes, {len(inputs.closures)} closures, {inputs.days} days from "
        f"{inputs.start} -> {out}",
        highlight=False,
    )
    if scenario.ignored_settings:
        console.print(
            "note: not read by Flee 3.1, so not used: " + ", ".join(scenario.ignored_settings),
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

    try:
        scenario = load_flee_scenario(folder)
    except ScenarioError as error:
        raise _problems(err, error, f"scenario {folder!r}") from None
    try:
        sim = FleeSimulation(scenario, seed=seed, scale=scale, start=start, end=end)
        result = sim.run()
    except ValueError as problem:  # FleeRunError included
        raise _fail(err, str(problem)) from None
    try:
        folder_out = save_run(result, out_dir)
    except OSError as problem:
        raise _fail(err, f"cannot write to {out_dir}: {problem.strerror}") from None
    rec, manifest = sim.flee.record, result.manifest
    flee = manifest["flee"]
    console.print(
        f"{scenario.name} (flee rules): {int(rec.total_agents[-1]) * sim.scale:,} displaced, "
        f"{int(rec.camp_sim[-1].sum()) * sim.scale:,} in camps on {sim.end}; "
        f"ARD {flee['ard']:.3f} (rescaled {flee['ard_rescaled']:.3f}). "
        f"{manifest['agents_created']:,} agents, "
        f"{manifest['timings']['total_seconds']:.1f} s. Run directory: {folder_out}",
        highlight=False,
    )
