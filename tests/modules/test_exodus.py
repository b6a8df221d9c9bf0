"""Exodus: known answers for the drivers and the mechanisms (pool depletion, network effect,
the value of leaving)."""

import numpy as np
import pandas as pd
import pytest

import trocha
from trocha.interventions.borders import VisaRequirement
from trocha.modules.destinations import cdf_and_value
from trocha.modules.exodus import gdp_shortfall, route_class_shares


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


def test_logsum_known_answers():
    # Two reachable destinations worth 0 and log 3, one unreachable: the value is log(1 + 3).
    score = np.array([[[0.0, np.log(3.0), -np.inf], [-np.inf, -np.inf, -np.inf]]])
    cdf, value = cdf_and_value(score)
    assert np.allclose(cdf[0, 0] / cdf[0, 0, -1], [0.25, 1.0, 1.0])
    assert value[0, 0] == pytest.approx(np.log(4.0))
    assert value[0, 1] == -np.inf and not cdf[0, 1].any()
    # The value does not depend on the shift that keeps exp() finite.
    assert cdf_and_value(score + 800.0)[1][0, 0] == pytest.approx(800.0 + np.log(4.0))


def test_route_class_shares_follow_the_document_draw():
    p = {"passport_share": 0.45, "visa_share": 0.08, "better_off_share": 0.0}
    assert np.allclose(route_class_shares(p, 3), [0.55, 0.37, 0.08])
    p["better_off_share"] = 0.1
    # An identity card opens no flight abroad: its holders stay in the budget tier.
    assert np.allclose(route_class_shares(p, 6), [0.55, 0.333, 0.072, 0.0, 0.037, 0.008])


def _exodus_module(sim):
    return next(m for m in sim.modules if m.name == "exodus")


def test_value_of_leaving_is_one_on_the_first_day(tiny):
    scenario = tiny.with_parameters(exodus_value_weight=0.8)
    sim = trocha.Simulation(scenario, seed=1, scale=500, end="2017-01-02")
    sim.run()
    exodus = _exodus_module(sim)
    day_one = exodus.reference_value.copy()
    exodus.reference_value = None  # taken again from today's (the second day's) choice
    assert exodus.value_of_leaving(sim) == pytest.approx(1.0)
    # The first day's value is the reference: what the diaspora and the regimes of the second
    # day changed moves the value off 1 only by that day's change.
    exodus.reference_value = day_one
    assert exodus.value_of_leaving(sim) == pytest.approx(1.0, abs=0.05)


def _run_to(scenario, end, interventions=(), **params):
    sim = trocha.Simulation(
        scenario.with_parameters(**params),
        seed=1,
        scale=200,
        end=end,
        interventions=list(interventions),
    )
    left = sim.run().metric("emigrants_cumulative")
    by_day = dict(zip(pd.to_datetime(left.index), left.to_numpy(), strict=True))
    return sim, by_day


def test_closing_the_destinations_lowers_departures_through_the_value_of_leaving(tiny):
    # Ecuador and Peru (tiny's hosts beyond Colombia) require visas from 2018: with a value
    # weight the would-be emigrants at home see less to gain and fewer leave; without it the
    # exodus is blind to the destinations (departures move only through the returns that refill
    # the pool).
    visas = [VisaRequirement(start="2018-01-01", country=c) for c in ("ECU", "PER")]
    end, start = "2018-06-30", pd.Timestamp("2018-01-01")
    runs = {}
    for weight in (0.0, 1.0):
        for closed in (False, True):
            sim, left = _run_to(tiny, end, visas if closed else (), exodus_value_weight=weight)
            value = _exodus_module(sim).value_of_leaving(sim)
            runs[weight, closed] = (value, left[pd.Timestamp(end)] - left[start])
    assert runs[0.0, True][0] == runs[0.0, False][0] == 1.0
    assert runs[0.0, True][1] == pytest.approx(runs[0.0, False][1], rel=0.005)
    assert runs[1.0, True][0] < 0.9 * runs[1.0, False][0]
    # Fewer leave, though less than the value falls: the pool of would-be emigrants left at home
    # is larger for those who stay, so the hazard falls on more people.
    assert runs[1.0, True][1] < 0.97 * runs[1.0, False][1]
