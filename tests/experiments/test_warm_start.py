"""The warm start moves each host's constant towards its observed stocks, within the prior."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from trocha.experiments.priors import Prior
from trocha.experiments.targets import FLOW, LEVEL, Target
from trocha.experiments.warm_start import warm_constants

PRIORS = [
    Prior("choice_constant_mean", -6, 6),
    Prior("choice_constant_spread", 0.1, 6),
    Prior("choice_z_AAA", -3.5, 3.5, normal=True),
    Prior("choice_z_BBB", -3.5, 3.5, normal=True),
]
TRUE = {"AAA": 1.0, "BBB": -0.5}


def _target(country: str, value: float, **extra) -> Target:
    return Target(2, dt.date(2019, 12, 31), country, "migrant_stock", value, LEVEL, **extra)


TARGETS = [
    _target("AAA", 1000 * np.exp(TRUE["AAA"])),
    _target("BBB", 1000 * np.exp(TRUE["BBB"])),
    _target("BBB", 5.0, lower_bound=True),  # a partial count: not a level to move towards
    Target(3, dt.date(2019, 12, 31), "AAA", "irregular_crossings", 9e9, FLOW, dt.date(2019, 1, 1)),
]


def _simulate(point: dict[str, float]) -> np.ndarray:
    """A model whose stocks are 1000 x exp(constant) (and whose other outputs are 0)."""
    out = np.zeros(len(TARGETS))
    for i, t in enumerate(TARGETS[:3]):
        c = (
            point["choice_constant_mean"]
            + point["choice_constant_spread"] * point[f"choice_z_{t.country}"]
        )
        out[i] = 1000 * np.exp(c)
    return out


def test_constants_converge_on_the_observed_stocks():
    start = {"choice_constant_mean": 0.0, "choice_constant_spread": 1.0}
    start |= {"choice_z_AAA": 0.0, "choice_z_BBB": 0.0}
    warmed = warm_constants(start, PRIORS, TARGETS, _simulate, rounds=8)
    assert warmed["choice_z_AAA"] == pytest.approx(TRUE["AAA"], abs=1e-4)
    assert warmed["choice_z_BBB"] == pytest.approx(TRUE["BBB"], abs=1e-4)
    assert warmed["choice_constant_mean"] == 0.0 and warmed["choice_constant_spread"] == 1.0
    assert start["choice_z_AAA"] == 0.0  # the input point is not changed


def test_steps_are_bounded_and_z_stays_in_its_prior():
    start = {"choice_constant_mean": 0.0, "choice_constant_spread": 0.5}
    start |= {"choice_z_AAA": 0.0, "choice_z_BBB": 3.4}
    one = warm_constants(start, PRIORS, TARGETS, lambda p: np.full(len(TARGETS), 0.0), rounds=1)
    assert one["choice_z_AAA"] == pytest.approx(1.5 / 0.5)  # at most 1.5 logit units a round
    assert one["choice_z_BBB"] == 3.5  # clipped to the search bound


def test_no_rounds_or_no_constants_change_nothing():
    start = {"choice_constant_mean": 0.0, "choice_constant_spread": 1.0}
    start |= {"choice_z_AAA": 0.2, "choice_z_BBB": 0.1}
    assert warm_constants(start, PRIORS, TARGETS, _simulate, rounds=0) == start
    assert warm_constants({"x": 1.0}, [Prior("x", 0, 2)], TARGETS, _simulate, rounds=3) == {
        "x": 1.0
    }


def test_counts_below_the_floor_do_not_move_a_constant():
    start = {"choice_constant_mean": 0.0, "choice_constant_spread": 1.0}
    start |= {"choice_z_AAA": 0.0, "choice_z_BBB": 0.0}
    # AAA's observed stock (about 2,700) and a simulated 0 are both below a floor of 5,000.
    warmed = warm_constants(start, PRIORS, TARGETS, lambda p: np.zeros(len(TARGETS)), 1, 5000.0)
    assert warmed["choice_z_AAA"] == 0.0 and warmed["choice_z_BBB"] == 0.0


def test_a_neutral_start_knows_nothing_of_the_scenarios_calibration():
    from trocha.experiments.priors import neutral_point
    from trocha.scenario.parameters import parameter_table

    priors = [*PRIORS, Prior("exodus_base_rate", 0.001, 0.02, log=True)]
    point = neutral_point(priors)
    assert point["choice_constant_mean"] == 0.0 and point["choice_constant_spread"] == 1.0
    assert point["choice_z_AAA"] == point["choice_z_BBB"] == 0.0
    assert point["exodus_base_rate"] == parameter_table()["exodus_base_rate"].value
