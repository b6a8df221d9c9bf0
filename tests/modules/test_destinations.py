"""Destination choice: the host economy term moves with GDP per capita over time."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

import trocha
from trocha.modules.destinations import (
    YearlySeries,
    cdf_and_value,
    choice_scores,
    entry_penalty,
    entry_utility,
    gdp_term,
)

PARAMETERS = {"choice_diaspora_weight": 0.3, "choice_cost_weight": 0.8, "choice_gdp_weight": 1.0}


def _rows(series: dict[str, dict[int, float]]):
    return [
        SimpleNamespace(iso3=c, year=y, gdp_per_capita_usd=v)
        for c, by_year in series.items()
        for y, v in by_year.items()
    ]


def _shares(utility: np.ndarray, cost: np.ndarray) -> np.ndarray:
    cdf = cdf_and_value(
        choice_scores(
            cost[None, None, :], np.arange(len(utility)), utility, np.zeros(2), PARAMETERS
        )
    )[0]
    weights = np.diff(np.concatenate([[0.0], cdf[0, 0]]))
    return weights / weights.sum()


def test_gdp_term_is_the_log_change_since_the_reference_year_interpolated_by_date():
    gdp = YearlySeries(
        _rows({"AAA": {2018: 1000.0, 2019: 2000.0, 2020: 4000.0}}),
        "gdp_per_capita_usd",
        ["AAA", "BBB"],
    )
    assert gdp_term(gdp, dt.date(2019, 7, 1), 2019) == pytest.approx([0.0, 0.0], abs=2e-3)
    assert gdp_term(gdp, dt.date(2020, 7, 1), 2019)[0] == pytest.approx(np.log(2), 1e-2)
    # half-way between the mid-year values: half the log change; the country without data: 0
    half = gdp_term(gdp, dt.date(2019, 12, 31), 2019)
    assert half[0] == pytest.approx(0.5 * np.log(2), abs=0.01) and half[1] == 0.0
    # outside the table's years: the nearest year's value
    assert gdp_term(gdp, dt.date(2030, 1, 1), 2019)[0] == pytest.approx(np.log(2))
    assert gdp_term(gdp, dt.date(2000, 1, 1), 2019)[0] == pytest.approx(-np.log(2))


def test_a_host_whose_gdp_per_capita_doubles_gains_share():
    rows = _rows({"AAA": {2019: 5000.0, 2020: 10000.0}, "BBB": {2019: 5000.0, 2020: 5000.0}})
    gdp = YearlySeries(rows, "gdp_per_capita_usd", ["AAA", "BBB"])
    static = np.array([1.0, 1.0])
    cost = np.array([100.0, 100.0])
    before = _shares(
        static + gdp_term(gdp, dt.date(2019, 7, 2), 2019),
        cost,
    )
    after = _shares(
        static + gdp_term(gdp, dt.date(2020, 7, 2), 2019),
        cost,
    )
    assert before[0] == pytest.approx(0.5, abs=1e-3)
    # weight 1: doubling GDP per capita doubles the odds of choosing the host
    assert after[0] / after[1] == pytest.approx(2.0, rel=1e-2)
    assert after[0] > before[0]


def test_the_simulation_choice_follows_gdp_per_capita():
    """In the tiny scenario Colombia's GDP per capita fell in 2020: its choice weight falls
    relative to Peru's between mid-2019 and mid-2020, and not with the weight set to 0."""

    def odds(gdp_weight: float, date: str) -> float:
        scenario = trocha.load_scenario("tiny").with_parameters(choice_gdp_weight=gdp_weight)
        sim = trocha.Simulation(scenario, seed=1, scale=100)
        for module in sim.modules:
            module.init(sim)
        destinations = next(m for m in sim.modules if m.name == "destinations")
        destinations.refresh(sim, sim.calendar.day_of(dt.date.fromisoformat(date)))
        w = sim.world
        place = w.location_index("Cúcuta")
        weights = np.diff(np.concatenate([[0.0], sim.choice[0, place]]))
        col = w.country_codes.index("COL")
        per = w.country_codes.index("PER")
        dest_country = w.location_country[w.destinations]
        return weights[dest_country == col].sum() / weights[dest_country == per].sum()

    expected = (5300 / 6400) / (6100 / 7000)  # tiny host_economy.csv, 2020 over 2019
    ratio = odds(1.0, "2020-07-01") / odds(1.0, "2019-07-01")
    assert ratio == pytest.approx(expected, rel=5e-3) and ratio < 1
    assert odds(0.0, "2020-07-01") == pytest.approx(odds(0.0, "2019-07-01"))


def test_the_chance_of_getting_in_scales_the_odds_of_an_irregular_entry():
    """Apprehension 1 and expulsion 0.5 halve the odds of a destination reached irregularly,
    not of one reached officially; no expulsion anywhere adds nothing."""
    irregular = np.array([[[1, 0]]], dtype=np.int8)  # [class, place, destination index]
    dest_country = np.array([0, 1])
    entry = entry_utility(irregular, dest_country, entry_penalty([1.0, 1.0], [0.5, 0.5]))
    assert entry[0, 0] == pytest.approx([np.log(0.5), 0.0])
    assert not (entry_penalty([1.0, 1.0], [0.0, 0.0]) > 0).any()
    cost = np.array([[[100.0, 100.0]]])
    utility = np.array([1.0, 1.0])
    cdf = cdf_and_value(choice_scores(cost, np.arange(2), utility, np.zeros(2), PARAMETERS, entry))[
        0
    ]
    weights = np.diff(np.concatenate([[0.0], cdf[0, 0]]))
    assert weights[0] / weights[1] == pytest.approx(0.5)


