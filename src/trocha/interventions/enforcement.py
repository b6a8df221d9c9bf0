"""Interventions of the state against organisations: policing, corruption, raids, crackdowns."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from .base import CountryTargeted, Intervention

if TYPE_CHECKING:
    from ..simulation import Simulation


class PolicingSurge(CountryTargeted):
    """Policing in `countries` is multiplied by `multiplier` (arrests and identification)."""

    kind: ClassVar[str] = "policing_surge"
    multiplier: float = Field(gt=0, le=20)

    def activate(self, sim: Simulation, day: int) -> None:
        self._mask = self.country_mask(sim)
        sim.policing_multiplier[self._mask] *= self.multiplier
        sim.economy_changed = True

    def deactivate(self, sim: Simulation, day: int) -> None:
        sim.policing_multiplier[self._mask] /= self.multiplier
        sim.economy_changed = True


class AntiCorruption(CountryTargeted):
    """An anti-corruption drive: corruption in `countries` falls by the share `reduction`."""

    kind: ClassVar[str] = "anti_corruption"
    reduction: float = Field(ge=0, le=1)

    def activate(self, sim: Simulation, day: int) -> None:
        self._mask = self.country_mask(sim)
        sim.corruption_multiplier[self._mask] *= 1 - self.reduction
        sim.economy_changed = True

    def deactivate(self, sim: Simulation, day: int) -> None:
        if self.reduction < 1:
            sim.corruption_multiplier[self._mask] /= 1 - self.reduction
        else:
            sim.corruption_multiplier[self._mask] = 1.0
        sim.economy_changed = True


def _organisation(sim: Simulation, name: str, kind: str) -> int:
    try:
        return sim.economy.names.index(name)
    except ValueError:
        raise ValueError(f"{kind}: organisation {name!r} is not in the scenario") from None


class PrisonRaid(Intervention):
    """The state retakes `organisation`'s headquarters prison on `start` (leadership removal)."""

    kind: ClassVar[str] = "prison_raid"
    organisation: str

    def setup(self, sim: Simulation) -> None:
        _organisation(sim, self.organisation, self.kind)

    def activate(self, sim: Simulation, day: int) -> None:
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

    def setup(self, sim: Simulation) -> None:
        _organisation(sim, self.organisation, self.kind)
        self.country_mask(sim)

    def activate(self, sim: Simulation, day: int) -> None:
        eco, w = sim.economy, sim.world
        org = _organisation(sim, self.organisation, self.kind)
        self._mask = self.country_mask(sim)
        places = self._mask[w.location_country] & eco.cell[org]
        arrested = eco.members[org, places] * self.arrest_share
        eco.members[org, places] -= arrested
        np.add.at(sim.arrests, w.location_country[np.flatnonzero(places)], arrested)
        sim.policing_multiplier[self._mask] *= self.multiplier
        sim.economy_changed = True
        sim.events.append(
            (
                day,
                "crackdown",
                "",
                " ".join(np.array(w.country_codes)[self._mask]),
                f"coordinated crackdown on {self.organisation}: {arrested.sum():.0f} members "
                f"arrested in {int(places.sum())} cells (intervention)",
            )
        )

    def deactivate(self, sim: Simulation, day: int) -> None:
        sim.policing_multiplier[self._mask] /= self.multiplier
        sim.economy_changed = True
