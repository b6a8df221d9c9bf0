"""Savings and moving on of settled migrants; encounters and expulsions at a host's border."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import trocha
from trocha import rng
from trocha.codes import DEAD, RETURNED, SETTLED
from trocha.kernels import counters as k

HEADER = "date,country,policy,value,source_id,notes\n"


def _settled_in_bogota(parameters: dict, peru_constant: float, n: int = 300, money: float = 3000):
    """Tiny at day 0 with `n` extra migrants settled in Bogotá with `money`, their first review
    today; Peru's country constant set to `peru_constant`."""
    scenario = trocha.load_scenario("tiny").with_parameters(**parameters)
    sim = trocha.Simulation(scenario, seed=4, scale=100)
    for module in sim.modules:
        module.init(sim)
    w = sim.world
    w.country_constant[w.country_codes.index("PER")] = peru_constant
    destinations = next(m for m in sim.modules if m.name == "destinations")
    destinations.static(sim)
    destinations.refresh(sim, 0)
    people = sim.people
    bogota, caracas = w.location_index("Bogotá"), w.location_index("Caracas")
    people.reserve(n)
    first = people.count
    people.count = first + n
    for i in range(first, first + n):
        values = {
            "state": SETTLED,
            "document": 1,
            "returning": 0,
            "origin": caracas,
            "location": bogota,
            "destination": bogota,
            "money": money,
            "uid": rng.agent_uid(bogota, -1, 900_000 + i),
            "route_version": sim.routing_version,
            "victim_org": -1,
            "debt": 0.0,
            "package": 0,
        }
        for name, value in values.items():
            people.table[name][i] = value
        people.table["queue_next"][i] = sim.queue_head[0]
        sim.queue_head[0] = i
    sim.current[k.PRESENT, w.location_country[bogota]] += n
    sim.location_counts[k.LOC_PRESENT, bogota] += n
    return sim, np.arange(first, first + n)


def _left_colombia(sim, agents, days: int = 120) -> int:
    journeys = next(m for m in sim.modules if m.name == "journeys")
    for day in range(days):
        journeys.step(sim, day)
        sim.finish_day(day)
    w = sim.world
    here = w.location_country[sim.people.table["location"][agents]]
    return int((here != w.country_codes.index("COL")).sum())


FAST = {"onward_rate_per_year": 6.0, "return_rate_per_year": 0.0, "exodus_base_rate": 0.0}


def test_settled_migrants_move_on_when_a_better_destination_opens():
    moved_better = _left_colombia(*_settled_in_bogota(FAST, peru_constant=6.0))
    moved_worse = _left_colombia(*_settled_in_bogota(FAST, peru_constant=-6.0))
    assert moved_better > 100 and moved_worse < 10


def test_a_high_premium_for_staying_keeps_them_where_they_are():
    stay = {**FAST, "onward_stay_utility": 15.0}
    assert _left_colombia(*_settled_in_bogota(stay, peru_constant=6.0)) == 0


def test_without_money_they_stay_and_save_until_they_can_move():
    """With no money nothing abroad is affordable at first; savings (through the ledger) let
    some go later; with no saving, none ever does."""
    saving = {**FAST, "settled_saving_share": 0.3}
    sim, agents = _settled_in_bogota(saving, peru_constant=6.0, money=0.0)
    moved = _left_colombia(sim, agents, days=400)
    none, agents0 = _settled_in_bogota(
        {**FAST, "settled_saving_share": 0.0}, peru_constant=6.0, money=0.0
    )
    assert moved > 50 and _left_colombia(none, agents0, days=400) == 0
    ledger = sim.economy.ledger
    held = sim.people.table["money"][: sim.people.count].sum()
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    assert money_in > 0
    assert money_in == pytest.approx(held + ledger[:, list(k.MIGRANT_OUT)].sum(), rel=1e-9)


def _tiny_with_policies(tiny_copy, rows: str):
    (tiny_copy / "host_policies.csv").write_text(HEADER + rows, encoding="utf-8")
    sim = trocha.Simulation(trocha.load_scenario(tiny_copy), seed=3, scale=100)
    sim.run()
    return sim


def _alive_agents_are_counted(sim) -> bool:
    states = sim.people.table["state"][: sim.people.count]
    alive = ~np.isin(states, [RETURNED, DEAD])
    return int(alive.sum()) == int(sim.current[k.PRESENT].sum())


