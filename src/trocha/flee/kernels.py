"""Numba kernels of Flee 3.1's daily movement, over agent and location arrays.

One day is Flee's `Ecosystem.evolve`: every resident agent first decides whether to move (its
location's move chance) and, when it has no route, picks one of the paths its awareness reaches
with probability proportional to the path weight; then every travelling agent advances along its
link, and on arrival may move on the same day (`finish_travel`), so agents make several hops a day.
Agents are handled one after another in slot order, as Flee handles its agent list, because camp
occupancy (the capacity multiplier) changes as they arrive and leave.

Every random number is `rng.uniform(key, day, agent, k)`: k = 0 for the move decision and 1 for the
route choice in the first pass, then 2, 3, ... for the draws of the second pass.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit

from ..rng import uniform


def _load_numba_arrays_without_blas() -> None:
    """Load Numba's NumPy implementations (which the first call of a cached kernel loads anyway)
    without `scipy.linalg`: Numba imports it only to learn whether `np.dot` has a BLAS, and these
    kernels use none. That import was 0.1-0.35 s and 12 MB of a whole `trocha run` of mali2012.
    A later `np.dot` in a kernel still finds SciPy: the block is lifted at once."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    sys.modules["scipy.linalg.cython_blas"] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules["scipy.linalg.cython_blas"]


_load_numba_arrays_without_blas()


@njit(cache=True, inline="always")
def cap_multiplier(count: int, capacity: int, buffer: float) -> float:
    """Flee's getCapMultiplier: 1 below buffer x capacity, falling linearly to 0 at capacity."""
    if capacity < 1:
        return 1.0
    if count <= buffer * capacity:
        return 1.0
    if count >= capacity:
        return 0.0
    residual = count - buffer * capacity
    return 1.0 - residual / (capacity * (1.0 - buffer))


@njit(cache=True, inline="always")
def _path_weight(p, p_end, p_static, count, capacity, buffer, weight_power):
    end = p_end[p]
    w = p_static[p] * cap_multiplier(count[end], capacity[end], buffer)
    if weight_power != 1.0:
        w = w**weight_power
    return w


@njit(cache=True, inline="always")
def _find_link(here, node, l_off, l_dst, l_open):
    for k in range(l_off[here], l_off[here + 1]):
        if l_open[k] and l_dst[k] == node:
            return k
    return -1


@njit(cache=True, inline="always")
def _move(
    i, day, k, key, loc, link, on_link, route_len, route, count, capacity, camp,
    l_off, l_dst, l_open, p_off, p_end, p_static, p_len, p_nodes, buffer, weight_power,
):  # fmt: skip
    """The rest of Flee's Person.evolve once the agent has decided to move: follow its route or
    choose one, then step onto the first link. Returns the next draw index k."""
    here = loc[i]
    if route_len[i] == 0:
        a = p_off[here]
        b = p_off[here + 1]
        if b == a:
            return k
        total = 0.0
        for p in range(a, b):
            total += _path_weight(p, p_end, p_static, count, capacity, buffer, weight_power)
        u2 = uniform(key, day, i, k)
        k += 1
        chosen = b - 1
        if total > 0.0:
            target = u2 * total
            acc = 0.0
            for p in range(a, b):
                acc += _path_weight(p, p_end, p_static, count, capacity, buffer, weight_power)
                if target < acc:
                    chosen = p
                    break
        else:
            chosen = a + min(int(u2 * (b - a)), b - a - 1)
        length = p_len[chosen]
        first = p_nodes[chosen, 0]
        last = p_nodes[chosen, length - 1]
        step = _find_link(here, first, l_off, l_dst, l_open)
        if step < 0:
            return k
        if camp[last] and cap_multiplier(count[last], capacity[last], buffer) < 0.5:
            return k
        for j in range(1, length):
            route[i, j - 1] = p_nodes[chosen, j]
        route_len[i] = length - 1
    else:
        length = route_len[i]
        first = route[i, 0]
        last = route[i, length - 1]
        step = _find_link(here, first, l_off, l_dst, l_open)
        if step < 0:
            route_len[i] = 0  # the link has vanished: forget the route
            return k
        if camp[last] and cap_multiplier(count[last], capacity[last], buffer) < 0.5:
            route_len[i] = 0
            return k
        for j in range(1, length):
            route[i, j - 1] = route[i, j]
        route_len[i] = length - 1
    count[here] -= 1
    link[i] = step
    on_link[i] = 0.0
    return k


