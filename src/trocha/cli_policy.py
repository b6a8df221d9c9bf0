"""CLI commands for policy experiments: interventions, compare, sweep, sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .scenario.problems import ScenarioError

out = Console()
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True, markup=True)
    return typer.Exit(code=2)


def interventions() -> None:
    """List every intervention type with its parameters (use them in scenario.toml or Python)."""
    from .interventions import KINDS

    for kind, cls in KINDS.items():
        table = Table(title=f"{kind}  ({cls.__name__})", title_justify="left", show_edge=False)
        table.add_column("parameter")
        table.add_column("type")
        table.add_column("default")
        for name, info in cls.model_fields.items():
            default = "required" if info.is_required() else repr(info.default)
            table.add_row(name, str(info.annotation).replace("typing.", ""), default)
        out.print(table)
        out.print(" ".join((cls.__doc__ or "").split()), highlight=False)
        out.print()


def compare(
    base: Annotated[str, typer.Argument(help="Baseline scenario (shipped name or folder)")],
    alternatives: Annotated[list[str], typer.Argument(help="Alternative scenarios")],
    seeds: Annotated[int, typer.Option(help="Seeds per scenario", min=2)] = 10,
    scale: Annotated[int | None, typer.Option(help="People per agent", min=1)] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
    crn: Annotated[bool, typer.Option("--crn/--no-crn", help="Common random numbers")] = True,
    workers: Annotated[int | None, typer.Option(help="Local Dask workers", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Existing Dask scheduler address")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Experiments folder")] = Path("runs"),
) -> None:
    """Paired ensembles of a baseline and alternatives; prints and saves comparison.csv."""
    from .experiments.compare import compare as run_compare

    try:
        result = run_compare(
            base,
            alternatives,
            seeds,
            out_dir,
            scale=scale,
            end=end,
            crn=crn,
            workers=workers,
            scheduler=scheduler,
        )
    except ScenarioError as problem:
        for p in problem.problems:
            err.print(str(p), markup=False, highlight=False, soft_wrap=True)
        raise _fail("a scenario has problems; see above") from None
    except ValueError as problem:
        raise _fail(str(problem)) from None
    for alternative, rows in result.table.groupby("alternative", sort=False):
        table = Table(title=f"{alternative} minus {base}: mean over {seeds} seeds (95% interval)")
        for column in ("outcome", "unit", "base", "alternative", "difference", "95% interval"):
            table.add_column(column, justify="left" if column in ("outcome", "unit") else "right")
        for row in rows.itertuples():
            table.add_row(
                row.outcome,
                row.unit,
                f"{row.base_mean:,.0f}",
                f"{row.alt_mean:,.0f}",
                f"{row.diff_mean:+,.0f}",
                f"{row.diff_ci_low:+,.0f} to {row.diff_ci_high:+,.0f}",
            )
        out.print(table)
    out.print(f"Saved {result.folder / 'comparison.csv'}")


def _experiment(kind: str, spec: Path, workers, scheduler, out_dir):
    from .experiments.sweep import sensitivity as run_sensitivity
    from .experiments.sweep import sweep as run_sweep

    runner = run_sweep if kind == "sweep" else run_sensitivity
    try:
        return runner(spec, out_dir, workers=workers, scheduler=scheduler)
    except ScenarioError as problem:
        for p in problem.problems:
            err.print(str(p), markup=False, highlight=False, soft_wrap=True)
        raise _fail(f"{spec} has {len(problem.problems)} problem(s); see above") from None
    except ValueError as problem:
        raise _fail(str(problem)) from None


def sweep(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (TOML), e.g. examples/sweep.toml")],
    workers: Annotated[int | None, typer.Option(help="Local Dask workers", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Existing Dask scheduler address")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Experiments folder")] = Path("runs"),
) -> None:
    """Grid or Latin-hypercube sweep over parameters and intervention variants, times seeds."""
    experiment = _experiment("sweep", spec, workers, scheduler, out_dir)
    out.print(f"{len(experiment.results)} runs. Results: {experiment.folder / 'results.parquet'}")


def sensitivity(
    spec: Annotated[Path, typer.Argument(help="Sensitivity spec (TOML)")],
    workers: Annotated[int | None, typer.Option(help="Local Dask workers", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="Existing Dask scheduler address")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Experiments folder")] = Path("runs"),
) -> None:
    """Morris screening or Sobol indices (SALib) of outcomes to parameters."""
    experiment = _experiment("sensitivity", spec, workers, scheduler, out_dir)
    table = Table(title=f"Sensitivity indices ({experiment.folder / 'indices.csv'})")
    indices = experiment.indices
    for column in indices.columns:
        table.add_column(column, justify="left" if indices[column].dtype == object else "right")
    for row in indices.itertuples(index=False):
        table.add_row(*(v if isinstance(v, str) else f"{v:.4g}" for v in row))
    out.print(table)
