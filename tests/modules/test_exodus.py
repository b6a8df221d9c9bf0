"""Exodus: known answers for the drivers and the mechanisms (pool depletion, network effect)."""

import numpy as np
import pytest

import trocha
from trocha.modules.exodus import gdp_shortfall


def test_gdp_shortfall_known_answers():
    assert np.allclose(gdp_shortfall([0, -50, 0, 100, -10]), [0, 0.5, 0.5, 0, 0.1])
    assert np.allclose(gdp_shortfall([10, 10]), [0, 0])


def _departed(scenario, net=False, **params):
    result = trocha.Simulation(scenario.with_parameters(**params), seed=1, scale=500).run()
    left = result.metric("emigrants_cumulative").iloc[-1]
    return left - result.metric("returned_cumulative").iloc[-1] if net else left


def test_pool_depletion_caps_departures(tiny):
    pool = 0.02  # 2% of the population would ever leave
    departed = _departed(tiny, net=True, exodus_pool_share=pool, exodus_base_rate=0.5)
    population = tiny.push_factors[0].population
    # Everyone willing leaves quickly (high hazard), nobody more: the pool is net of returns (those
    # who come back may leave again) and counts those abroad at the start.
    assert departed == pytest.approx(pool * population, rel=0.03)


def test_network_effect_raises_departures(tiny):
    assert _departed(tiny, exodus_network_weight=20.0) > 1.3 * _departed(
        tiny, exodus_network_weight=0.0
    )


def test_stronger_push_raises_departures(tiny):
    assert _departed(tiny, exodus_inflation_weight=1.5) > _departed(
        tiny, exodus_inflation_weight=0.5
    )


def test_departures_split_by_origin_population(tiny):
    # Caracas holds 60% of origin residents in tiny; its share of departures follows (checked via
    # the people table of a fresh small run).
    sim = trocha.Simulation(tiny, seed=2, scale=200)
    sim.run()
    origins = sim.people.origin[: sim.people.count][
        sim.people.departed_day[: sim.people.count] >= 0
    ]
    caracas = sim.world.location_index("Caracas")
    share = (origins == caracas).mean()
    n = len(origins)
    assert abs(share - 0.6) < 4 * np.sqrt(0.24 / n)
