"""`trocha run`: one simulation with its summary, or an ensemble over seeds with a summary of
means and ranges. Every bad input is refused before anything is simulated."""

from __future__ import annotations

import difflib
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .cli_common import (
    EXIT_INTERRUPTED,
    Format,
    FormatOption,
    console,
    emit,
    fail,
    interrupted,
    load,
    parse_date,
    print_problems,
)

if TYPE_CHECKING:
    from .results.tables import Result
    from .scenario.loader import Scenario

MAX_ENSEMBLE = 10_000


def run(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario folder or shipped name")] = "venezuela",
    seed: Annotated[
        int, typer.Option(help="Random seed, 0 to 2^63-1 (same seed, same results)")
    ] = 1,
    seeds: Annotated[
        str | None,
        typer.Option(help="An ensemble: seeds like 1-10 or 1,3,5 (instead of --seed)"),
    ] = None,
    scale: Annotated[
        int | None, typer.Option(help="People per agent (default: the scenario's)")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: --set name=value (repeatable)"),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for run directories")] = Path(
        "runs"
    ),
    workers: Annotated[
        int | None,
        typer.Option(help="With --seeds: local Dask workers (default: one run after another)"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="With --seeds: existing Dask scheduler address")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Run one simulation, write its run directory and print a summary (also saved there).

    With --seeds, run the ensemble and print each outcome's mean and range over the seeds.
    """
    from .bounds import check_seed

    try:
        seed = check_seed(seed, "--seed")
        seed_list = parse_seeds(seeds) if seeds is not None else None
    except ValueError as problem:
        raise fail(str(problem)) from None
    if seed_list is not None and seed != 1:
        raise fail("give --seed for one run or --seeds for an ensemble, not both")
    if workers is not None and workers < 1:
        raise fail(f"--workers must be at least 1, got {workers}")
    if seed_list is None and (workers is not None or scheduler is not None):
        raise fail("--workers and --scheduler run ensembles; give --seeds too")
    overrides = parse_settings(set_ or [])
    first, last = parse_date(start, "start"), parse_date(end, "end")
    from .flee.detect import is_flee_scenario

    if is_flee_scenario(scenario) and seed_list is None:
        if overrides:
            raise fail("--set is not available for Flee scenarios (change their [flee] settings)")
        from .flee import commands as flee_commands

        _check_out(out_dir)
        flee_commands.run_command(
            scenario, seed, scale, first, last, out_dir, console(), console(stderr=True)
        )
        return
    loaded = _with_overrides(load(scenario), overrides)
    if seed_list is not None:
        settings = (scale, first, last, overrides)
        runs = (seed_list, settings, out_dir, workers, scheduler)
        _ensemble(ctx, loaded, scenario, runs, quiet, fmt)
        return
    _single(loaded, seed, scale, first, last, out_dir, quiet)


def parse_seeds(text: str) -> list[int]:
    """Seeds from `1-10`, `1,3,5` or a mix (`1-3,7`), each in 0..2^63-1, without repeats."""
    from .bounds import check_seed

    seeds: list[int] = []
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        try:
            if dash:
                a, b = check_seed(low, "--seeds"), check_seed(high, "--seeds")
                if b < a:
                    raise ValueError(f"--seeds range {part} runs backwards; write {b}-{a}")
                if b - a >= MAX_ENSEMBLE:
                    raise ValueError(f"--seeds {part} is more than {MAX_ENSEMBLE} runs")
                seeds += range(a, b + 1)
            else:
                seeds.append(check_seed(part, "--seeds"))
        except ValueError as problem:
            if "--seeds" in str(problem):
                raise
            raise ValueError(f"--seeds must look like 1-10 or 1,3,5, got {text!r}") from None
    unique = list(dict.fromkeys(seeds))
    if not unique or len(unique) > MAX_ENSEMBLE:
        raise ValueError(f"--seeds must name 1 to {MAX_ENSEMBLE} seeds, got {text!r}")
    return unique


def parse_settings(items: list[str]) -> dict[str, float]:
    """`name=value` overrides; exit 2 for bad syntax, values or names (with close matches)."""
    from .scenario.parameters import parameter_table

    table = parameter_table()
    overrides: dict[str, float] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise fail(f"--set must look like name=value, got {item!r}")
        if name not in table:
            close = difflib.get_close_matches(name, table, n=5, cutoff=0.5)
            hint = f"close matches: {', '.join(close)}" if close else "see `trocha parameters`"
            raise fail(f"--set: unknown parameter {name!r}; {hint}")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise fail(f"--set {name}: expected a finite number, got {text!r}")
        overrides[name] = value
    return overrides


def _with_overrides(loaded: Scenario, overrides: dict[str, float]) -> Scenario:
    from .scenario.problems import ScenarioError

    try:
        return loaded.with_parameters(**overrides) if overrides else loaded
    except ScenarioError as problem:
        print_problems(problem.problems)
        raise fail("--set has problems; see above") from None


def _check_out(out_dir: Path) -> None:
    from .results.outdir import OutputError, check_output_folder

    try:
        check_output_folder(out_dir)
    except OutputError as problem:
        raise fail(str(problem)) from None


def _single(loaded, seed, scale, start, end, out_dir: Path, quiet: bool) -> None:
    import datetime as dt

    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .results.rundir import save_run
    from .simulation import Simulation

    try:
        sim = Simulation(loaded, seed=seed, scale=scale, start=start, end=end)
    except ValueError as problem:
        raise fail(str(problem)) from None
    _check_out(out_dir)
    with Progress(
        TextColumn(f"[bold]{escape(loaded.name)}[/] seed {seed} scale {sim.scale}"),
        BarColumn(),
        TextColumn("{task.fields[date]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("run", total=sim.n_days, date=str(sim.start))

        def tick(day: int) -> None:
            if day % 30 == 0 or day == sim.last_day:
                progress.update(
                    task, completed=day + 1, date=str(sim.start + dt.timedelta(days=day))
                )

        try:
            result = sim.run(progress=tick)
        except KeyboardInterrupt:
            console(stderr=True).print("interrupted: nothing saved", highlight=False)
            raise typer.Exit(code=EXIT_INTERRUPTED) from None
    text, data = summary(result, loaded)
    try:
        folder = save_run(
            result,
            out_dir,
            extra_files={
                "summary.txt": text,
                "summary.json": json.dumps(data, indent=2) + "\n",
            },
        )
    except OSError as problem:
        raise fail(f"cannot write to {out_dir}: {problem.strerror or problem}") from None
    out = console()
    out.print(text, end="", highlight=False, markup=False, soft_wrap=True)
    seconds = result.manifest["timings"]["total_seconds"]
    out.print(f"{seconds:.1f} s. Run directory: {folder}", highlight=False, soft_wrap=True)
    _warn_trafficking_noise(result)


def _warn_trafficking_noise(result: Result) -> None:
    from .bounds import trafficking_noise

    try:
        victims = result.metric("victims_current")
    except KeyError:  # a run without exploitation (e.g. Flee's rules)
        return
    try:
        active = bool((result.metric("org_members") > 0).any())
    except KeyError:
        active = False
    warning = trafficking_noise(float(victims.max()), int(result.manifest["scale"]), active)
    if warning:
        console(stderr=True).print(f"warning: {warning}", highlight=False, soft_wrap=True)


def summary(result: Result, loaded: Scenario) -> tuple[str, dict[str, Any]]:
    """The end-of-run summary as text (what `run` prints) and as data, both saved with the run.

    Neither holds timings, so a rerun of the same run writes the same summary files.
    """
    from rich.console import Console

    from .results.summary import economy_lines, headline, stock_comparison, summary_table

    totals = headline(result)
    lines = [
        f"By {totals['end_date']}: {totals['emigrants_cumulative']:,.0f} left, "
        f"{totals['migrant_stock']:,.0f} abroad, {totals['in_transit']:,.0f} in transit, "
        f"{totals['returned_cumulative']:,.0f} returned, "
        f"{totals['deaths_cumulative']:,.0f} died.",
        *economy_lines(result),
        f"{result.manifest['agents_created']:,} agents.",
    ]
    buffer = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    buffer.print(summary_table(result, loaded.targets))
    for line in lines:
        buffer.print(line, highlight=False, markup=False, soft_wrap=True)
    stocks = stock_comparison(result, loaded.targets)
    data = {
        "run_id": result.manifest["run_id"],
        "scenario": result.manifest["scenario"],
        "seed": result.manifest["seed"],
        "scale": result.manifest["scale"],
        "totals": totals,
        "agents_created": result.manifest["agents_created"],
        "economy": lines[1:-1],
        "migrant_stock_year_end": [
            {k: (None if v is None or v != v else v) for k, v in row.items()}
            for row in stocks.to_dict(orient="records")
        ],
    }
    return buffer.export_text(), data


def _ensemble(ctx: typer.Context, loaded, scenario, runs, quiet: bool, fmt: Format) -> None:
    from .experiments.dask_runner import EnsembleInterrupted, RunError, run_ensemble
    from .experiments.outcomes import destination_countries, outcomes_from_run, unit_of
    from .experiments.runs import RunSpec
    from .scenario.problems import ScenarioError

    seeds, settings, out_dir, workers, scheduler = runs
    scale, start, end, overrides = settings
    try:
        specs = [
            RunSpec(scenario, overrides=overrides, seed=s, scale=scale, start=start, end=end)
            for s in seeds
        ]
        folders = run_ensemble(
            specs,
            out_dir,
            workers=0 if workers is None and scheduler is None else workers,
            scheduler=scheduler,
            progress=not quiet,
            announce=True,
        )
    except EnsembleInterrupted as stop:
        raise interrupted(ctx, stop.finished, stop.total, stop.before) from None
    except ScenarioError as problem:
        print_problems(problem.problems)
        raise fail("the scenario has problems; see above") from None
    except (ValueError, RunError) as problem:
        raise fail(str(problem)) from None
    countries = destination_countries(loaded)
    outcomes = [outcomes_from_run(folder, countries) for folder in folders]
    rows = []
    for name in outcomes[0]:
        values = [o.get(name, 0.0) for o in outcomes]
        mean = sum(values) / len(values)
        rows.append([name, unit_of(name), mean, min(values), max(values), len(values)])
    emit(
        ["outcome", "unit", "mean", "min", "max", "seeds"],
        rows,
        fmt,
        title=f"{loaded.name}: {len(seeds)} seeds ({_seed_words(seeds)}), mean and range",
        cell=lambda c, v: f"{v:,.0f}" if isinstance(v, float) else str(v),
        right=("mean", "min", "max", "seeds"),
    )
    if fmt is Format.table:
        console().print(f"Run directories: {Path(out_dir)}", highlight=False, soft_wrap=True)


def _seed_words(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    return ",".join(str(s) for s in seeds[:10]) + (",..." if len(seeds) > 10 else "")
