"""Drug routes draw cells (ODD 7.7a, 7.10): what a route would earn counts towards opening a cell
near it, and a cell that runs a route does not close for want of migrants."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import trocha
from trocha.modules.members import ENFORCER, MANAGER
from trocha.scenario.tables import DrugRouteRow


def _initialised(scenario):
    sim = trocha.Simulation(scenario, seed=1, scale=100)
    for module in sim.modules:
        module.init(sim)
    modules = {m.name: m for m in sim.modules}
    return sim, modules["organisation"], modules["market"]


@pytest.fixture
def routed(tiny):
    row = DrugRouteRow(**{"from": "Quito", "to": "Tumbes", "source_id": "ILLUSTRATIVE"})
    return dataclasses.replace(tiny, drug_routes=[row])


def test_a_drug_route_is_worth_its_yearly_earnings_over_what_keeps_a_cell(routed):
    sim, organisation, market = _initialised(routed)
    p, eco = sim.parameters, sim.economy
    keep = p["cell_initial_members"] * p["revenue_per_member_usd_year"]
    links = sorted(market.drug_reach)
    assert links, "the Quito - Tumbes links are drug-route links"
    organisation.drug_yearly = np.zeros(len(sim.world.link_from))
    organisation.drug_yearly[links[0]] = 2.0 * keep
    policing = np.zeros(sim.world.n_locations)
    value = organisation._drug_value(sim, 0, policing)
    near = market.drug_reach[links[0]]
    names = {sim.world.location_names[i] for i in near}
    assert {"Quito", "Tumbes"} <= names and "Caracas" not in names
    assert value[near] == pytest.approx(2.0)
    outside = np.setdiff1d(np.arange(sim.world.n_locations), near)
    assert (value[outside] == 0).all()
    # Policing takes its share; a route the organisation already runs is worth nothing more.
    assert organisation._drug_value(sim, 0, policing + 0.25)[near] == pytest.approx(1.5)
    eco.link_drug_org[links[0]] = 0
    assert (organisation._drug_value(sim, 0, policing) == 0).all()


def test_a_cell_that_runs_a_drug_route_stays_open_without_migrants(routed):
    def closes(runs_route: bool) -> bool:
        sim, organisation, market = _initialised(routed)
        eco, w = sim.economy, sim.world
        gang = int(np.flatnonzero(eco.gangs())[0])
        tumbes = w.location_index("Tumbes")
        hq = int(eco.hq_place[gang])
        eco.roster.add(gang, tumbes, np.array([MANAGER, ENFORCER, ENFORCER]), 0)
        eco.cell[gang, tumbes] = True
        eco.members[:] = eco.roster.counts()
        assert hq >= 0 and hq != tumbes
        sim.location_counts[:, tumbes] = 0  # no migrants there
        for link in market.drug_reach:
            eco.link_drug_org[link] = gang if runs_route else -1
        organisation._close(sim, gang, 0)
        return not eco.cell[gang, tumbes]

    assert closes(runs_route=False)
    assert not closes(runs_route=True)
