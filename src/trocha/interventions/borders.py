"""Interventions on borders and routes: regimes, closures, safe transport, legal pathways.

They pull `border_access` (which document classes may use a link; rule last), `link_fare`
(rule min) and `destination_attraction` (rule sum); see the owning modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, field_validator

from ..codes import CROSSING_IRREGULAR, CROSSING_OFFICIAL
from ..levers import Effect
from .base import Intervention, countries_field

if TYPE_CHECKING:
    import numpy as np

    from ..simulation import Simulation


def _official_links_into(sim: Simulation, country: str, from_countries: list[str]) -> np.ndarray:
    import numpy as np

    w = sim.world
    codes = np.array(w.country_codes)
    into = codes[w.location_country[w.link_to]] == country
    source = codes[w.location_country[w.link_from]]
    from_ok = np.ones_like(into) if "*" in from_countries else np.isin(source, from_countries)
    return (w.link_crossing == CROSSING_OFFICIAL) & into & from_ok & (source != country)


class BorderRegime(Intervention):
    """Official crossings into `country` from `from_countries` follow `regime` in the window
    (e.g. Colombia's border never closes: country COL, from *, regime open)."""

    kind: ClassVar[str] = "border_regime"
    country: str
    from_countries: list[str] = Field(default_factory=lambda: ["*"])
    regime: Literal["open", "passport", "visa", "closed"]

    _check = field_validator("from_countries", mode="before")(countries_field)

    def effects(self, sim: Simulation) -> list[Effect]:
        if self.country not in sim.world.country_codes:
            raise ValueError(f"{self.kind}: country {self.country} is not in the scenario")
        links = _official_links_into(sim, self.country, self.from_countries)
        from ..world.regimes import REGIME_ALLOWS, REGIMES

        classes = tuple(bool(x) for x in REGIME_ALLOWS[REGIMES.index(self.regime)])
        return [Effect("border_access", links, classes)]


class VisaRequirement(BorderRegime):
    """`country` requires a passport and visa (regime visa) from `from_countries` in the window."""

    kind: ClassVar[str] = "visa_requirement"
    regime: Literal["visa"] = "visa"


class CrossingClosure(Intervention):
    """Close (or open) the official or irregular crossings between two places in the window,
    e.g. close the Darién trail."""

    kind: ClassVar[str] = "crossing_closure"
    place_a: str
    place_b: str
    crossing: Literal["official", "irregular", "both"] = "both"
    open: bool = False

    def effects(self, sim: Simulation) -> list[Effect]:
        import numpy as np

        w = sim.world
        try:
            a, b = w.location_index(self.place_a), w.location_index(self.place_b)
        except ValueError:
            raise ValueError(
                f"{self.kind}: unknown place {self.place_a!r} or {self.place_b!r}"
            ) from None
        pair = ((w.link_from == a) & (w.link_to == b)) | ((w.link_from == b) & (w.link_to == a))
        kinds = {
            "official": [CROSSING_OFFICIAL],
            "irregular": [CROSSING_IRREGULAR],
            "both": [CROSSING_OFFICIAL, CROSSING_IRREGULAR],
        }[self.crossing]
        links = pair & np.isin(w.link_crossing, kinds)
        if not links.any():
            raise ValueError(
                f"{self.kind}: no {self.crossing} crossing joins {self.place_a} and {self.place_b}"
            )
        return [Effect("border_access", links, (self.open,) * 3)]


class SafeTransport(Intervention):
    """A safe, legal transport corridor: free official passage along the routes joining `places`
    in order (fares waived, official crossings open to every document class)."""

    kind: ClassVar[str] = "safe_transport"
    places: list[str] = Field(min_length=2)

    def _links(self, sim: Simulation) -> np.ndarray:
        import numpy as np

        w = sim.world
        mask = np.zeros(len(w.link_from), dtype=bool)
        for a_name, b_name in zip(self.places[:-1], self.places[1:], strict=True):
            try:
                a, b = w.location_index(a_name), w.location_index(b_name)
            except ValueError:
                raise ValueError(f"{self.kind}: unknown place {a_name!r} or {b_name!r}") from None
            pair = (w.link_from == a) & (w.link_to == b)
            if not (pair & (w.link_crossing != CROSSING_IRREGULAR)).any():
                raise ValueError(
                    f"{self.kind}: no road or official crossing from {a_name} to {b_name}"
                )
            mask |= pair & (w.link_crossing != CROSSING_IRREGULAR)
        return mask

    def effects(self, sim: Simulation) -> list[Effect]:
        links = self._links(sim)
        official = links & (sim.world.link_crossing == CROSSING_OFFICIAL)
        out = [Effect("link_fare", links, 0.0)]
        if official.any():
            out.append(Effect("border_access", official, (True, True, True)))
        return out


class LegalPathway(Intervention):
    """A humanitarian parole or legal pathway to `country`: passport holders may enter officially
    (regime passport) and the destination becomes more attractive by `attraction` (logit units)."""

    kind: ClassVar[str] = "legal_pathway"
    country: str
    attraction: float = Field(default=0.5, ge=0, le=5)

    def effects(self, sim: Simulation) -> list[Effect]:
        import numpy as np

        codes = sim.world.country_codes
        if self.country not in codes:
            raise ValueError(f"{self.kind}: country {self.country} is not in the scenario")
        links = _official_links_into(sim, self.country, ["*"])
        return [
            Effect("border_access", links, (False, True, True)),
            Effect("destination_attraction", np.isin(codes, [self.country]), self.attraction),
        ]
