"""Flee's positional CSV files: rows of values, `#` rows are comments (Flee's header rows).

Each data row keeps its line number so that every problem can be reported as
`file:row: field: message`, the same way as in Trocha's own scenario format.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..scenario.problems import Problem


@dataclass(frozen=True)
class CsvRow:
    """One data row of a positional CSV file."""

    line: int
    values: list[str]

    def get(self, index: int) -> str:
        return self.values[index].strip() if index < len(self.values) else ""


def read_rows(path: Path, label: str, problems: list[Problem]) -> tuple[list[str], list[CsvRow]]:
    """The last `#` header row (without the `#`) and the data rows of a Flee CSV file.

    A missing or unreadable file adds a problem and returns no rows.
    """
    if not path.exists():
        problems.append(Problem(label, None, "file", "missing; Flee folders need this file"))
        return [], []
    header: list[str] = []
    rows: list[CsvRow] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for line, values in enumerate(csv.reader(handle), start=1):
                if not values or all(not v.strip() for v in values):
                    continue
                if values[0].lstrip().startswith("#"):
                    header = [values[0].lstrip()[1:].strip()] + [v.strip() for v in values[1:]]
                    continue
                rows.append(CsvRow(line, values))
    except (UnicodeDecodeError, csv.Error) as error:
        problems.append(Problem(label, None, "file", f"cannot be read as UTF-8 CSV: {error}"))
        return [], []
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
        if integer and value != int(value):
            raise ValueError
    except ValueError:
        problems.append(Problem(label, row.line, field, f"expected {kind}, got {text!r}"))
        return None
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        bound = f"> {minimum:g}" if strict_minimum else f">= {minimum:g}"
        problems.append(Problem(label, row.line, field, f"must be {bound}, got {text!r}"))
        return None
    return int(value) if integer else value


def date(row: CsvRow, index: int, field: str, label: str, problems: list[Problem]):
    text = row.get(index)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(
            Problem(label, row.line, field, f"expected a date like 2013-12-01, got {text!r}")
        )
        return None
