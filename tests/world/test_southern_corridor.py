"""The southern corridor to Chile (Peru -> Bolivia -> Chile), on the shipped scenario at a coarse
scale: after Chile's consular tourist visa (22 Jun 2019, border_regimes.csv) a Venezuelan without
that visa reaches Chile from Peru only through an irregular crossing, the cheapest being the
altiplano trocha Pisiga -> Colchane from Bolivia, and some agents take it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import trocha
from trocha.codes import CROSSING_IRREGULAR, CROSSING_OFFICIAL
from trocha.world.regimes import DOCUMENT_CLASSES

SCALE, SEED = 2000, 1  # at 5,000 a seed may see no crossing after the visa (a few agents a year)
VISA = dt.date(2019, 6, 22)
LOOK = dt.date(2019, 9, 1)


def _route(sim, c: int, a: int, b: int) -> list[int]:
    """Links of the cheapest route of class c from place a to place b."""
    links, here = [], a
    while here != b:
        link = int(sim.routing.next_link[c, here, b])
        assert link >= 0, "unreachable"
        links.append(link)
        here = int(sim.world.link_to[link])
        assert len(links) < 50
    return links


@pytest.fixture(scope="module")
def corridor():
    sim = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=SEED, scale=SCALE, end="2020-12-31"
    )
    w = sim.world
    index = w.location_index
    pisiga = np.flatnonzero(
        (w.link_from == index("Pisiga"))
        & (w.link_to == index("Colchane"))
        & (w.link_crossing == CROSSING_IRREGULAR)
    )[0]
    seen: dict[str, object] = {}
    days = {sim.calendar.day_of(VISA) - 1: "before", sim.calendar.day_of(LOOK): "look"}

    def look(day: int) -> None:
        if days.get(day) == "before":
            seen["use_before"] = int(sim.link_use[pisiga])
        if days.get(day) == "look":
            seen["allowed"] = sim.borders_allowed.copy()
            seen["routes"] = {
                (c, dest): _route(sim, c, index("Lima"), index(dest))
                for c in range(len(DOCUMENT_CLASSES))
                for dest in ("Iquique", "Santiago")
            }

    sim.run(progress=look)
    seen["use_after"] = int(sim.link_use[pisiga])
    return sim, pisiga, seen


def test_without_a_chilean_visa_chile_is_reached_only_irregularly(corridor):
    sim, pisiga, seen = corridor
    w = sim.world
    chile = w.country_codes.index("CHL")
    into_chile = (w.location_country[w.link_to] == chile) & (
        w.location_country[w.link_from] != chile
    )
    official = np.flatnonzero(into_chile & (w.link_crossing == CROSSING_OFFICIAL))
    assert len(official) > 0
    visa = DOCUMENT_CLASSES.index("visa")
    for c, name in enumerate(DOCUMENT_CLASSES):
        assert seen["allowed"][c, official].any() == (c == visa), name
    for (c, _), links in seen["routes"].items():
        entry = [link for link in links if into_chile[link]]
        assert len(entry) == 1
        if c != visa:
            # The cheapest way in without a visa: the altiplano trocha from Bolivia.
            assert entry[0] == pisiga, w.location_names[w.link_from[entry[0]]]
            assert "BOL" in {w.country_codes[w.location_country[w.link_to[k]]] for k in links}
        else:
            assert w.link_crossing[entry[0]] == CROSSING_OFFICIAL


def test_some_migrants_cross_from_bolivia_into_chile_after_the_visa(corridor):
    _, _, seen = corridor
    assert seen["use_after"] > seen["use_before"], seen
