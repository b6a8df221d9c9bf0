"""The scenario's places, countries and links as arrays for the kernels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..codes import CROSSINGS
from ..scenario.loader import Scenario

KINDS = ("origin", "city", "border_town", "airport", "crossing")
MODES = ("walk", "bus", "boat", "air")


class Links(NamedTuple):
    """Link columns as the kernels see them."""

    to: np.ndarray
    days: np.ndarray
    fare: np.ndarray
    crossing: np.ndarray
    risk: np.ndarray


@dataclass
class World:
    """Places, countries and directed links (each undirected route becomes two links)."""

    location_names: list[str]
    location_country: np.ndarray  # int32 index into country_codes
    location_kind: np.ndarray  # int8 index into KINDS
    location_population: np.ndarray  # float64
    location_lat: np.ndarray
    location_lon: np.ndarray
    country_codes: list[str]
    country_wage: np.ndarray  # USD per month
    country_constant: np.ndarray  # destination-choice constant
    country_role: list[str]
    origin_country: int
    link_from: np.ndarray  # int32
    link_to: np.ndarray
    link_days: np.ndarray  # float64 travel days
    link_km: np.ndarray  # float64 distance
    link_cost: np.ndarray  # USD
    link_crossing: np.ndarray  # int8 CROSSING_*
    link_risk: np.ndarray  # death probability per traversal
    link_mode: np.ndarray  # int8 index into MODES
    destinations: np.ndarray  # int32 location ids where migrants can settle
    origins: np.ndarray  # int32 location ids of origin regions

    @property
    def n_locations(self) -> int:
        return len(self.location_names)

    @property
    def n_countries(self) -> int:
        return len(self.country_codes)

    def link_arrays(self) -> Links:
        """The link columns the journeys kernel reads."""
        return Links(
            self.link_to, self.link_days, self.link_cost, self.link_crossing, self.link_risk
        )

    def location_index(self, name: str) -> int:
        return self.location_names.index(name)


def build_world(scenario: Scenario) -> World:
    """Arrays of the scenario's geography, with travel times from the mode speeds."""
    p = scenario.parameters
    codes = [c.iso3 for c in scenario.countries]
    country_of = {code: i for i, code in enumerate(codes)}
    names = [loc.name for loc in scenario.locations]
    index = {name: i for i, name in enumerate(names)}
    speed = {
        "walk": p["walk_speed_km_day"],
        "bus": p["bus_speed_km_day"],
        "boat": p["boat_speed_km_day"],
        "air": p["air_speed_km_day"],
    }
    rows = []
    for r in scenario.routes:
        for a, b in ((r.from_, r.to), (r.to, r.from_)):
            rows.append(
                (
                    index[a],
                    index[b],
                    r.distance_km / speed[r.mode],
                    r.cost_usd,
                    CROSSINGS.index(r.crossing),
                    r.death_risk,
                    MODES.index(r.mode),
                    r.distance_km,
                )
            )
    links = list(zip(*rows, strict=True))
    role = {c.iso3: c.role for c in scenario.countries}
    loc_country = np.array([country_of[loc.country] for loc in scenario.locations], dtype=np.int32)
    destinations = [
        i
        for i, loc in enumerate(scenario.locations)
        if loc.kind == "city" and role[loc.country] == "host"
    ]
    origins = [i for i, loc in enumerate(scenario.locations) if loc.kind == "origin"]
    return World(
        location_names=names,
        location_country=loc_country,
        location_kind=np.array(
            [KINDS.index(loc.kind) for loc in scenario.locations], dtype=np.int8
        ),
        location_population=np.array(
            [loc.population for loc in scenario.locations], dtype=np.float64
        ),
        location_lat=np.array([loc.lat for loc in scenario.locations]),
        location_lon=np.array([loc.lon for loc in scenario.locations]),
        country_codes=codes,
        country_wage=np.array([c.wage_usd_month for c in scenario.countries], dtype=np.float64),
        country_constant=np.array(
            [c.choice_constant for c in scenario.countries], dtype=np.float64
        ),
        country_role=[c.role for c in scenario.countries],
        origin_country=country_of[scenario.spec.origin_country],
        link_from=np.array(links[0], dtype=np.int32),
        link_to=np.array(links[1], dtype=np.int32),
        link_days=np.array(links[2], dtype=np.float64),
        link_cost=np.array(links[3], dtype=np.float64),
        link_crossing=np.array(links[4], dtype=np.int8),
        link_risk=np.array(links[5], dtype=np.float64),
        link_mode=np.array(links[6], dtype=np.int8),
        link_km=np.array(links[7], dtype=np.float64),
        destinations=np.array(destinations, dtype=np.int32),
        origins=np.array(origins, dtype=np.int32),
    )
