"""Hop chains (ODD 3.2): a traveller's hops over a quiet stretch taken in one event give the
results of hops taken on their own days, with fewer events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from test_reference_model import _tiny_with_every_mechanism

import trocha
from trocha.modules.base import Module


def _run(scenario, chain: bool, **kwargs):
    sim = trocha.Simulation(scenario, **kwargs)
    next(m for m in sim.modules if m.name == "journeys").chain_hops = chain
    return sim, sim.run()


def _assert_same_outputs(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Every timeseries row equal; values equal up to the order of floating-point sums."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    keys = [c for c in a.columns if c != "value"]
    assert a[keys].equals(b[keys])
    np.testing.assert_allclose(b["value"].to_numpy(), a["value"].to_numpy(), rtol=1e-9, atol=1e-6)


def test_chained_hops_give_the_outputs_of_hops_on_their_own_day_with_every_mechanism():
    scenario = _tiny_with_every_mechanism()
    plain_sim, plain = _run(scenario, False, seed=11, scale=500)
    chained_sim, chained = _run(scenario, True, seed=11, scale=500)
    _assert_same_outputs(plain.timeseries, chained.timeseries)
    np.testing.assert_array_equal(chained_sim.link_use, plain_sim.link_use)
    np.testing.assert_allclose(chained_sim.economy.ledger, plain_sim.economy.ledger, atol=1e-6)
    # and the chains did take hops ahead: fewer events
    assert chained_sim.events_handled < 0.8 * plain_sim.events_handled


@pytest.mark.slow
def test_chained_hops_give_the_outputs_of_hops_on_their_own_day_on_the_default_scenario():
    scenario = trocha.load_scenario("venezuela")
    plain_sim, plain = _run(scenario, False, seed=4, scale=400, end="2021-12-31")
    chained_sim, chained = _run(scenario, True, seed=4, scale=400, end="2021-12-31")
    _assert_same_outputs(plain.timeseries, chained.timeseries)
    assert chained_sim.events_handled < 0.5 * plain_sim.events_handled


def test_the_horizon_stops_at_the_next_weekly_update_and_at_dated_changes():
    sim = trocha.Simulation(trocha.load_scenario("venezuela"), seed=1, scale=4000)
    for module in sim.modules:
        module.init(sim)
    assert sim.quiet_until(8) == 14  # the weekly updates (fees, route information, arrests)
    assert sim.quiet_until(14) == 21
    # Peru's passport rule takes effect on 2018-11-01: a chain may not run past it.
    rule = sim.calendar.in_force_from(dt.date(2018, 11, 1))
    assert rule % 7 != 0 and sim.quiet_until(rule - 1) == rule
    assert sim.quiet_until(rule) == (rule // 7 + 1) * 7


def test_a_module_that_does_not_say_when_it_changes_hop_inputs_stops_every_chain():
    class Silent(Module):
        name = "silent"

    sim = trocha.Simulation(trocha.load_scenario("tiny"), seed=1, scale=100)
    sim.modules.insert(-1, Silent())
    for module in sim.modules:
        module.init(sim)
    assert sim.quiet_until(8) == 9