def test_encounters_count_only_irregular_entries_into_the_policy_country(tiny_copy):
    sim = _tiny_with_policies(tiny_copy, "2017-01-01,PER,apprehension,1.0,ILLUSTRATIVE,\n")
    per = sim.world.country_codes.index("PER")
    encounters, irregular = sim.cumulative[k.ENCOUNTERS], sim.cumulative[k.IRREGULAR]
    assert encounters[per] == irregular[per] > 0
    assert encounters.sum() == encounters[per]  # no policy elsewhere: no encounters there
    assert irregular.sum() > irregular[per]  # irregular entries elsewhere were not encounters
    assert sim.cumulative[k.EXPULSIONS].sum() == 0
    assert _alive_agents_are_counted(sim)


def test_expelled_entrants_are_sent_back_and_people_and_money_are_conserved(tiny_copy):
    sim = _tiny_with_policies(
        tiny_copy,
        "2017-01-01,PER,apprehension,0.5,ILLUSTRATIVE,\n2017-01-01,PER,expulsion,1.0,ILLUSTRATIVE,\n",
    )
    per = sim.world.country_codes.index("PER")
    encounters = sim.cumulative[k.ENCOUNTERS, per]
    irregular = sim.cumulative[k.IRREGULAR, per]
    assert 0 < encounters < irregular
    assert sim.cumulative[k.EXPULSIONS, per] == encounters
    assert _alive_agents_are_counted(sim)
    ledger = sim.economy.ledger
    held = sim.people.table["money"][: sim.people.count].sum()
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    assert money_in == pytest.approx(held + ledger[:, list(k.MIGRANT_OUT)].sum(), rel=1e-9)


def test_the_encounters_metric_is_recorded_and_the_us_target_reads_it():
    from trocha.experiments.targets import scenario_targets
    from trocha.results.tables import METRICS

    assert "encounters" in METRICS and "expulsions" in METRICS
    us = [t for t in scenario_targets(trocha.load_scenario("venezuela")) if t.country == "USA"]
    fy2020 = [t for t in us if t.start_date is not None and t.date.year == 2020]
    assert fy2020 and all(t.metric == "encounters" for t in fy2020)


def test_parole_places_are_taken_by_passport_holders_abroad_within_the_monthly_cap(tiny_copy):
    """Peru's migrants with a passport take Colombia's parole places (visa class from then on);
    never more a month than the places (300 people a month = 3 agents at scale 100)."""
    sim = _tiny_with_policies(tiny_copy, "2018-01-01,COL,parole,300,ILLUSTRATIVE,\n")
    col = sim.world.country_codes.index("COL")
    paroles = sim.cumulative[k.PAROLES]
    assert paroles[col] > 0 and paroles.sum() == paroles[col]
    first = sim.calendar.day_of(np.datetime64("2018-01-01").astype(object))
    months = (sim.last_day - first) // 30 + 2
    assert paroles[col] <= 3 * months
    assert _alive_agents_are_counted(sim)


def test_without_parole_rows_no_one_is_paroled(tiny_copy):
    sim = _tiny_with_policies(tiny_copy, "2018-01-01,PER,apprehension,0.0,ILLUSTRATIVE,\n")
    assert sim.cumulative[k.PAROLES].sum() == 0


def test_controlled_flow_corridor_of_panama_is_the_darien_reception_route():
    """Panama's corridor runs from the Darién landing to the Costa Rican border; only the links
    from it into Panama City close, not the airport's."""
    from trocha.world.controlled_flow import controlled_flow_links, corridor_places

    scenario = trocha.load_scenario("venezuela")
    world = trocha.Simulation(scenario, seed=1, scale=2000, end="2016-01-10").world
    names = [loc.name for loc in scenario.locations]
    pan = world.country_codes.index("PAN")
    assert [names[p] for p in corridor_places(world, pan)] == [
        "Bajo Chiquito",
        "Lajas Blancas",
        "Paso Canoas",
    ]
    closed = {
        (names[world.link_from[i]], names[world.link_to[i]])
        for i in controlled_flow_links(world, pan)
    }
    assert closed == {("Lajas Blancas", "Panama City"), ("Paso Canoas", "Panama City")}


