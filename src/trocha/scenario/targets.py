"""Observed figures shipped with a scenario (optional `targets.csv`), for summaries and calibration."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Target:
    date: dt.date
    country: str
    metric: str
    value: float
    source_id: str
    role: str  # "calibration" or "validation"


def load_targets(folder: Path) -> list[Target]:
    """Rows of targets.csv, or none if the scenario has no such file."""
    path = Path(folder) / "targets.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Target(
                date=dt.date.fromisoformat(row["date"]),
                country=row["country"],
                metric=row["metric"],
                value=float(row["value"]),
                source_id=row["source_id"],
                role=row.get("role", "calibration") or "calibration",
            )
            for row in csv.DictReader(handle)
        ]
