import numpy as np
import pytest

from trocha.kernels.choice import (
    sample_affordable,
    sample_affordable_py,
    sample_cdf,
    sample_cdf_py,
)


@pytest.mark.parametrize("size", [1, 2, 7, 40])
def test_sample_cdf_matches_reference(size):
    gen = np.random.default_rng(size)
    weights = gen.random(size)
    weights[gen.random(size) < 0.3] = 0.0
    cdf = np.cumsum(weights)
    for u in np.concatenate([gen.random(300), [0.0, 0.999999999]]):
        assert sample_cdf(cdf, u) == sample_cdf_py(cdf, u)


def test_sample_cdf_frequencies_follow_weights():
    weights = np.array([1.0, 0.0, 3.0, 6.0])
    cdf = np.cumsum(weights)
    picks = np.array([sample_cdf(cdf, u) for u in np.random.default_rng(1).random(20000)])
    freq = np.bincount(picks, minlength=4) / len(picks)
    assert freq[1] == 0
    assert np.allclose(freq, weights / weights.sum(), atol=0.015)


def test_all_zero_row_gives_minus_one():
    assert sample_cdf(np.zeros(5), 0.5) == -1


@pytest.mark.parametrize("size", [1, 3, 12, 40])
def test_sample_affordable_matches_reference(size):
    gen = np.random.default_rng(100 + size)
    weights = gen.random(size)
    weights[gen.random(size) < 0.3] = 0.0
    cdf = np.cumsum(weights)
    trip = gen.uniform(0, 500, size)
    for budget in (0.0, 50.0, 250.0, 1e9):
        for u in gen.random(100):
            assert sample_affordable(cdf, trip, budget, u) == sample_affordable_py(
                cdf, trip, budget, u
            )


def test_unaffordable_options_are_never_drawn_and_cheapest_is_the_fallback():
    cdf = np.cumsum([5.0, 1.0, 1.0])
    trip = np.array([900.0, 100.0, 50.0])
    draws = {sample_affordable(cdf, trip, 200.0, u) for u in np.linspace(0, 0.999, 500)}
    assert draws == {1, 2}
    assert sample_affordable(cdf, trip, 10.0, 0.3) == 2
