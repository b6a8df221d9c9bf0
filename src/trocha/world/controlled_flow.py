"""Controlled flow: a transit country escorts irregular entrants from where they come in to its
next border, so they cross it without settling.

Panama's Operación Flujo Controlado (with Costa Rica, from 2015-16) registers everyone who comes
out of the Darién at reception stations and buses them to the Costa Rican border. In the graph
that is a closure: while a country's `controlled_flow` policy (host_policies.csv) is in force, the
domestic links that lead from its *reception corridor* into one of its cities are closed to every
document class. The corridor is the landing places of the irregular crossings into the country
and the border towns reached from them by domestic links through border towns only (for Panama:
Bajo Chiquito, Lajas Blancas and Paso Canoas). Those who came in officially (air, or land with the
papers the regime asks for) reach its cities as before.
"""

from __future__ import annotations

import numpy as np

from ..codes import CROSSING_IRREGULAR, CROSSING_NONE
from .graph import KINDS, World


def corridor_places(world: World, country: int) -> np.ndarray:
    """Places of the reception corridor of `country` (sorted indices; empty if no irregular
    crossing leads into it)."""
    loc_country = world.location_country
    into = (
        (world.link_crossing == CROSSING_IRREGULAR)
        & (loc_country[world.link_to] == country)
        & (loc_country[world.link_from] != country)
    )
    border = world.location_kind == KINDS.index("border_town")
    seen = set(int(p) for p in world.link_to[into] if border[p])
    frontier = list(seen)
    domestic = world.link_crossing == CROSSING_NONE
    while frontier:
        here = frontier.pop()
        for link in np.flatnonzero(domestic & (world.link_from == here)):
            there = int(world.link_to[link])
            if loc_country[there] == country and border[there] and there not in seen:
                seen.add(there)
                frontier.append(there)
    return np.array(sorted(seen), dtype=np.int64)


def controlled_flow_links(world: World, country: int) -> np.ndarray:
    """Links closed while `country` runs a controlled flow: domestic links from its reception
    corridor into one of its cities."""
    corridor = np.zeros(world.n_locations, dtype=bool)
    corridor[corridor_places(world, country)] = True
    city = world.location_kind == KINDS.index("city")
    closed = (
        (world.link_crossing == CROSSING_NONE)
        & corridor[world.link_from]
        & city[world.link_to]
        & (world.location_country[world.link_to] == country)
    )
    return np.flatnonzero(closed)
