"""The smuggling market: the fee rule, packages that start from margins, forced drug carrying."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

import trocha
from trocha.kernels import counters as k
from trocha.modules.market import ability_to_pay, target_fee
from trocha.scenario.tables import DrugRouteRow

RULE = {"fee_closure_multiplier": 10.0, "fee_demand_elasticity": 0.3}


def fee(refused=0.0, demand=1.0, markup=1.0, enforcement=1.0, cap=1e9, base=5.0):
    return target_fee(base, refused, demand, markup, enforcement, cap, RULE)


def test_ability_to_pay_is_the_quantile_of_what_arrivals_have_left():
    median, sigma = 250.0, 1.0
    # Nothing spent yet: the plain lognormal quantile.
    assert ability_to_pay(0.0, median, sigma, 0.5) == pytest.approx(250.0)
    assert ability_to_pay(0.0, median, sigma, 0.9) == pytest.approx(
        stats.lognorm(s=sigma, scale=median).ppf(0.9)
    )
    # After spending C, the median of (S - C) among those with S > C, by simulation.
    spent = 400.0
    savings = stats.lognorm(s=sigma, scale=median).rvs(400_000, random_state=1)
    left = savings[savings > spent] - spent
    assert ability_to_pay(spent, median, sigma, 0.5) == pytest.approx(np.median(left), rel=0.02)
    # Without spread everyone has the median; spending more leaves less.
    assert ability_to_pay(100.0, median, 0.0, 0.5) == pytest.approx(150.0)
    assert ability_to_pay(300.0, median, 0.0, 0.5) == 0.0


def test_fee_rises_with_the_share_refused_officially():
    fees = [fee(refused=r) for r in (0.0, 0.3, 0.6, 1.0)]
    assert fees == sorted(fees) and fees[0] == pytest.approx(5.0)
    assert fees[-1] == pytest.approx(50.0)


def test_fee_falls_back_to_the_base_when_the_official_crossing_reopens():
    closed, reopened = fee(refused=1.0, markup=1.2), fee(refused=0.0, markup=1.2)
    assert reopened == pytest.approx(6.0) and closed / reopened == pytest.approx(10.0)


def test_fee_is_bounded_by_what_migrants_can_pay_but_not_below_its_base():
    assert fee(refused=1.0, cap=20.0) == pytest.approx(20.0)
    # A permanent visa requirement does not price a crossing beyond what arrivals have.
    assert fee(refused=0.92, base=1000.0, cap=350.0) == pytest.approx(1000.0)
    assert fee(refused=0.92, base=1000.0, cap=1500.0) == pytest.approx(1500.0)


def test_fee_markup_under_control_and_enforcement():
    free = fee(refused=0.5)
    assert fee(refused=0.5, markup=1.3) == pytest.approx(1.3 * free)
    assert fee(refused=0.5, enforcement=1.2) == pytest.approx(1.2 * free)
    # Demand from those needing the crossing raises it, bounded below by half the base.
    assert fee(demand=2.0) > fee() > fee(demand=0.5)
    assert fee(demand=1e-6) == pytest.approx(2.5)


@pytest.fixture(scope="module")
def tiny_run():
    sim = trocha.Simulation(trocha.load_scenario("tiny"), seed=5, scale=100)
    return sim, sim.run()


def test_packages_start_from_margins_after_a_closure_not_on_a_date(tiny_run):
    sim, result = tiny_run
    gang = sim.scenario.organisations[0]
    assert gang.packages_from is None  # no date in the data
    starts = result.events[result.events["kind"] == "packages"]
    assert len(starts) == 1
    closure = np.datetime64("2019-02-22")  # tiny/border_regimes.csv: Colombia closes
    assert np.datetime64(starts["date"].iloc[0]) >= closure
    packages = result.metric("revenue_packages")
    assert packages[:"2019-02-21"].sum() == 0 and packages["2019-02-22":].sum() > 0


def test_no_closure_no_packages(tiny_copy):
    (tiny_copy / "border_regimes.csv").write_text(
        "date,country,from_country,regime,source_id,notes\n"
    )
    result = trocha.Simulation(trocha.load_scenario(tiny_copy), seed=5, scale=100).run()
    assert (result.events["kind"] == "packages").sum() == 0
    assert result.metric("revenue_packages").sum() == 0


def _without_expansion(scenario):
    """The organisations keep the cells they start with (no monthly expansion): where the network
    reaches is then fixed by the data, not by where the organisation chose to open cells."""
    fixed = [o.model_copy(update={"expands": False}) for o in scenario.organisations]
    return dataclasses.replace(scenario, organisations=fixed)


def test_package_prices_are_offered_within_the_network_only(tiny):
    sim = trocha.Simulation(_without_expansion(tiny), seed=5, scale=100)
    sim.run()
    eco, w = sim.economy, sim.world
    offered = eco.package_price > 0
    assert offered.any()
    # Sold only where an organisation sells, and only in countries it reaches (not Peru: two
    # borders beyond the gang's cells and crossings in Venezuela and Colombia).
    places = np.flatnonzero(offered.any(axis=(0, 2)))
    assert set(places) <= set(np.flatnonzero(eco.package_org >= 0))
    gang = sim.scenario.organisations[0].name
    org = eco.names.index(gang)
    controlled = eco.link_controller == org
    reached = set(w.location_country[np.flatnonzero(eco.cell[org])])
    reached |= set(w.location_country[w.link_to[controlled]])
    assert {w.country_codes[c] for c in reached} <= {"VEN", "COL"}
    peru = w.country_codes.index("PER")
    to_peru = w.location_country[w.destinations] == peru
    assert not offered[:, :, to_peru].any()


def _with_drug_route(scenario, a="San Antonio del Táchira", b="Cúcuta"):
    row = DrugRouteRow(**{"from": a, "to": b, "source_id": "ILLUSTRATIVE"})
    return dataclasses.replace(scenario, drug_routes=[row])


def test_drugs_are_carried_where_an_organisation_operates_on_a_drug_route(tiny):
    scenario = tiny.with_parameters(drug_carry_probability=0.2, drug_carrier_arrest_probability=0.2)
    no_routes = dataclasses.replace(scenario, drug_routes=[])
    without = trocha.Simulation(no_routes, seed=5, scale=100).run()
    assert without.metric("revenue_drugs").sum() == 0
    sim = trocha.Simulation(_with_drug_route(scenario), seed=5, scale=100)
    result = sim.run()
    drugs = result.metric("revenue_drugs")
    arrests = result.metric("drug_carrier_arrests", "COL")
    assert drugs.sum() > 0 and arrests.sum() > 0
    # Carries that got through pay the value each; about a fifth of carriers are arrested.
    value = scenario.parameters["drug_carry_value_usd"]
    carries = drugs.sum() / value
    assert carries == pytest.approx(round(carries))
    share = arrests.sum() / (arrests.sum() + carries)
    assert 0.1 < share < 0.3
    # Migrants' money is still conserved (drug money is the organisation's own).
    ledger = sim.economy.ledger
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    money_out = ledger[:, list(k.MIGRANT_OUT)].sum()
    held = sim.people.money[: sim.people.count].sum()
    assert held + money_out == pytest.approx(money_in, rel=1e-9)


def test_drugs_on_a_drug_route_only_within_an_organisations_reach(tiny):
    # Quito - Tumbes: nobody controls it; without packages only a cell within reach operates it.
    # The gang keeps its headquarters cell only, so no cell opens at either end.
    scenario = tiny.with_parameters(drug_carry_probability=0.5, package_take_up=0.0)
    route = _with_drug_route(_without_expansion(scenario), "Quito", "Tumbes")
    far = trocha.Simulation(route.with_parameters(drug_reach_km=0.0), seed=5, scale=100)
    # Within 5,000 km by road the gang's headquarters in Caracas operates it; at 0 km, none does
    # (no cell at Quito or Tumbes in this run).
    near_run = trocha.Simulation(route.with_parameters(drug_reach_km=5000.0), seed=5, scale=100)
    assert near_run.run().metric("revenue_drugs").sum() > 0
    far_run = far.run()
    assert not far.economy.cell[:, [far.world.location_index(p) for p in ("Quito", "Tumbes")]].any()
    assert far_run.metric("revenue_drugs").sum() == 0
    assert far_run.metric("drug_carrier_arrests").sum() == 0


def test_cost_from_origins_takes_the_cheapest_of_parallel_links(tiny):
    from trocha.modules.market import Market

    sim = trocha.Simulation(tiny, seed=1, scale=100)
    w = sim.world
    cost = Market._cost_from_origins(sim)
    living = tiny.parameters["living_cost_usd_day"]
    # Maracaibo -> San Antonio (USD 12 bus) -> Cúcuta: the bridge (fare 0), not bridge + trocha.
    sat, cucuta = w.location_index("San Antonio del Táchira"), w.location_index("Cúcuta")
    assert cost[w.location_index("Maracaibo")] == pytest.approx(0.0, abs=1e-6)
    days = [
        max(1, int(w.link_days[lk] + 0.5))
        for lk in np.flatnonzero((w.link_from == sat) & (w.link_to == cucuta))
    ]
    assert cost[cucuta] == pytest.approx(cost[sat] + living * min(days), abs=1e-6)