def test_under_controlled_flow_irregular_entrants_transit_and_do_not_settle(tiny_copy):
    """Ecuador (a host here) escorting entrants from Tulcán onward by a bus past Quito to the
    Peruvian border: nobody settles in Ecuador while it applies (they reach Peru instead); without
    it some do. People and money are conserved."""
    routes = tiny_copy / "routes.csv"
    routes.write_text(
        routes.read_text(encoding="utf-8").rstrip("\n")
        + "\nTulcán,Tumbes,900,great_circle_x1.3,bus,official,30,0,ILLUSTRATIVE,escort bus\n",
        encoding="utf-8",
    )
    countries = tiny_copy / "countries.csv"
    countries.write_text(
        countries.read_text(encoding="utf-8").replace("ECU,Ecuador,transit", "ECU,Ecuador,host"),
        encoding="utf-8",
    )
    base = _tiny_with_policies(tiny_copy, "")
    sim = _tiny_with_policies(tiny_copy, "2016-01-01,ECU,controlled_flow,1.0,ILLUSTRATIVE,\n")
    w = sim.world
    ecu, per = (w.country_codes.index(c) for c in ("ECU", "PER"))
    tulcan, quito = w.location_index("Tulcán"), w.location_index("Quito")
    into_quito = np.flatnonzero((w.link_from == tulcan) & (w.link_to == quito))
    assert base.link_use[into_quito].sum() > 0 and base.cumulative[k.ARRIVALS, ecu] > 0
    assert sim.link_use[into_quito].sum() == 0  # nobody goes on from the corridor into Quito
    assert sim.cumulative[k.IRREGULAR, ecu] > 0  # they still cross into Ecuador
    # Those who settle in Ecuador now come only the other way (back from Peru): fewer.
    assert sim.cumulative[k.ARRIVALS, ecu] < base.cumulative[k.ARRIVALS, ecu] / 2
    escort = np.flatnonzero((w.link_from == tulcan) & (w.link_to == w.location_index("Tumbes")))
    assert sim.link_use[escort].sum() > base.link_use[escort].sum()  # on past Quito to Peru
    assert sim.cumulative[k.ARRIVALS, per] > 0
    assert _alive_agents_are_counted(sim)
    ledger = sim.economy.ledger
    held = sim.people.table["money"][: sim.people.count].sum()
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    assert money_in == pytest.approx(held + ledger[:, list(k.MIGRANT_OUT)].sum(), rel=1e-9)


def test_controlled_flow_closes_the_corridor_links_only_while_in_force(tiny_copy):
    """The links from the corridor into the country's cities close on the row's date and reopen
    when a later row sets the policy to 0."""
    sim = _tiny_with_policies(
        tiny_copy,
        "2018-01-01,ECU,controlled_flow,1.0,ILLUSTRATIVE,\n"
        "2019-01-01,ECU,controlled_flow,0.0,ILLUSTRATIVE,\n",
    )
    borders = next(m for m in sim.modules if m.name == "borders")
    w = sim.world
    link = next(
        i
        for i in range(len(w.link_from))
        if (w.link_from[i], w.link_to[i]) == (w.location_index("Tulcán"), w.location_index("Quito"))
    )
    day = sim.calendar.day_of
    assert borders.allowed(sim, day(dt.date(2017, 12, 31)))[:, link].all()
    assert not borders.allowed(sim, day(dt.date(2018, 1, 1)))[:, link].any()
    assert borders.allowed(sim, day(dt.date(2019, 1, 1)))[:, link].all()


def test_news_of_a_closing_border_turns_back_those_already_on_the_way(tiny_copy, monkeypatch):
    """From 2018-06-01 Peru meets and expels every irregular entrant. Travellers already heading
    for Peru hear of it and weigh their destination again, so fewer of them walk into the
    expulsion in the weeks after than when only those who set out later know."""
    from trocha.modules import host_policies

    rows = (
        "2018-06-01,PER,apprehension,1.0,ILLUSTRATIVE,\n"
        "2018-06-01,PER,expulsion,1.0,ILLUSTRATIVE,\n"
    )
    (tiny_copy / "host_policies.csv").write_text(HEADER + rows, encoding="utf-8")
    scenario = trocha.load_scenario(tiny_copy)

    def expelled(told: bool) -> tuple[int, int]:
        """Expulsions in the three weeks after the change, and agents told, over five seeds."""
        if not told:
            monkeypatch.setattr(host_policies, "tell_travellers", lambda sim, countries: 0)
        total = reconsidered = 0
        for seed in range(1, 6):
            sim = trocha.Simulation(scenario, seed=seed, scale=100, end="2018-06-21")
            sim.run()
            policies = next(m for m in sim.modules if m.name == "host_policies")
            assert _alive_agents_are_counted(sim)
            total += int(sim.cumulative[k.EXPULSIONS, sim.world.country_codes.index("PER")])
            reconsidered += policies.reconsidered
        return total, reconsidered

    with_news, told = expelled(True)
    without_news, nobody = expelled(False)
    assert told > 0 and nobody == 0
    assert with_news < 0.85 * without_news, (with_news, without_news)  # 53 against 71
