"""The `trocha` command line. Bad input exits with code 2 and a clear reason, never a traceback.

Only Typer and Rich are imported here: each command imports what it needs (NumPy, Numba, pandas,
PyArrow, DuckDB, Dask) when it runs, so `trocha --help` and `trocha check` start quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__, cli_forecast
from .cli_common import console, fail, load
from .cli_experiments import query as query_command
from .cli_info import interventions as interventions_command
from .cli_info import parameters as parameters_command
from .cli_info import scenarios as scenarios_command
from .cli_policy import compare as compare_command
from .cli_policy import sensitivity as sensitivity_command
from .cli_policy import sweep as sweep_command
from .cli_run import run as run_command

app = typer.Typer(
    help="Trocha: simulate mass migration and the criminal economies that prey on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("run")(run_command)


@app.command()
def check(scenario: Annotated[str, typer.Argument(help="Scenario folder or shipped name")]) -> None:
    """Validate a scenario folder and list every problem as file:row: field: message."""
    # The same loading (and so the same validation) as `run`, for both rulesets.
    from .flee.detect import is_flee_scenario

    if is_flee_scenario(scenario):
        from .flee import commands as flee_commands

        flee_commands.check_command(scenario, console(), console(stderr=True))
        return
    loaded = load(scenario)
    if getattr(loaded, "ruleset", None) == "flee":
        inputs = loaded.inputs
        print(
            f"{loaded.name}: OK, flee ruleset ({len(inputs.locations)} locations, "
            f"{len(inputs.routes)} routes, {len(inputs.closures)} closures, {inputs.days} days "
            f"from {inputs.start})"
        )
        return
    # A plain line: Rich (its import alone is a tenth of this command's time) is not needed.
    print(
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
    from .flee import commands as flee_commands
    from .results.outdir import OutputError, check_output_folder

    try:
        check_output_folder(out_dir)
    except OutputError as problem:
        raise fail(str(problem)) from None
    flee_commands.import_command(
        flee_dir, out_dir, settings, name, console(), console(stderr=True), strict=strict
    )


app.command("interventions")(interventions_command)
app.command("compare")(compare_command)
app.command("sweep")(sweep_command)
app.command("sensitivity")(sensitivity_command)
app.command("query")(query_command)
app.command("calibrate")(cli_forecast.calibrate)
app.command("forecast")(cli_forecast.forecast)
app.command("validate")(cli_forecast.validate)
app.command("scenarios")(scenarios_command)
app.command("parameters")(parameters_command)

# Reports, exports and the dashboard (trocha.report; plotly and starlette load lazily).
from .report import commands as report_commands  # noqa: E402

app.command("report")(report_commands.report)
app.command("export")(report_commands.export)
app.command("serve")(report_commands.serve)


@app.command()
def version() -> None:
    """Print the Trocha version."""
    print(__version__)


def _print_version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Trocha: simulate mass migration and the criminal economies that prey on it."""


def main() -> None:
    """Entry point. A bad option value (`--scale ten`) is one `error:` line with exit code 2,
    like every other bad input, instead of Click's usage box."""
    try:  # Typer vendors Click in recent versions
        from typer._click.exceptions import ClickException
    except ImportError:  # pragma: no cover - older Typer uses Click itself
        from click.exceptions import ClickException

    try:
        code = app(standalone_mode=False)
    except ClickException as problem:
        if type(problem).__name__ == "NoArgsIsHelpError":
            problem.show()  # `trocha` alone prints the help
        else:
            ctx = getattr(problem, "ctx", None)
            command = f" ({ctx.command_path} --help)" if ctx is not None else ""
            console(stderr=True).print(
                f"error: {problem.format_message()}{command}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        sys.exit(problem.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
