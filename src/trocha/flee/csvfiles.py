"""Flee's positional CSV files: rows of values, `#` rows are comments (Flee's header rows).

Each data row keeps its line number so that every problem can be reported as
`file:row: field: message`, the same way as in Trocha's own scenario format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

from ..scenario.problems import Problem
from ..scenario.textfiles import read_text


@dataclass(frozen=True)
class CsvRow:
    """One data row of a positional CSV file."""

    line: int
    values: list[str]

    def get(self, index: int) -> str:
        return self.values[index].strip() if index < len(self.values) else ""


def csv_lines(
    path: Path, label: str, problems: list[Problem], missing: str
) -> list[tuple[int, list[str]]] | None:
    """The (line number, values) of every row of a CSV file, blank rows included.

    None, with a problem, when the file is absent (`missing` says what to do), not a file, not
    text in an encoding a spreadsheet saves (see trocha.scenario.textfiles) or not valid CSV.
    """
    text = read_text(path, label, problems, missing)
    if text is None:
        return None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        lines = []
        for values in reader:
            lines.append((reader.line_num, values))
    except csv.Error as error:
        problems.append(Problem(label, None, "file", f"not valid CSV: {error}"))
        return None
    return lines


def read_rows(path: Path, label: str, problems: list[Problem]) -> tuple[list[str], list[CsvRow]]:
    """The last `#` header row (without the `#`) and the data rows of a Flee CSV file.

    A missing or unreadable file adds a problem and returns no rows.
    """
    lines = csv_lines(path, label, problems, "missing; Flee folders need this file")
    if lines is None:
        return [], []
    header: list[str] = []
    rows: list[CsvRow] = []
    for line, values in lines:
        if not values or all(not v.strip() for v in values):
            continue
        if values[0].lstrip().startswith("#"):
            header = [values[0].lstrip()[1:].strip()] + [v.strip() for v in values[1:]]
            continue
        rows.append(CsvRow(line, values))
    return header, rows


def need_columns(row: CsvRow, count: int, names: list[str], label: str, problems: list[Problem]):
    """Adds a problem when `row` has fewer than `count` values; returns whether it has enough."""
    if len(row.values) >= count:
        return True
    missing = names[len(row.values) : count]
    problems.append(
        Problem(
            label,
            row.line,
            missing[0] if missing else "row",
            f"missing: the row has {len(row.values)} values, Flee expects {count} "
            f"({', '.join(names[:count])})",
        )
    )
    return False


def number(
    row: CsvRow,
    index: int,
    field: str,
    label: str,
    problems: list[Problem],
    *,
    integer: bool = False,
    minimum: float | None = None,
    default: float | None = None,
    strict_minimum: bool = False,
    maximum: float | None = None,
) -> float | None:
    """Parse one numeric field; empty gives `default` (or a problem when there is none)."""
    text = row.get(index)
    kind = "an integer" if integer else "a number"
    if text == "":
        if default is not None:
            return default
        problems.append(Problem(label, row.line, field, f"empty; expected {kind}"))
        return None
    try:
        value = float(text)
        if not math.isfinite(value) or (integer and value != int(value)):
            raise ValueError
    except ValueError:
        problems.append(Problem(label, row.line, field, f"expected {kind}, got {text!r}"))
        return None
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        bound = f"> {minimum:g}" if strict_minimum else f">= {minimum:g}"
        problems.append(Problem(label, row.line, field, f"must be {bound}, got {text!r}"))
        return None
    if maximum is not None and value > maximum:
        problems.append(Problem(label, row.line, field, f"must be <= {maximum:g}, got {text!r}"))
        return None
    return int(value) if integer else value


def date(row: CsvRow, index: int, field: str, label: str, problems: list[Problem]):
    """A date as Flee 3.1 reads one (`strptime` with %Y-%m-%d: 2012-3-5 is a date too)."""
    text = row.get(index)
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        problems.append(
            Problem(label, row.line, field, f"expected a date like 2013-12-01, got {text!r}")
        )
        return None
