"""The run's calendar: the one place where dates become day indices and back.

Day 0 is the run's first day (`Simulation(start=...)`, by default the scenario's start). Every
builder (border regimes, crossing controls, organisations' dates, enforcement events,
interventions' windows, push factors, output dates) converts through the Simulation's Calendar, so
a dated rule acts on its real date whatever day the run starts on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Calendar:
    """Days `0 .. n_days - 1` are the dates `start .. end` (inclusive)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def last_day(self) -> int:
        return self.n_days - 1

    def day_of(self, date: dt.date) -> int:
        """Day index of `date`: negative before the run, beyond `last_day` after it."""
        return (date - self.start).days

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def in_force_from(self, date: dt.date) -> int:
        """The first day a rule dated `date` applies: day 0 if it was already in force."""
        return max(0, self.day_of(date))

    def dates(self) -> list[dt.date]:
        return [self.date_of(d) for d in range(self.n_days)]
