"""Validation problems, collected so that a user sees every mistake in a scenario at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario, located as precisely as we can."""

    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{where}: {one_line(self.field)}: {one_line(self.message)}"


def one_line(text: str) -> str:
    """`text` with newlines and other control characters escaped (a key read from a user's file
    may hold them), so that a problem stays one file:row: field: message line."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


class ScenarioError(Exception):
    """Raised when a scenario folder is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
