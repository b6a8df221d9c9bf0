"""Interventions of the state against organisations: policing, corruption, raids, crackdowns.

Policing and corruption levers are owned by the enforcement module (rule product). A prison raid is
an event; a coordinated crackdown is an event (arrests on its first day) and a lever (policing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from ..levers import Effect
from .base import CountryTargeted, Intervention

if TYPE_CHECKING:
    from ..simulation import Simulation


class PolicingSurge(CountryTargeted):
    """Policing in `countries` is multiplied by `multiplier` (arrests and identification)."""

    kind: ClassVar[str] = "policing_surge"
    multiplier: float = Field(gt=0, le=20)

    def effects(self, sim: Simulation) -> list[Effect]:
        return [Effect("policing_multiplier", self.country_mask(sim), self.multiplier)]


class AntiCorruption(CountryTargeted):
    """An anti-corruption drive: corruption in `countries` falls by the share `reduction`."""

    kind: ClassVar[str] = "anti_corruption"
    reduction: float = Field(ge=0, le=1)

    def effects(self, sim: Simulation) -> list[Effect]:
        return [Effect("corruption_multiplier", self.country_mask(sim), 1 - self.reduction)]


def _organisation(sim: Simulation, name: str, kind: str) -> int:
    try:
        return sim.economy.names.index(name)
    except ValueError:
        raise ValueError(f"{kind}: organisation {name!r} is not in the scenario") from None


class PrisonRaid(Intervention):
    """The state retakes `organisation`'s headquarters prison on `start` (leadership removal)."""

    kind: ClassVar[str] = "prison_raid"
    organisation: str

    def effects(self, sim: Simulation) -> list[Effect]:
        _organisation(sim, self.organisation, self.kind)
        if not any(m.name == "enforcement" for m in sim.modules):
            raise ValueError("a prison raid needs the enforcement module")
        return []

    def event(self, sim: Simulation, day: int) -> None:
        enforcement = next(m for m in sim.modules if m.name == "enforcement")
        enforcement.raid(sim, _organisation(sim, self.organisation, self.kind), day, "intervention")


class CoordinatedCrackdown(CountryTargeted):
    """Police in `countries` strike `organisation`'s cells together: on `start` a share
    `arrest_share` of the members of its cells there is arrested, and policing stays multiplied by
    `multiplier` until `end`."""

    kind: ClassVar[str] = "coordinated_crackdown"
    organisation: str
    arrest_share: float = Field(default=0.5, ge=0, le=1)
    multiplier: float = Field(default=2.0, gt=0, le=20)

    def effects(self, sim: Simulation) -> list[Effect]:
        _organisation(sim, self.organisation, self.kind)
        return [Effect("policing_multiplier", self.country_mask(sim), self.multiplier)]

    def event(self, sim: Simulation, day: int) -> None:
        import numpy as np

        eco, w = sim.economy, sim.world
        org = _organisation(sim, self.organisation, self.kind)
        mask = self.country_mask(sim)
        places = mask[w.location_country] & eco.cell[org]
        enforcement = next(m for m in sim.modules if m.name == "enforcement")
        arrested = enforcement.crackdown_arrests(sim, org, places, self.arrest_share, day)
        sim.economy_changed = True
        sim.events.append(
            (
                day,
                "crackdown",
                "",
                " ".join(np.array(w.country_codes)[mask]),
                f"coordinated crackdown on {self.organisation}: {arrested} members "
                f"arrested in {int(places.sum())} cells (intervention)",
            )
        )
