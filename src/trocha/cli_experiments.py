"""Command-line verbs for experiments and their outputs (registered in `trocha.cli`).

Bad input exits with code 2 and a one-line reason, never a traceback.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import Format, FormatOption, console, emit, fail

app = typer.Typer(
    help="Experiments and the catalog of runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    """Experiments and the catalog of runs."""
    # A callback keeps `query` a named sub-command even while it is this app's only one.


@app.command()
def query(
    out_dir: Annotated[Path, typer.Argument(help="Folder of run directories (trocha run --out)")],
    sql: Annotated[str, typer.Argument(help="SQL over tables runs, timeseries, locations, events")],
    max_rows: Annotated[int, typer.Option(help="Rows to print at most (table)", min=1)] = 50,
    csv: Annotated[bool, typer.Option("--csv", help="Same as --format csv")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Query the runs in OUT_DIR with SQL (DuckDB): runs, timeseries, locations, events, skipped.

    Example: trocha query runs/ "SELECT run_id, max(value) FROM timeseries
    WHERE metric = 'migrant_stock' AND country = 'ALL' GROUP BY run_id"

    A read-only folder is queried through a catalog in memory. Run directories that cannot be
    read are left out with a warning (SELECT * FROM skipped lists them).
    """
    import duckdb

    from .results import catalog

    if csv:
        fmt = Format.csv
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = catalog.query(out_dir, sql)
        except catalog.CatalogError as problem:
            raise fail(str(problem)) from None
        except duckdb.Error as problem:
            text = str(problem).strip()
            raise fail(text.splitlines()[0] if text else type(problem).__name__) from None
    err = console(stderr=True)
    for warning in caught:
        err.print(f"warning: {warning.message}", highlight=False, markup=False, soft_wrap=True)
    if caught:
        err.print(
            f"warning: {len(caught)} run director{'y' if len(caught) == 1 else 'ies'} skipped "
            "(SELECT * FROM skipped)",
            highlight=False,
            markup=False,
        )
    columns = [str(c) for c in frame.columns]
    if fmt is not Format.table:
        rows = [[_raw(v) for v in row] for row in frame.itertuples(index=False)]
        emit(columns, rows, fmt, cell=lambda _c, v: _cell(v))
        return
    numeric = [c for c in columns if _is_numeric(frame[c])]
    rows = [list(row) for row in frame.head(max_rows).itertuples(index=False)]
    emit(columns, rows, fmt, cell=lambda _c, v: _cell(v), right=numeric)
    shown = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    if len(frame) > max_rows:
        shown += f", {max_rows:,} shown (--max-rows N, or --format csv for all)"
    console().print(shown, highlight=False)


def _is_numeric(series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series))


def _raw(value: object) -> object:
    """A value for CSV and JSON: numbers stay numbers, dates become ISO text, NaN becomes empty."""
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item"):
        return value.item()  # NumPy scalars
    return value


def _cell(value: object) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()  # DuckDB DATE arrives as a midnight timestamp
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
