"""An imported Flee scenario as the experiment tools see a scenario (`load_scenario` returns it).

`RunSpec`, `run_ensemble`, `compare` and `sweep` read a few things of a scenario: its name, content
hash, parameters, interventions, default scale and dates, and its countries. A Flee scenario has
no Trocha parameters or interventions (its settings are Flee's, in scenario.toml), so overrides
are refused with a message rather than ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import ClassVar

from ..scenario.problems import Problem, ScenarioError
from .importer import FleeScenario, load_flee_scenario


@dataclasses.dataclass(frozen=True)
class FleeSpec:
    """The run defaults of a Flee scenario: its days (conflicts.csv) and `hasten`."""

    name: str
    start: dt.date
    end: dt.date
    default_scale: int


@dataclasses.dataclass(frozen=True)
class FleeCountry:
    """A country of the Flee network; each one's displaced stock is an outcome (`host`)."""

    iso3: str
    role: str = "host"


@dataclasses.dataclass
class ImportedFlee(FleeScenario):
    """A FleeScenario with the scenario interface of the experiment tools."""

    ruleset: ClassVar[str] = "flee"
    parameters: dict = dataclasses.field(default_factory=dict)
    overrides: dict = dataclasses.field(default_factory=dict)
    interventions: list = dataclasses.field(default_factory=list)

    @property
    def spec(self) -> FleeSpec:
        return FleeSpec(self.name, self.inputs.start, self.end, int(self.settings.hasten))

    @property
    def countries(self) -> list[FleeCountry]:
        names = {loc.country or "unknown" for loc in self.inputs.locations}  # as network.py
        return [FleeCountry(c) for c in sorted(names)]

    def with_parameters(self, **values: float) -> ImportedFlee:
        if values:
            raise ScenarioError(
                [
                    Problem(
                        "scenario.toml",
                        None,
                        ", ".join(sorted(values)),
                        "a Flee scenario has no Trocha parameters; change its [flee] settings",
                    )
                ]
            )
        return self

    def check_run(self, scale: int, start: dt.date, end: dt.date) -> None:
        """ValueError where the scale or dates cannot run (a Flee run starts on day 0)."""
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"scale must be a positive integer (Flee's hasten), got {scale!r}")
        if start != self.inputs.start:
            raise ValueError(f"start must be the scenario's first day {self.inputs.start}")
        if not start <= end <= self.end:
            raise ValueError(f"end must be between {start} and {self.end}, got {end}")


def load_imported_flee(folder: Path | str) -> ImportedFlee:
    """Load a folder written by `import_flee`; raises ScenarioError on any problem."""
    plain = load_flee_scenario(folder)
    return ImportedFlee(**{f.name: getattr(plain, f.name) for f in dataclasses.fields(plain)})
