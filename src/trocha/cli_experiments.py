"""Command-line verbs for experiments and their outputs (registered in `trocha.cli`).

Bad input exits with code 2 and a one-line reason, never a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from .results import catalog

app = typer.Typer(
    help="Experiments and the catalog of runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Experiments and the catalog of runs."""
    # A callback keeps `query` a named sub-command even while it is this app's only one.


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.command()
def query(
    out_dir: Annotated[Path, typer.Argument(help="Folder of run directories (trocha run --out)")],
    sql: Annotated[str, typer.Argument(help="SQL over tables runs, timeseries, locations, events")],
    max_rows: Annotated[int, typer.Option(help="Rows to print at most", min=1)] = 50,
    csv: Annotated[bool, typer.Option("--csv", help="Print every row as CSV instead")] = False,
) -> None:
    """Query the runs in OUT_DIR with SQL (DuckDB): runs, timeseries, locations, events.

    Example: trocha query runs/ "SELECT run_id, max(value) FROM timeseries
    WHERE metric = 'migrant_stock' AND country = 'ALL' GROUP BY run_id"
    """
    try:
        frame = catalog.query(out_dir, sql)
    except catalog.CatalogError as problem:
        raise _fail(str(problem)) from None
    except duckdb.Error as problem:
        text = str(problem).strip()
        raise _fail(text.splitlines()[0] if text else type(problem).__name__) from None
    if csv:
        print(frame.to_csv(index=False), end="")
        return
    out.print(_table(frame, max_rows))
    rows = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    if len(frame) > max_rows:
        rows += f", {max_rows:,} shown (--max-rows N, or --csv for all)"
    out.print(rows, highlight=False)


def _table(frame: pd.DataFrame, max_rows: int) -> Table:
    table = Table()
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    return table


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()  # DuckDB DATE arrives as a midnight timestamp
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
