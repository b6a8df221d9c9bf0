"""The other trafficking networks (an organisation of kind `network`, ODD 7.8) and the
identification effort by country (states.csv, ODD 7.9), on the tiny scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

import trocha
from trocha.economy import STREAMS
from trocha.kernels import counters as k
from trocha.people import VICTIM
from trocha.scenario.problems import ScenarioError
from trocha.world.graph import KINDS

SCALE = 100
NETWORK_ROW = "Networks,network,,2017-01-01,0,0,,,,false,,,ILLUSTRATIVE,other networks\n"


def _with_network(folder, gang: bool = True) -> trocha.Scenario:
    path = folder / "organisations.csv"
    lines = path.read_text().splitlines(keepends=True)
    kept = lines if gang else [line for line in lines if ",gang," not in line]
    path.write_text("".join(kept) + NETWORK_ROW)
    if not gang:  # the rows that name the gang
        for name in ("crossing_controls.csv", "enforcement_events.csv"):
            (folder / name).unlink()
    return trocha.load_scenario(folder)


@pytest.fixture
def run(tiny_copy):
    sim = trocha.Simulation(_with_network(tiny_copy), seed=5, scale=SCALE)
    return sim, sim.run()


def test_network_victims_are_held_where_they_were_taken_in_cities_abroad(run):
    sim, _ = run
    eco, w, people = sim.economy, sim.world, sim.people
    network = eco.names.index("Networks")
    n = people.count
    held = (people.states() == VICTIM) & (people.victim_org[:n] == network)
    assert held.sum() > 10
    places = people.location[:n][held]
    assert (people.destination[:n][held] == places).all()  # never moved on
    assert (w.location_kind[places] == KINDS.index("city")).all()
    assert (w.location_country[places] != w.origin_country).all()
    assert eco.victims_by_org[network] == held.sum()
    assert np.array_equal(eco.victims_at[network], np.bincount(places, minlength=w.n_locations))


def test_the_network_recruits_only_where_no_gang_does(run):
    sim, _ = run
    eco, w = sim.economy, sim.world
    network, gang = eco.names.index("Networks"), eco.names.index("Gang")
    abroad_cities = (w.location_kind == KINDS.index("city")) & (
        w.location_country != w.origin_country
    )
    gang_cities = abroad_cities & eco.cell[gang]
    assert gang_cities.any() and (abroad_cities & ~gang_cities).any()
    assert (eco.place_org[gang_cities] == gang).all()
    assert (eco.place_org[abroad_cities & ~gang_cities] == network).all()
    assert (eco.place_org[~abroad_cities] != network).all()
    # Its victims count as victims everywhere, and its money is its own metric.
    assert sim.current[k.VICTIMS_NOW].sum() == (sim.people.states() == VICTIM).sum()


def test_network_revenue_is_its_own_and_money_is_conserved(run):
    sim, result = run
    eco = sim.economy
    network = eco.networks()
    ledger = eco.ledger
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    money_out = ledger[:, list(k.MIGRANT_OUT)].sum()
    held = sim.people.money[: sim.people.count].sum()
    assert held + money_out == pytest.approx(money_in, rel=1e-9)
    total = result.timeseries[result.timeseries["country"] == "ALL"].groupby("metric")["value"]
    total = total.sum()
    booked = eco.revenue[network, STREAMS.index("revenue_exploitation")].sum()
    assert booked > 0
    # Reported on the day the money was taken: all but the last day's confiscations are booked.
    assert total["network_revenue_usd"] == pytest.approx(booked, rel=0.01)
    armed = eco.kinds.index("armed_group")
    fees = ledger[armed, [k.L_FEES, k.L_PACKAGES, k.L_DRUGS, k.L_CONFISCATED]].sum()
    assert total["armed_group_revenue_usd"] == pytest.approx(fees * SCALE, rel=1e-9)
    gang_exploitation = eco.revenue[eco.gangs(), STREAMS.index("revenue_exploitation")].sum()
    assert total["revenue_exploitation"] == pytest.approx(gang_exploitation, rel=0.01)


def test_network_recruitment_on_arrival_follows_its_probability(tiny_copy):
    """With no gang, every settling arrival in a city abroad meets the network once: recruited
    with probability p x the demographic weight (mean 0.735 over the emigrants' sex and age)."""
    p = 0.05
    scenario = _with_network(tiny_copy, gang=False).with_parameters(
        recruit_network_probability=p, retrafficking_probability=0.0
    )
    result = trocha.Simulation(scenario, seed=3, scale=SCALE, end="2019-12-31").run()
    ts = result.timeseries
    hosts = ts[(ts["country"] != "ALL") & (ts["country"] != "VEN")]
    by_metric = hosts.groupby("metric")["value"].sum()
    recruited, arrivals = by_metric["recruitment_destination"], by_metric["arrivals"]
    rules = scenario.parameters
    women, minors = rules["female_share"], rules["minor_share"]
    weight = women * ((1 - minors) + minors * rules["recruit_weight_girls"]) + (1 - women) * (
        (1 - minors) * rules["recruit_weight_men"] + minors * rules["recruit_weight_boys"]
    )
    expected = p * weight * arrivals  # every arrival in the tiny scenario settles in a city
    sd = math.sqrt(expected / SCALE) * SCALE  # binomial ~ Poisson, in agents of SCALE people
    assert abs(recruited - expected) < 4 * sd, (recruited, expected, sd)
    assert ts[ts["metric"] == "recruitment_origin"]["value"].sum() == 0


def test_no_probability_no_network_victims(tiny_copy):
    scenario = _with_network(tiny_copy).with_parameters(recruit_network_probability=0.0)
    sim = trocha.Simulation(scenario, seed=5, scale=SCALE)
    sim.run()
    assert sim.economy.victims_by_org[sim.economy.names.index("Networks")] == 0


def test_identification_effort_scales_the_identification_probability(tiny_copy):
    (tiny_copy / "states.csv").write_text(
        "iso3,policing,corruption,identification,source_id,notes\n"
        "VEN,0.3,0.8,1,ILLUSTRATIVE,\nCOL,0.5,0.6,0.25,ILLUSTRATIVE,\n"
        "ECU,0.4,0.6,4,ILLUSTRATIVE,\nPER,0.4,0.6,,ILLUSTRATIVE,\n"
    )
    sim = trocha.Simulation(trocha.load_scenario(tiny_copy), seed=5, scale=SCALE, end="2017-03-01")
    sim.run()
    p = sim.parameters
    days = p["victim_review_days"] / 365
    codes = sim.world.country_codes
    for iso3, policing, corruption, effort in (
        ("COL", 0.5, 0.6, 0.25),
        ("ECU", 0.4, 0.6, 4.0),
        ("PER", 0.4, 0.6, 1.0),  # empty: the default
    ):
        rate = p["victim_identification_rate_year"] * effort * policing
        rate *= 1 - corruption * p["bribe_effect"]
        expected = 1 - math.exp(-rate * days)
        assert sim.economy.victim_exit[0, codes.index(iso3)] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("column", "value"),
    [("initial_members", "10"), ("headquarters", "Caracas"), ("expands", "true")],
)
def test_a_network_with_members_or_cells_is_an_error(tiny_copy, column, value):
    path = tiny_copy / "organisations.csv"
    header = path.read_text().splitlines()[0].split(",")
    row = NETWORK_ROW.rstrip("\n").split(",")
    row[header.index(column)] = value
    path.write_text(path.read_text() + ",".join(row) + "\n")
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    problems = [str(problem) for problem in caught.value.problems]
    words = column.replace("_", " ")
    assert problems == [
        f"organisations.csv:4: {column}: a network (Networks) has no {words}; leave it empty (or 0)"
    ]
    assert np.all([p.startswith("organisations.csv:4") for p in problems])


