"""Detected victims against the shipped detections (issue pattern: within a factor of 3 where
shipped), over ten seeds (slow).

The model's detections are its identifications (victims_detected: identified and rescued by the
state, ODD 7.9), compared with the detection rows of targets.csv, never with the true victims.
Detections are counts of a few hundred people, so the runs are at scale 10 (one agent per ten
people) and end with 2020, the last year with a shipped detection.
"""

from __future__ import annotations

import numpy as np
import pytest

import trocha
from trocha.experiments.targets import scenario_targets, simulated_values

pytestmark = pytest.mark.slow
SEEDS = tuple(range(1, 11))
SCALE, END = 10, "2020-12-31"
FACTOR = 3.0


@pytest.fixture(scope="module")
def runs():
    """The detection targets and each seed's value for them, read as calibration reads them."""
    scenario = trocha.load_scenario("venezuela")
    targets = [t for t in scenario_targets(scenario) if t.metric == "victims_detected"]
    values = [
        simulated_values(
            trocha.Simulation(scenario, seed=seed, scale=SCALE, end=END).run().timeseries,
            targets,
        )
        for seed in SEEDS
    ]
    return targets, np.array(values)


@pytest.mark.xfail(
    strict=False,
    reason="measured 2026-12-04 (scale 10, seeds 1-10, managers sent to new countries at 0.3 "
    "of rotations): all countries 2018 mean 67 detections (40-90 by seed) against 430 "
    "(143 needed), Peru 2018 0 in every seed against 102 (a lower bound: 34 needed), Colombia "
    "2020 mean 161 (60-220) against 41 (at most 123). The organisations' victims are the model's only trafficking and are held in the "
    "cities of their cells abroad, in 2018 nearly all in Colombia: Peru has none before the "
    "gang's first Peruvian cells hold victims, while the shipped detections count the victims "
    "of every network in 21 countries (GLOTIP 2020), including Spain",
)
def test_detected_victims_within_a_factor_of_three_of_the_shipped_detections(runs):
    targets, values = runs
    assert targets, "the scenario ships no detection rows"
    for target, seeds in zip(targets, values.T, strict=True):
        mean = seeds.mean()
        low = target.value / FACTOR
        high = np.inf if target.lower_bound else target.value * FACTOR
        label = f"{target.label}: observed {target.value:,.0f}"
        assert low <= mean <= high, f"{label}, simulated mean {mean:,.0f} ({seeds.tolist()})"