# No reference counting in the day's kernel (`_nrt=False`): `_move` is inlined at Numba IR level
# with 20 array arguments, and with NRT on each of the ~30k moves a day paid an incref and a
# decref per array (atomic operations, 40 calls a move): 60% of the kernel's time on mali2012.
# The kernel allocates nothing, so it needs no runtime; the arithmetic is unchanged.
@njit(cache=True, _nrt=False)
def step_day(
    key, day, n, loc, link, on_link, recent, started, route_len, route,
    count, capacity, movechance, town, camp,
    l_off, l_src, l_dst, l_open, l_distance, l_speed, l_walk,
    p_off, p_end, p_static, p_len, p_nodes,
    buffer, weight_power, can_move, start_on_foot, avoid_short_stints, walk_speed, max_move_speed,
):  # fmt: skip
    """One Flee day for agents 0..n-1; updates agent and location arrays in place."""
    for i in range(n):
        # Person.evolve: draw 0 decides whether to move; most agents stop here
        if link[i] < 0 and can_move and uniform(key, day, i, 0) < movechance[loc[i]]:
            _move(
                i, day, 1, key, loc, link, on_link, route_len, route, count, capacity, camp,
                l_off, l_dst, l_open, p_off, p_end, p_static, p_len, p_nodes, buffer, weight_power,
            )  # fmt: skip
    for i in range(n):
        if link[i] < 0:
            recent[i] = recent[i] / 2.0
            continue
        moved = 0.0
        k = 2
        while link[i] >= 0:
            lk = link[i]
            speed = l_speed[lk]
            if started[i] == 0 and start_on_foot:
                speed = walk_speed
            if l_walk[lk] > 0.0:
                if uniform(key, day, i, k) < l_walk[lk]:
                    speed = walk_speed
                k += 1
            on_link[i] += speed
            moved += speed
            distance = l_distance[lk]
            if on_link[i] <= distance:
                break
            started[i] = 1
            moved += distance - on_link[i]
            on_link[i] = 0.0
            link[i] = -1
            if not l_open[lk]:
                # the link closed while the agent was on it: back to where it came from
                loc[i] = l_src[lk]
                count[l_src[lk]] += 1
                break
            here = l_dst[lk]
            loc[i] = here
            count[here] += 1
            if moved < speed:
                # Person.evolve again on arrival (several hops a day)
                force = avoid_short_stints and (recent[i] + moved / max_move_speed) / 2.0 < 0.5
                chance = 1.0 if (force and town[here]) else movechance[here]
                u = uniform(key, day, i, k)
                k += 1
                if u < chance and can_move:
                    k = _move(
                        i, day, k, key, loc, link, on_link, route_len, route, count, capacity,
                        camp, l_off, l_dst, l_open, p_off, p_end, p_static, p_len, p_nodes,
                        buffer, weight_power,
                    )  # fmt: skip
        recent[i] = (recent[i] + moved / max_move_speed) / 2.0


@njit(cache=True)
def spawn(key, day, first, number, cumulative, loc, link, count):
    """Place agents first..first+number-1 at locations drawn by cumulative spawn weight."""
    total = cumulative[-1]
    for j in range(number):
        i = first + j
        target = uniform(key, day, i, 0) * total
        where = np.searchsorted(cumulative, target, side="right")
        if where >= len(cumulative):
            where = len(cumulative) - 1
        loc[i] = where
        link[i] = -1
        count[where] += 1
