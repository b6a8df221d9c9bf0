import numpy as np
import pytest

from trocha.kernels.choice import sample_cdf, sample_cdf_py


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
