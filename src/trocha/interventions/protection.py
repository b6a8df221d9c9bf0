"""Interventions that protect migrants: regularisation, awareness, victim identification.

Levers: `protection` and `awareness` [place] (exploitation module, rule max: overlapping programmes
do not add up, the largest counts), `wage_multiplier` [country] (journeys, rule max) and
`identification_multiplier` [country] (enforcement, rule product).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from ..levers import Effect
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

    def effects(self, sim: Simulation) -> list[Effect]:
        countries = self.country_mask(sim)
        return [
            Effect("protection", self.place_mask(sim), self.coverage * self.risk_reduction),
            Effect("wage_multiplier", countries, 1 + self.coverage * self.wage_gain),
        ]


class AwarenessCampaign(CountryTargeted):
    """Awareness campaigns in `countries` (origin and corridor): deceptive recruitment falls by
    `coverage x awareness_effect` (parameter table) where they run."""

    kind: ClassVar[str] = "awareness_campaign"
    coverage: float = Field(ge=0, le=1)

    def effects(self, sim: Simulation) -> list[Effect]:
        return [Effect("awareness", self.place_mask(sim), self.coverage)]


class VictimIdentification(CountryTargeted):
    """A victim identification programme: the identification rate in `countries` is multiplied
    by `multiplier`."""

    kind: ClassVar[str] = "victim_identification"
    multiplier: float = Field(gt=0, le=20)

    def effects(self, sim: Simulation) -> list[Effect]:
        return [Effect("identification_multiplier", self.country_mask(sim), self.multiplier)]
