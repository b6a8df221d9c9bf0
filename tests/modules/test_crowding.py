"""Destination choice: a host crowds as its migrants become a large share of its people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import trocha
from trocha.kernels.counters import PRESENT
from trocha.modules.destinations import (
    YearlySeries,
    cdf_and_value,
    choice_scores,
    crowding_utility,
    host_population,
)
from trocha.scenario.problems import ScenarioError

PARAMETERS = {"choice_diaspora_weight": 0.0, "choice_cost_weight": 0.8}
HEADER = "iso3,year,population,source_id,notes\n"


def _rows(series: dict[str, dict[int, float]]):
    return [
        SimpleNamespace(iso3=c, year=y, population=v)
        for c, by_year in series.items()
        for y, v in by_year.items()
    ]


def test_population_is_interpolated_in_logs_and_held_outside_the_years():
    population = YearlySeries(
        _rows({"AAA": {2019: 1000.0, 2020: 4000.0}}), "population", ["AAA", "BBB"]
    )
    assert host_population(population, dt.date(2019, 7, 1))[0] == pytest.approx(1000.0, rel=5e-3)
    # half-way between the mid-year values: the geometric mean; unknown country: 0
    half = host_population(population, dt.date(2019, 12, 31))
    assert half[0] == pytest.approx(2000.0, rel=1e-2) and half[1] == 0.0
    assert host_population(population, dt.date(2030, 1, 1))[0] == pytest.approx(4000.0)
    assert host_population(population, dt.date(2000, 1, 1))[0] == pytest.approx(1000.0)


def test_a_host_whose_people_are_one_tenth_migrants_loses_the_weight_over_ten():
    """Known answer: weight 10, stock 100 of 1,000 people: the odds fall by e^-1 against an
    equal host with no migrants; a host of unknown population is not crowded."""
    utility = np.array([2.0, 2.0]) + crowding_utility(
        np.array([100.0, 0.0]), np.array([1000.0, 1000.0]), 10.0
    )
    cost = np.array([[[50.0, 50.0]]])
    cdf = cdf_and_value(choice_scores(cost, np.arange(2), utility, np.zeros(2), PARAMETERS))[0]
    weights = np.diff(np.concatenate([[0.0], cdf[0, 0]]))
    assert weights[0] / weights[1] == pytest.approx(np.exp(-1.0))
    unknown = crowding_utility(np.array([5e6]), np.array([0.0]), 10.0)
    assert unknown[0] == 0.0


def _guyana_odds(weight: float, stock_in_guyana: int) -> float:
    """Choice odds of Guyana over Brazil from Bolívar state in mid-2019, with `stock_in_guyana`
    agents (scale 1,000) present in Guyana."""
    scenario = trocha.load_scenario("venezuela").with_parameters(choice_crowding_weight=weight)
    sim = trocha.Simulation(scenario, seed=1, scale=1000)
    for module in sim.modules:
        module.init(sim)
    w = sim.world
    guy, bra = w.country_codes.index("GUY"), w.country_codes.index("BRA")
    sim.current[PRESENT, guy] = stock_in_guyana
    destinations = next(m for m in sim.modules if m.name == "destinations")
    destinations.refresh(sim, sim.calendar.day_of(dt.date(2019, 7, 1)))
    weights = np.diff(np.concatenate([[0.0], sim.choice[0, w.location_index("Bolívar")]]))
    dest_country = w.location_country[w.destinations]
    return weights[dest_country == guy].sum() / weights[dest_country == bra].sum()


def test_the_venezuela_choice_crowds_guyana_by_its_population():
    """Guyana (about 808,000 people in 2019, host_population.csv): 400,000 migrants there cost
    weight x 400,000 / population against none; with weight 0 only the diaspora term moves."""
    population = host_population(
        YearlySeries(trocha.load_scenario("venezuela").host_population, "population", ["GUY"]),
        dt.date(2019, 7, 1),
    )[0]
    assert 7.0e5 < population < 8.5e5
    crowded = _guyana_odds(5.0, 400) / _guyana_odds(0.0, 400)
    assert crowded == pytest.approx(np.exp(-5.0 * 400_000 / population), rel=1e-3)
    assert _guyana_odds(5.0, 0) == pytest.approx(_guyana_odds(0.0, 0))


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ("XXX,2019,1000,ILLUSTRATIVE,\n", "iso3", "not in countries.csv"),
        ("PER,2019,1000,ILLUSTRATIVE,\nPER,2019,2000,ILLUSTRATIVE,\n", "year", "a second row"),
        ("PER,2019,-5,ILLUSTRATIVE,\n", "population", "greater than 0"),
        ("PER,2019,1000,NOSUCH,\n", "source_id", "not in sources.csv"),
    ],
)
def test_a_bad_population_row_names_file_row_and_field(tiny_copy: Path, rows, field, message):
    (tiny_copy / "host_population.csv").write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    problems = [str(p) for p in caught.value.problems]
    assert any(
        p.startswith("host_population.csv:") and field in p and message in p for p in problems
    ), problems
