"""CLI commands for policy experiments: compare, sweep, sensitivity.

Everything that can be checked (scenarios, dates, scale, output folder, scheduler) is checked
before the first simulation starts; Ctrl-C says how many runs are saved and how to resume.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .cli_common import (
    Format,
    FormatOption,
    console,
    emit,
    fail,
    interrupted,
    print_problems,
)

WorkersOption = Annotated[
    int | None,
    typer.Option(help="Local Dask workers (default: one per core; 0: in this process)", min=0),
]
SchedulerOption = Annotated[
    str | None, typer.Option(help="Existing Dask scheduler address, tcp://HOST:PORT")
]
OutOption = Annotated[Path, typer.Option("--out", help="Experiments folder")]


def _run_checked(ctx: typer.Context, runner, what: str):
    """Call `runner()`, turning bad input into exit 2 and Ctrl-C into a resume hint."""
    from .experiments.dask_runner import EnsembleInterrupted, RunError
    from .scenario.problems import ScenarioError

    try:
        return runner()
    except EnsembleInterrupted as stop:
        raise interrupted(ctx, stop.finished, stop.total, stop.before) from None
    except ScenarioError as problem:
        print_problems(problem.problems)
        raise fail(f"{what} has {len(problem.problems)} problem(s); see above") from None
    except (ValueError, RunError) as problem:
        raise fail(str(problem)) from None


def _check_scheduler(scheduler: str | None) -> None:
    from .experiments.dask_runner import check_scheduler

    if scheduler is None:
        return
    try:
        check_scheduler(scheduler)
    except ValueError as problem:
        raise fail(str(problem)) from None
    except OSError as problem:
        raise fail(
            f"cannot reach the Dask scheduler at {scheduler} ({problem.strerror or problem}); "
            "start one with `dask scheduler`, or leave out --scheduler for a local cluster"
        ) from None


def compare(
    ctx: typer.Context,
    base: Annotated[str, typer.Argument(help="Baseline scenario (shipped name or folder)")],
    alternatives: Annotated[list[str], typer.Argument(help="Alternative scenarios")],
    seeds: Annotated[int, typer.Option(help="Seeds per scenario", min=2)] = 10,
    scale: Annotated[int | None, typer.Option(help="People per agent")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
    crn: Annotated[bool, typer.Option("--crn/--no-crn", help="Common random numbers")] = True,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out_dir: OutOption = Path("runs"),
    fmt: FormatOption = Format.table,
) -> None:
    """Paired ensembles of a baseline and alternatives; prints and saves comparison.csv."""
    from .experiments.compare import compare as run_compare

    _check_scheduler(scheduler)
    result = _run_checked(
        ctx,
        lambda: run_compare(
            base,
            alternatives,
            seeds,
            out_dir,
            scale=scale,
            end=end,
            crn=crn,
            workers=workers,
            scheduler=scheduler,
        ),
        "a scenario",
    )
    _warn_few_victims(result)
    columns = ["outcome", "unit", "base", "alternative", "difference", "ci_low", "ci_high"]
    if fmt is not Format.table:
        fields = ["alternative", "outcome", "unit", "base_mean", "alt_mean", "diff_mean"]
        fields += ["diff_ci_low", "diff_ci_high", "seeds"]
        rows = result.table[fields].to_numpy().tolist()
        emit(["scenario", *columns, "seeds"], rows, fmt)
        return
    for alternative, group in result.table.groupby("alternative", sort=False):
        rows = [
            [
                r.outcome,
                r.unit,
                f"{r.base_mean:,.0f}",
                f"{r.alt_mean:,.0f}",
                f"{r.diff_mean:+,.0f}",
                f"{r.diff_ci_low:+,.0f} to {r.diff_ci_high:+,.0f}",
            ]
            for r in group.itertuples()
        ]
        emit(
            ["outcome", "unit", "base", "alternative", "difference", "95% interval"],
            rows,
            fmt,
            title=f"{alternative} minus {base}: mean over {seeds} seeds (95% interval)",
            right=("base", "alternative", "difference", "95% interval"),
        )
    console().print(f"Saved {result.folder / 'comparison.csv'}", highlight=False, soft_wrap=True)


def _warn_few_victims(result) -> None:
    """On stderr, whatever the format: trafficking outcomes that a coarse scale reduces to a
    handful of victim agents (bounds.comparison_trafficking_noise)."""
    from .bounds import comparison_trafficking_noise

    table = result.table.set_index("outcome")
    if "people_trafficked" not in table.index:
        return
    trafficked = table.loc[["people_trafficked"], ["base_mean", "alt_mean"]].to_numpy().min()
    members = (
        table.loc[["org_members_end"], ["base_mean", "alt_mean"]].to_numpy().max()
        if ("org_members_end" in table.index)
        else 0.0
    )
    warning = comparison_trafficking_noise(float(trafficked), result.scale, members > 0)
    if warning:
        console(stderr=True).print(f"warning: {warning}", highlight=False, soft_wrap=True)


def _experiment(ctx: typer.Context, kind: str, spec: Path, workers, scheduler, out_dir):
    from .experiments.sweep import sensitivity as run_sensitivity
    from .experiments.sweep import sweep as run_sweep

    _check_scheduler(scheduler)
    runner = run_sweep if kind == "sweep" else run_sensitivity
    return _run_checked(
        ctx, lambda: runner(spec, out_dir, workers=workers, scheduler=scheduler), str(spec)
    )


def sweep(
    ctx: typer.Context,
    spec: Annotated[Path, typer.Argument(help="Sweep spec (TOML), e.g. examples/sweep.toml")],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out_dir: OutOption = Path("runs"),
) -> None:
    """Grid or Latin-hypercube sweep over parameters and intervention variants, times seeds."""
    experiment = _experiment(ctx, "sweep", spec, workers, scheduler, out_dir)
    console().print(
        f"{len(experiment.results)} runs. Results: {experiment.folder / 'results.parquet'}",
        highlight=False,
        soft_wrap=True,
    )


def sensitivity(
    ctx: typer.Context,
    spec: Annotated[Path, typer.Argument(help="Sensitivity spec (TOML)")],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out_dir: OutOption = Path("runs"),
    fmt: FormatOption = Format.table,
) -> None:
    """Morris screening or Sobol indices (SALib) of outcomes to parameters."""
    experiment = _experiment(ctx, "sensitivity", spec, workers, scheduler, out_dir)
    indices = experiment.indices
    columns = [str(c) for c in indices.columns]
    rows = [list(row) for row in indices.itertuples(index=False)]
    emit(
        columns,
        rows,
        fmt,
        title=f"Sensitivity indices ({experiment.folder / 'indices.csv'})",
        cell=lambda _c, v: v if isinstance(v, str) else f"{v:.4g}",
        right=[c for c in columns if indices[c].dtype != object],
    )
