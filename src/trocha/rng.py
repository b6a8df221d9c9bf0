"""Common random numbers: every random decision draws from its own named stream.

A draw is a pure function of (seed, stream name, day, agent uid, k), computed with the SplitMix64
mixer (a counter-based generator). Nothing depends on the order in which agents are processed or on
how many threads run, and a change in one module never shifts the numbers another module sees, so
a policy alternative and its baseline differ only where the policy acts.

The agent in a draw is its uid, not its slot in the people table. Slots are handed out in spawn
order, so one extra departure would pair every later agent with a different twin; a uid depends only
on things a policy does not shift before the agent exists:

    uid = (departure day + 1) * 2**40 + origin place * 2**24 + rank

where rank counts the agents leaving that origin that day (0, 1, ...); the emigrants already
abroad at the start have day -1, their place and their rank among that place's initial stock. With
day < 2**24, place < 2**16 and rank < 2**24, distinct agents have distinct uids.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

import numpy as np
from numba import njit, uint64

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TWO_POW_53 = float(1 << 53)


def stream_id(name: str) -> int:
    """A stable 64-bit id for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def stream_key(seed: int, name: str) -> np.uint64:
    """The key that kernels receive for one (seed, stream) pair."""
    return np.uint64(mix_py((seed * _GAMMA + stream_id(name)) & _MASK))


def mix_py(x: int) -> int:
    """SplitMix64 finaliser in plain Python (reference for the kernel version)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def stream_field(name: str) -> str:
    """The field under which kernels read a stream's key: "journeys.death" -> journeys_death."""
    return name.replace(".", "_")


def stream_keys(seed: int, names: Iterable[str]) -> np.void:
    """One record of stream keys (uint64 fields named by `stream_field`) for the kernels."""
    names = list(dict.fromkeys(names))
    record = np.zeros(1, dtype=[(stream_field(n), np.uint64) for n in names])[0]
    for n in names:
        record[stream_field(n)] = stream_key(seed, n)
    return record


UID_DAY_SHIFT, UID_PLACE_SHIFT = 40, 24
UID_MAX_RANK = 1 << UID_PLACE_SHIFT


def agent_uid(place: int, day: int, rank: int) -> int:
    """Stable identity of the `rank`-th agent leaving `place` on `day` (day -1: initial stock)."""
    if not (0 <= rank < UID_MAX_RANK and 0 <= place < 1 << 16 and -1 <= day < (1 << 24) - 1):
        raise ValueError(f"uid out of range: place {place}, day {day}, rank {rank}")
    return ((day + 1) << UID_DAY_SHIFT) | (place << UID_PLACE_SHIFT) | rank


@njit(cache=True, inline="always")
def kernel_agent_uid(place: int, day: int, rank: int) -> uint64:
    """`agent_uid` inside kernels (no range check: exodus keeps ranks below 2**24)."""
    return (
        (uint64(day + 1) << uint64(UID_DAY_SHIFT))
        | (uint64(place) << uint64(UID_PLACE_SHIFT))
        | uint64(rank)
    )


def uniform_py(key: int, day: int, agent: int, k: int = 0) -> float:
    """Slow, obviously-correct reference of `uniform`."""
    h = mix_py(int(key) ^ ((int(day) * _GAMMA + int(k)) & _MASK))
    h = mix_py(h ^ (int(agent) & _MASK))
    return (h >> 11) / _TWO_POW_53


@njit(cache=True, inline="always")
def mix(x: uint64) -> uint64:
    x = (x ^ (x >> uint64(30))) * uint64(_M1)
    x = (x ^ (x >> uint64(27))) * uint64(_M2)
    return x ^ (x >> uint64(31))


@njit(cache=True, inline="always")
def uniform(key: uint64, day: int, agent: int, k: int) -> float:
    """A uniform number in [0, 1) for one decision of one agent on one day."""
    h = mix(key ^ (uint64(day) * uint64(_GAMMA) + uint64(k)))
    h = mix(h ^ uint64(agent))
    return float(h >> uint64(11)) / _TWO_POW_53


@njit(cache=True, inline="always")
def exponential(key: uint64, day: int, agent: int, k: int, mean: float) -> float:
    return -mean * np.log(1.0 - uniform(key, day, agent, k))


@njit(cache=True, inline="always")
def standard_normal(key: uint64, day: int, agent: int, k: int) -> float:
    """Box-Muller from two uniforms of the same decision (k and k + 1)."""
    u1 = 1.0 - uniform(key, day, agent, k)
    u2 = uniform(key, day, agent, k + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def poisson_inverse(u: float, mean: float) -> int:
    """The smallest k with P(X <= k) >= u for X ~ Poisson(mean), walking the pmf from the mode.

    One uniform per count, and the count is monotone in the mean for a fixed u, so two runs whose
    expected values differ a little draw the same or nearly the same counts (a rejection sampler's
    count can jump). Starting at the mode keeps the pmf from underflowing for large means.
    """
    if mean <= 0.0:
        return 0
    mode = int(mean)
    at_mode = np.exp(mode * np.log(mean) - mean - math.lgamma(mode + 1.0))
    lower = at_mode  # P(X <= mode)
    p = at_mode
    j = mode
    while j > 0:
        p *= j / mean
        j -= 1
        lower += p
        if p < lower * 1e-17:
            break
    cdf = lower
    p = at_mode
    k = mode
    if u <= lower:
        while k > 0:
            below = cdf - p  # P(X <= k - 1)
            if below < u:
                return k
            cdf = below
            p *= k / mean
            k -= 1
        return 0
    while cdf < u:
        k += 1
        p *= mean / k
        if p == 0.0:
            break
        cdf += p
    return k


@njit(cache=True)
def poisson_draws(key: uint64, day: int, ids: np.ndarray, means: np.ndarray) -> np.ndarray:
    """One Poisson count per id (e.g. an origin place) for `day`, by inversion of one uniform."""
    out = np.zeros(ids.shape[0], dtype=np.int64)
    for i in range(ids.shape[0]):
        out[i] = poisson_inverse(uniform(key, day, ids[i], 0), means[i])
    return out


def generator(seed: int, name: str, day: int) -> np.random.Generator:
    """A NumPy generator for aggregate draws (e.g. how many leave today) of one stream and day."""
    return np.random.Generator(np.random.Philox(key=[seed & _MASK, stream_id(name)], counter=day))
