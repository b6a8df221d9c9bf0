"""What every intervention is: who it targets, when it is delivered, and what it changes.

An intervention is data (a Pydantic model, so unknown or bad parameters are rejected with a clear
message) plus three hooks: `setup` before day 0 (e.g. register border overrides), `activate` on its
first day and `deactivate` the day after its last. It acts only on its targets and in its window;
everything else, random numbers included, is left as the baseline has it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

if TYPE_CHECKING:
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
        """First and last day index of the window (clipped to the run)."""
        first = max(0, (self.start - sim.start).days)
        last = sim.last_day if self.end is None else min(sim.last_day, (self.end - sim.start).days)
        return first, last

    def setup(self, sim: Simulation) -> None:
        """Before day 0 (register overrides that must be known from the start)."""

    def activate(self, sim: Simulation, day: int) -> None:
        """On the first day of the window."""

    def deactivate(self, sim: Simulation, day: int) -> None:
        """On the day after the last day of the window."""

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

    def setup(self, sim: Simulation) -> None:
        self.country_mask(sim)  # unknown countries are an error before the run starts

    def country_mask(self, sim: Simulation) -> np.ndarray:
        codes = sim.world.country_codes
        if "*" in self.countries:
            return np.ones(len(codes), dtype=bool)
        unknown = [c for c in self.countries if c not in codes]
        if unknown:
            raise ValueError(f"{self.kind}: countries {unknown} are not in the scenario")
        return np.isin(codes, self.countries)

    def place_mask(self, sim: Simulation) -> np.ndarray:
        return self.country_mask(sim)[sim.world.location_country]