def test_rows_that_make_a_network_control_a_crossing_or_be_raided_are_errors(tiny_copy):
    (tiny_copy / "organisations.csv").write_text(
        (tiny_copy / "organisations.csv").read_text() + NETWORK_ROW
    )
    for name in ("crossing_controls.csv", "enforcement_events.csv"):
        path = tiny_copy / name
        path.write_text(path.read_text().replace(",Gang,", ",Networks,", 1))
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    problems = [str(problem) for problem in caught.value.problems]
    assert problems == [
        "crossing_controls.csv:3: controller: 'Networks' is a network, which controls no "
        "crossing; name a gang or an armed group (or none)",
        "enforcement_events.csv:2: organisation: 'Networks' is a network, with no members or "
        "prison to act on; name a gang (the identification lever acts on every victim)",
    ]


def test_an_intervention_on_a_network_is_an_error(tiny_copy):
    (tiny_copy / "organisations.csv").write_text(
        (tiny_copy / "organisations.csv").read_text() + NETWORK_ROW
    )
    toml = tiny_copy / "scenario.toml"
    toml.write_text(
        toml.read_text() + '\n[[interventions]]\ntype = "prison_raid"\norganisation = "Networks"\n'
        'start = "2019-01-01"\n'
    )
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    problems = [str(problem) for problem in caught.value.problems]
    assert problems == [
        "scenario.toml: interventions[1].organisation: prison_raid: 'Networks' is a network, "
        "with no members, cells or prison to act on; name a gang (victim_identification acts "
        "on every organisation's victims)"
    ]
