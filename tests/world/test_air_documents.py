"""International flights board only passport holders, whatever the destination's land regime."""

from __future__ import annotations

import numpy as np

import trocha
from trocha.codes import CROSSING_OFFICIAL
from trocha.world.graph import MODES
from trocha.world.regimes import DOCUMENT_CLASSES, build_regime_schedule

ID_CARD, PASSPORT = DOCUMENT_CLASSES.index("id_card"), DOCUMENT_CLASSES.index("passport")


def _link(sim, origin: str, destination: str) -> int:
    w = sim.world
    names = list(w.location_names)
    a, b = names.index(origin), names.index(destination)
    found = np.flatnonzero(
        (w.link_from == a) & (w.link_to == b) & (w.link_crossing == CROSSING_OFFICIAL)
    )
    assert len(found) == 1
    return int(found[0])


def test_flights_need_a_passport_where_land_entry_needs_only_an_id_card():
    sim = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=1, scale=20000, end="2015-01-31"
    )
    schedule = build_regime_schedule(sim.scenario, sim.world, sim.calendar)
    allowed = schedule.allowed(0, len(sim.world.link_from))  # 2014-01-01
    flight = _link(sim, "Maiquetía", "Benito Juárez Airport")  # Mexico: no visa until 2022
    bridge = _link(sim, "San Antonio del Táchira", "Cúcuta")  # Colombia: open by land in 2014
    assert sim.world.link_mode[flight] == MODES.index("air")
    assert not allowed[ID_CARD, flight] and allowed[PASSPORT, flight]
    assert allowed[ID_CARD, bridge]
    # Every international flight, and no domestic one, is at least "passport".
    w = sim.world
    country = w.location_country
    air = w.link_mode == MODES.index("air")
    international = air & (country[w.link_from] != country[w.link_to])
    assert not allowed[ID_CARD, international & (w.link_crossing == CROSSING_OFFICIAL)].any()
    domestic = np.flatnonzero(air & ~international)
    assert len(domestic) and allowed[ID_CARD, domestic].all()