def test_a_host_that_bars_irregular_entrants_from_status_loses_their_odds_by_the_weight():
    """Status share 1 with weight 2 multiplies the odds of a host reached irregularly by e^-2,
    on top of the chance of getting in (the two add in logit units); a host reached officially
    keeps its odds; weight 0 adds nothing."""
    irregular = np.array([[[1, 0]]], dtype=np.int8)
    dest_country = np.array([0, 1])
    status = [1.0, 1.0]
    entry = entry_utility(
        irregular, dest_country, entry_penalty([1.0, 1.0], [0.5, 0.5], status, 2.0)
    )
    assert entry[0, 0] == pytest.approx([np.log(0.5) - 2.0, 0.0])
    half = entry_utility(
        irregular, dest_country, entry_penalty([0.0, 0.0], [0.0, 0.0], [0.5, 1.0], 2.0)
    )
    assert half[0, 0] == pytest.approx([-1.0, 0.0])
    assert not (entry_penalty([0.0, 0.0], [0.0, 0.0], status, 0.0) > 0).any()


def _venezuela_odds(date: str, doc: int, place: str, num: str, den: str, **parameters) -> float:
    """Choice odds of country `num` over `den` for document class `doc` at `place` on `date`
    (GDP per capita held still unless given)."""
    parameters.setdefault("choice_gdp_weight", 0.0)
    scenario = trocha.load_scenario("venezuela").with_parameters(**parameters)
    sim = trocha.Simulation(scenario, seed=1, scale=4000)
    for module in sim.modules:
        module.init(sim)
    day = sim.calendar.day_of(dt.date.fromisoformat(date))
    sim.borders_allowed = next(m for m in sim.modules if m.name == "borders").allowed(sim, day)
    sim.reroute(new_regimes=True)
    next(m for m in sim.modules if m.name == "host_policies").apply(sim, day)
    destinations = next(m for m in sim.modules if m.name == "destinations")
    destinations.refresh(sim, day)
    w = sim.world
    weights = np.diff(np.concatenate([[0.0], sim.choice[doc, w.location_index(place)]]))
    dest_country = w.location_country[w.destinations]
    a, b = w.country_codes.index(num), w.country_codes.index(den)
    return weights[dest_country == a].sum() / weights[dest_country == b].sum()


def test_without_a_passport_chile_is_worth_less_than_peru_by_the_status_weight():
    """From 16 April 2018 an identity-card holder in Lima can reach Chile only irregularly
    (passport regime) and Chile expels clandestine entrants (host_policies.csv irregular_status
    1): weight 2 against weight 0 multiplies the Chile/Peru odds by e^-2. From 23 April 2018
    (the regularisation that took clandestine entrants present by 8 April: status 0.5) by e^-1.
    A passport holder, who enters Chile officially, is unaffected."""

    def ratio(date: str, doc: int) -> float:
        args = (date, doc, "Lima", "CHL", "PER")
        return _venezuela_odds(*args, choice_irregular_status_weight=2.0) / _venezuela_odds(
            *args, choice_irregular_status_weight=0.0
        )

    assert ratio("2018-04-20", 0) == pytest.approx(np.exp(-2.0), rel=1e-6)
    assert ratio("2018-06-15", 0) == pytest.approx(np.exp(-1.0), rel=1e-6)
    assert ratio("2018-06-15", 1) == pytest.approx(1.0, rel=1e-9)


def test_title_42_expulsions_to_mexico_lower_the_us_choice_of_those_who_must_cross():
    """From 12 October 2022 (host_policies.csv: expulsion 0.5) a migrant in Bogotá without a
    visa weighs US cities at about half the odds against Mexican ones; after May 2023 (0.05) they
    recover. Visa holders, who fly in, are unaffected."""

    def odds(date: str, doc: int) -> float:
        # GDP per capita held still, so that only the policy moves the odds
        scenario = trocha.load_scenario("venezuela").with_parameters(choice_gdp_weight=0.0)
        sim = trocha.Simulation(scenario, seed=1, scale=4000)
        for module in sim.modules:
            module.init(sim)
        day = sim.calendar.day_of(dt.date.fromisoformat(date))
        policies = next(m for m in sim.modules if m.name == "host_policies")
        policies.apply(sim, day)
        destinations = next(m for m in sim.modules if m.name == "destinations")
        destinations.refresh(sim, day)
        w = sim.world
        weights = np.diff(np.concatenate([[0.0], sim.choice[doc, w.location_index("Bogotá")]]))
        dest_country = w.location_country[w.destinations]
        usa, mex = w.country_codes.index("USA"), w.country_codes.index("MEX")
        return weights[dest_country == usa].sum() / weights[dest_country == mex].sum()

    before, during, after = (odds(d, 0) for d in ("2022-10-11", "2022-10-13", "2023-05-13"))
    assert during / before == pytest.approx(0.5 / 0.9, rel=1e-6)
    assert after / during == pytest.approx(0.95 / 0.5, rel=1e-6)
    assert odds("2022-10-13", 2) == pytest.approx(odds("2022-10-11", 2), rel=1e-9)
