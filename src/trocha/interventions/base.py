"""What every intervention is: who it targets, when it is delivered, and what it changes.

An intervention is a specification: validated data (a Pydantic model, so unknown or bad parameters
are rejected with a clear message), immutable and serialisable (`model_dump()` round-trips). It
keeps no run state. What it does in a run is declared by two methods the Simulation calls:
`effects(sim)` lists the levers it pulls while active (levers.py: lever, mask, value; the module
owning each lever combines overlapping interventions by the lever's rule) and `event(sim, day)` is
a one-shot action on its first day (a prison raid). It acts only on its targets and in its window;
everything else, random numbers included, is left as the baseline has it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ..levers import Effect

if TYPE_CHECKING:
    import numpy as np

    from ..simulation import Simulation


class Intervention(BaseModel):
    """Base class: a schedule (`start`, `end`, inclusive) and the hooks."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: ClassVar[str] = "intervention"
    start: dt.date
    end: dt.date | None = None  # None: to the end of the run

    @model_validator(mode="after")
    def _window(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def days(self, sim: Simulation) -> tuple[int, int]:
        """First and last day index of the window on the run's calendar (clipped to the run)."""
        cal = sim.calendar
        first = cal.in_force_from(self.start)
        last = cal.last_day if self.end is None else min(cal.last_day, cal.day_of(self.end))
        return first, last

    def effects(self, sim: Simulation) -> list[Effect]:
        """The levers it pulls while active; a ValueError if its targets are not in the scenario."""
        return []

    def event(self, sim: Simulation, day: int) -> None:
        """A one-shot action on the first day of the window (none by default)."""

    def describe(self) -> str:
        fields = ", ".join(
            f"{k}={v}" for k, v in self.model_dump().items() if k not in ("start", "end")
        )
        until = f" to {self.end}" if self.end else ""
        return f"{self.kind} from {self.start}{until}: {fields}"


def countries_field(value: str | list[str]) -> list[str]:
    """Countries as a list of ISO3 codes ('*' for all); accepts 'COL PER' or ['COL', 'PER']."""
    if not isinstance(value, str | list | tuple):
        raise ValueError(f"expected ISO3 country codes such as ['COL', 'PER'], got {value!r}")
    codes = value.split() if isinstance(value, str) else list(value)
    for code in codes:
        if not isinstance(code, str):
            raise ValueError(f"expected ISO3 country codes such as COL, or *; got {code!r}")
        if code != "*" and (len(code) != 3 or not code.isupper()):
            raise ValueError(f"expected ISO3 country codes such as COL, or *; got {code!r}")
    return codes


class CountryTargeted(Intervention):
    """An intervention that acts in some countries."""

    countries: list[str]

    _check_countries = field_validator("countries", mode="before")(countries_field)

    def country_mask(self, sim: Simulation) -> np.ndarray:
        import numpy as np

        codes = sim.world.country_codes
        if "*" in self.countries:
            return np.ones(len(codes), dtype=bool)
        unknown = [c for c in self.countries if c not in codes]
        if unknown:
            raise ValueError(f"{self.kind}: countries {unknown} are not in the scenario")
        return np.isin(codes, self.countries)

    def place_mask(self, sim: Simulation) -> np.ndarray:
        return self.country_mask(sim)[sim.world.location_country]
