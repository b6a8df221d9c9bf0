"""What every `trocha` command shares: consoles, one-line failures, tables in four formats.

Imports only Typer and Rich, so that `trocha --help` starts fast; NumPy, pandas, DuckDB and Dask
are imported by the commands that need them.
"""

from __future__ import annotations

import csv
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

# Width of output that goes to a file or a pipe: wide enough that tables are never cut.
UNLIMITED = 100_000

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[
    Format,
    typer.Option("--format", help="table (for people), csv, json or markdown (for other tools)"),
]


def console(stderr: bool = False) -> Console:
    """A console on stdout (or stderr), full width when not a terminal (Rich would use 80).
    Markup is off: what the commands print holds user input (paths, scenario and parameter
    names), and Rich would take `o2[x]` for a tag and print `o2`. Rich is imported here, not
    with the module: `trocha check` and `--help` need none of it."""
    from rich.console import Console

    probe = Console(stderr=stderr, markup=False)
    return probe if probe.is_terminal else Console(stderr=stderr, width=UNLIMITED, markup=False)


def fail(message: str) -> typer.Exit:
    """Print `error: message` on stderr; raise the result to exit with code 2.

    The message is plain text (user input in it is never read as Rich markup).
    """
    from rich.text import Text

    console(stderr=True).print(
        Text.assemble(("error:", "bold red"), " ", message), highlight=False, soft_wrap=True
    )
    return typer.Exit(code=EXIT_BAD_INPUT)


def print_problems(problems: Sequence[object]) -> None:
    err = console(stderr=True)
    for p in problems:
        err.print(str(p), highlight=False, soft_wrap=True, markup=False)


def load(scenario: str):
    """The scenario named or found at `scenario`; exit 2 listing its problems."""
    from .scenario.loader import load_scenario
    from .scenario.problems import ScenarioError

    try:
        return load_scenario(scenario)
    except ScenarioError as problem:
        print_problems(problem.problems)
        raise fail(
            f"scenario {scenario!r} has {len(problem.problems)} problem(s); see above"
        ) from None


def parse_date(value: str | None, name: str):
    """A date from YYYY-MM-DD, or exit 2 naming the option."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--{name} must be a date like 2020-12-31, got {value!r}") from None


def interrupted(ctx: typer.Context, finished: int, total: int, before: int) -> typer.Exit:
    """Ctrl-C in an ensemble: say what is saved and the command that resumes it (exit 130)."""
    err = console(stderr=True)
    earlier = f" ({before} from an earlier run)" if before else ""
    err.print(
        f"interrupted: {finished} of {total} runs finished and saved{earlier}.", highlight=False
    )
    err.print(f"resume with: {resume_command(ctx)}", highlight=False, soft_wrap=True, markup=False)
    return typer.Exit(code=EXIT_INTERRUPTED)


def resume_command(ctx: typer.Context) -> str:
    """The command line of the running command, rebuilt from its parsed parameters."""
    words = ["trocha", ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if param.param_type_name == "argument":
            words += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            continue
        if value is None or value == param.default or param.param_type_name != "option":
            continue
        if getattr(param, "is_flag", False) and isinstance(value, bool):
            names = param.opts if value else param.secondary_opts
            words += names[:1]
            continue
        values = value if getattr(param, "multiple", False) else [value]
        for v in values:
            words += [param.opts[0], str(v.value if isinstance(v, Enum) else v)]
    return shlex.join(words)


def emit(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: Format,
    title: str | None = None,
    cell: Callable[[str, Any], str] | None = None,
    right: Sequence[str] = (),
) -> None:
    """Print rows as a table (Rich), CSV, JSON (a list of objects) or Markdown.

    `cell(column, value)` formats values for people (table, markdown); CSV and JSON keep them raw.
    """
    text = cell or (lambda _column, value: "" if value is None else str(value))
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt is Format.json:
        records = [dict(zip(columns, map(_json_value, row), strict=True)) for row in rows]
        print(json.dumps(records, indent=2, default=str, ensure_ascii=False))
    elif fmt is Format.markdown:
        if title:
            print(f"**{title}**\n")
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---:" if c in right else "---" for c in columns) + "|")
        for row in rows:
            cells = [text(c, v) for c, v in zip(columns, row, strict=True)]
            print("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    else:
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, justify="right" if column in right else "left")
        for row in rows:
            table.add_row(*(text(c, v) for c, v in zip(columns, row, strict=True)))
        console().print(table)


def _json_value(value: Any) -> Any:
    """NaN and infinities are not JSON: they become null."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value
