"""Interventions that protect migrants: regularisation, awareness, victim identification."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from .base import CountryTargeted

if TYPE_CHECKING:
    from ..simulation import Simulation


class Regularisation(CountryTargeted):
    """A regularisation programme (e.g. Colombia's temporary protection statute): a share
    `coverage` of migrants in `countries` gain status, which lowers their risk of deceptive job
    offers and debt bondage by `coverage x risk_reduction` and raises what the stranded earn by
    `coverage x wage_gain`."""

    kind: ClassVar[str] = "regularisation"
    coverage: float = Field(ge=0, le=1)
    risk_reduction: float = Field(default=0.5, ge=0, le=1)
    wage_gain: float = Field(default=0.5, ge=0, le=3)

    def activate(self, sim: Simulation, day: int) -> None:
        sim.active_regularisations.append(self)
        _apply_regularisations(sim)

    def deactivate(self, sim: Simulation, day: int) -> None:
        sim.active_regularisations.remove(self)
        _apply_regularisations(sim)


def _apply_regularisations(sim: Simulation) -> None:
    """Protection and earnings from the programmes in force (overlapping ones do not add up:
    in each country the largest coverage counts)."""
    w = sim.world
    protection = np.zeros(w.n_countries)
    wage = np.ones(w.n_countries)
    for programme in sim.active_regularisations:
        mask = programme.country_mask(sim)
        protection[mask] = np.maximum(
            protection[mask], programme.coverage * programme.risk_reduction
        )
        wage[mask] = np.maximum(wage[mask], 1 + programme.coverage * programme.wage_gain)
    sim.economy.protection[:] = protection[w.location_country]
    journeys = next(m for m in sim.modules if m.name == "journeys")
    journeys.wage_day[:] = journeys.base_wage_day * wage
    sim.economy_changed = True


class AwarenessCampaign(CountryTargeted):
    """Awareness campaigns in `countries` (origin and corridor): deceptive recruitment falls by
    `coverage x awareness_effect` (parameter table) where they run."""

    kind: ClassVar[str] = "awareness_campaign"
    coverage: float = Field(ge=0, le=1)

    def activate(self, sim: Simulation, day: int) -> None:
        self._places = self.place_mask(sim)
        sim.economy.awareness[self._places] = self.coverage
        sim.economy_changed = True

    def deactivate(self, sim: Simulation, day: int) -> None:
        sim.economy.awareness[self._places] = 0.0
        sim.economy_changed = True


class VictimIdentification(CountryTargeted):
    """A victim identification programme: the identification rate in `countries` is multiplied
    by `multiplier`."""

    kind: ClassVar[str] = "victim_identification"
    multiplier: float = Field(gt=0, le=20)

    def activate(self, sim: Simulation, day: int) -> None:
        self._mask = self.country_mask(sim)
        sim.identification_multiplier[self._mask] *= self.multiplier
        sim.economy_changed = True

    def deactivate(self, sim: Simulation, day: int) -> None:
        sim.identification_multiplier[self._mask] /= self.multiplier
        sim.economy_changed = True
