"""Money is conserved under every kind of intervention, and on the default scenario: what
migrants brought and earned equals what they hold plus what they paid, to the cent."""

from __future__ import annotations

import pytest
from test_levers import A, make

import trocha
from trocha.interventions import KINDS
from trocha.kernels import counters as k


def _balance(sim) -> tuple[float, float]:
    ledger = sim.economy.ledger
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    money_out = ledger[:, list(k.MIGRANT_OUT)].sum()
    held = sim.people.money[: sim.people.count].sum()
    return money_in, held + money_out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_money_is_conserved_under_every_intervention(kind):
    sim = trocha.Simulation(
        trocha.load_scenario("tiny"),
        seed=3,
        scale=300,
        end="2018-06-30",
        interventions=[make(kind, A, 0)],
    )
    sim.run()
    money_in, accounted = _balance(sim)
    assert money_in > 0
    assert accounted == pytest.approx(money_in, rel=1e-9)


@pytest.mark.slow
def test_money_is_conserved_on_the_default_scenario():
    sim = trocha.Simulation(trocha.load_scenario("venezuela"), seed=1, scale=2000)
    sim.run()
    money_in, accounted = _balance(sim)
    assert money_in > 0
    assert accounted == pytest.approx(money_in, rel=1e-9)
