"""International flights board only passport holders, whatever the destination's land regime."""

from __future__ import annotations

import datetime as dt

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


def test_costa_rica_takes_flights_without_a_visa_until_february_2022():
    """Costa Rica's Venezuelans flew in (no visa until 21 Feb 2022, S275), so the Darién is not
    the only way there; from that day a passport alone no longer boards, while the land entry
    from Panama stays open to those in transit north."""
    sim = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=1, scale=20000, end="2023-01-31"
    )
    schedule = build_regime_schedule(sim.scenario, sim.world, sim.calendar)
    n = len(sim.world.link_from)
    flight = _link(sim, "Maiquetía", "Juan Santamaría Airport")
    from_bogota = _link(sim, "El Dorado Airport", "Juan Santamaría Airport")
    land = _link(sim, "Paso Canoas", "San José")
    visa = DOCUMENT_CLASSES.index("visa")
    day = sim.calendar.day_of
    for date, passport_boards in (
        ("2019-06-30", True),
        ("2020-06-30", False),  # pandemic closure (18 Mar 2020 - 5 Apr 2021)
        ("2022-02-20", True),
        ("2022-02-21", False),
    ):
        allowed = schedule.allowed(day(dt.date.fromisoformat(date)), n)
        for link in (flight, from_bogota):
            assert allowed[PASSPORT, link] == passport_boards, (date, link)
            assert not allowed[ID_CARD, link]
        closed = date == "2020-06-30"
        assert allowed[ID_CARD, land] == allowed[PASSPORT, land] == (not closed), date
        if date == "2022-02-21":
            assert allowed[visa, flight] and allowed[visa, from_bogota]


def test_the_hosts_fly_to_mexico_with_a_passport_until_its_visa_of_january_2022():
    """Migrants living in Colombia, Peru and Chile could fly to Mexico with a passport and go on
    to the US border until Mexico's visa of 21 Jan 2022 (S59); from that day only a visa boards.
    An ID card never does."""
    sim = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=1, scale=20000, end="2023-01-31"
    )
    schedule = build_regime_schedule(sim.scenario, sim.world, sim.calendar)
    n = len(sim.world.link_from)
    flights = [
        _link(sim, airport, "Benito Juárez Airport")
        for airport in (
            "El Dorado Airport",
            "Jorge Chávez Airport",
            "Arturo Merino Benítez Airport",
        )
    ]
    visa = DOCUMENT_CLASSES.index("visa")
    day = sim.calendar.day_of
    for date, passport_boards in (
        ("2019-06-30", True),
        ("2022-01-20", True),
        ("2022-01-21", False),
    ):
        allowed = schedule.allowed(day(dt.date.fromisoformat(date)), n)
        for link in flights:
            assert sim.world.link_mode[link] == MODES.index("air")
            assert allowed[PASSPORT, link] == passport_boards, (date, link)
            assert allowed[visa, link] and not allowed[ID_CARD, link], (date, link)
