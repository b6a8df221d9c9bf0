"""The `trocha` command line. Bad input exits with code 2 and a clear reason, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .cli_experiments import query as query_command
from .cli_policy import compare as compare_command
from .cli_policy import interventions as interventions_command
from .cli_policy import sensitivity as sensitivity_command
from .cli_policy import sweep as sweep_command
from .flee import commands as flee_commands
from .flee.importer import is_flee_scenario
from .results.rundir import save_run
from .results.summary import economy_lines, headline, summary_table
from .scenario.loader import load_scenario, shipped_scenarios
from .scenario.parameters import parameter_table
from .scenario.parameters_doc import parameters_markdown
from .scenario.problems import ScenarioError
from .simulation import Simulation

app = typer.Typer(
    help="Trocha: simulate mass migration and the criminal economies that prey on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _load(scenario: str):
    try:
        return load_scenario(scenario)
    except ScenarioError as problem:
        for p in problem.problems:
            err.print(str(p), highlight=False, soft_wrap=True, markup=False)
        raise _fail(
            f"scenario {scenario!r} has {len(problem.problems)} problem(s); see above"
        ) from None


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--{name} must be a date like 2020-12-31, got {value!r}") from None


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario folder or shipped name")] = "venezuela",
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same results)", min=0)] = 1,
    scale: Annotated[
        int | None, typer.Option(help="People per agent (default: the scenario's)", min=1)
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for run directories")] = Path(
        "runs"
    ),
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Run one simulation, write its run directory and print a summary."""
    # Imported Flee scenarios (scenario.toml: ruleset = "flee") run under Flee 3.1's rules.
    if is_flee_scenario(scenario):
        flee_commands.run_command(
            scenario, seed, scale, _date(start, "start"), _date(end, "end"), out_dir, out, err
        )
        return
    loaded = _load(scenario)
    try:
        sim = Simulation(
            loaded, seed=seed, scale=scale, start=_date(start, "start"), end=_date(end, "end")
        )
    except ValueError as problem:
        raise _fail(str(problem)) from None
    with Progress(
        TextColumn(f"[bold]{loaded.name}[/] seed {seed} scale {sim.scale}"),
        BarColumn(),
        TextColumn("{task.fields[date]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("run", total=sim.n_days, date=str(sim.start))

        def tick(day: int) -> None:
            if day % 30 == 0 or day == sim.last_day:
                progress.update(
                    task, completed=day + 1, date=str(sim.start + dt.timedelta(days=day))
                )

        result = sim.run(progress=tick)
    try:
        folder = save_run(result, out_dir)
    except OSError as problem:
        raise _fail(f"cannot write to {out_dir}: {problem.strerror}") from None
    out.print(summary_table(result, loaded.targets))
    totals = headline(result)
    out.print(
        f"By {totals['end_date']}: {totals['emigrants_cumulative']:,.0f} left, "
        f"{totals['migrant_stock']:,.0f} abroad, {totals['in_transit']:,.0f} in transit, "
        f"{totals['returned_cumulative']:,.0f} returned, {totals['deaths_cumulative']:,.0f} died."
    )
    for line in economy_lines(result):
        out.print(line, highlight=False)
    seconds = result.manifest["timings"]["total_seconds"]
    out.print(
        f"{result.manifest['agents_created']:,} agents, {seconds:.1f} s. Run directory: {folder}"
    )


@app.command()
def check(scenario: Annotated[str, typer.Argument(help="Scenario folder or shipped name")]) -> None:
    """Validate a scenario folder and list every problem as file:row: field: message."""
    # The same loading (and so the same validation) as `run`, for both rulesets.
    if is_flee_scenario(scenario):
        flee_commands.check_command(scenario, out, err)
        return
    loaded = _load(scenario)
    out.print(
        f"{loaded.name}: OK ({len(loaded.locations)} places, {len(loaded.routes)} routes, "
        f"{len(loaded.border_regimes)} border regime changes, {len(loaded.countries)} countries)"
    )


@app.command("import-flee")
def import_flee(
    flee_dir: Annotated[Path, typer.Argument(help="Flee folder (input_csv/, source_data/)")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the new scenario")],
    settings: Annotated[
        Path | None, typer.Option(help="simsetting.yml (default: the one in FLEE_DIR)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Scenario name (default: folder name)")] = None,
    strict: Annotated[
        bool, typer.Option(help="Refuse what Flee 3.1 only warns about (e.g. unknown names)")
    ] = False,
) -> None:
    """Convert a Flee scenario folder into a Trocha scenario that runs under Flee 3.1's rules."""
    flee_commands.import_command(flee_dir, out_dir, settings, name, out, err, strict=strict)


app.command("interventions")(interventions_command)
app.command("compare")(compare_command)
app.command("sweep")(sweep_command)
app.command("sensitivity")(sensitivity_command)
app.command("query")(query_command)


@app.command()
def scenarios() -> None:
    """List the scenarios shipped with Trocha."""
    for name in shipped_scenarios():
        out.print(name)


@app.command()
def parameters(
    markdown: Annotated[bool, typer.Option(help="Print docs/parameters.md")] = False,
) -> None:
    """List every model parameter with its value, unit, source and prior range."""
    if markdown:
        print(parameters_markdown(), end="")
        return
    table = Table(title="Parameters (src/trocha/data/parameters.csv)")
    for column in ("name", "value", "unit", "prior", "source"):
        table.add_column(column)
    for p in parameter_table().values():
        table.add_row(p.name, f"{p.value:g}", p.unit, f"{p.prior_low:g}-{p.prior_high:g}", p.source)
    out.print(table)


@app.command()
def version() -> None:
    """Print the Trocha version."""
    out.print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
