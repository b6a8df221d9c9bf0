"""Counter-based random streams: kernel equals the plain-Python reference; streams are independent."""

import numpy as np
from numba import njit

from trocha import rng


@njit
def _many(key, days, agents, k):
    out = np.empty(days.shape[0])
    for i in range(days.shape[0]):
        out[i] = rng.uniform(key, days[i], agents[i], k)
    return out


@njit
def _mix_many(states):
    out = np.empty(states.shape[0], dtype=np.uint64)
    for i in range(states.shape[0]):
        out[i] = rng.mix(states[i])
    return out


def test_kernel_matches_reference():
    key = rng.stream_key(42, "journeys.death")
    gen = np.random.default_rng(0)
    days = gen.integers(0, 5000, 500)
    agents = gen.integers(0, 10**8, 500)
    fast = _many(key, days, agents, 3)
    slow = [rng.uniform_py(int(key), int(d), int(a), 3) for d, a in zip(days, agents, strict=True)]
    assert np.array_equal(fast, np.array(slow))


def test_uniform_is_uniform_and_streams_are_independent():
    n = 200_000
    agents = np.arange(n)
    days = np.full(n, 17)
    a = _many(rng.stream_key(1, "a"), days, agents, 0)
    b = _many(rng.stream_key(1, "b"), days, agents, 0)
    c = _many(rng.stream_key(2, "a"), days, agents, 0)
    assert a.min() >= 0 and a.max() < 1
    # Mean and variance of U(0,1) within 5 standard errors.
    assert abs(a.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(a.var() - 1 / 12) < 0.002
    for x, y in ((a, b), (a, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(n)
    # Deciles are equally filled (chi-square with 9 dof, p < 1e-6 threshold ~ 50).
    counts = np.histogram(a, bins=10, range=(0, 1))[0]
    assert ((counts - n / 10) ** 2 / (n / 10)).sum() < 50


def test_mixer_reproduces_splitmix64_test_vectors():
    # SplitMix64 (Steele, Lea & Flood 2014; Vigna's splitmix64.c) seeded with 1234567: the state
    # advances by the golden gamma and each output is the finaliser of the state.
    expected = [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
        4593380528125082431,
        16408922859458223821,
    ]
    state, out = 1234567, []
    for _ in expected:
        state = (state + 0x9E3779B97F4A7C15) % 2**64
        out.append(rng.mix_py(state))
    assert out == expected
    states = [(1234567 + (i + 1) * 0x9E3779B97F4A7C15) % 2**64 for i in range(5)]
    assert _mix_many(np.array(states, dtype=np.uint64)).tolist() == expected


def test_stream_ids_are_fixed_across_processes():
    # A known value (blake2b-64 of the name, little-endian), not hash(): the same in every
    # process whatever PYTHONHASHSEED is, so saved seeds keep meaning the same streams.
    assert rng.stream_id("exodus.count") == 830790216909808189
    assert rng.stream_id("exodus.count") != rng.stream_id("exodus.money")


def test_generator_depends_on_seed_stream_and_day_only():
    draw = lambda s, n, d: rng.generator(s, n, d).poisson(100.0, 5).tolist()  # noqa: E731
    assert draw(1, "x", 3) == draw(1, "x", 3)
    assert draw(1, "x", 3) != draw(1, "x", 4)
    assert draw(1, "x", 3) != draw(2, "x", 3)
    assert draw(1, "x", 3) != draw(1, "y", 3)
