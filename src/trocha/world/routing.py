"""Routing tables: the best next link from every place to every destination, per route class
(document class x means tier, world/means.py).

Recomputed when a border regime changes and when fees or route information moved (modules).
Generalised cost of a link, in USD: fare + value of time x days + irregular penalty (if irregular)
+ death-risk penalty x risk - route information (what those who went before tell about it).
The kernels draw each hop among the links that make progress (kernels/choice.py
`sample_next_link`) from weights precomputed here (`route_choice_cdf`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..codes import CROSSING_IRREGULAR
from .graph import World


@dataclass
class RoutingTables:
    next_link: (
        np.ndarray
    )  # int32 [class, here, destination]; -1 if here == destination or unreachable
    cost: np.ndarray  # float64 [class, here, destination] generalised cost, inf if unreachable
    trip_cost: np.ndarray  # float64 [class, here, destination index] USD fares + living costs
    link_cost: np.ndarray  # float64 [class, link] generalised cost; inf where the class may not go
    # int8 [class, here, destination index]: 1 where the cheapest route enters the destination's
    # country by an irregular crossing (found during the shortest paths)
    irregular_entry: np.ndarray
    out_start: np.ndarray  # int64 [place + 1]: place i's outgoing links are out_links[start[i]:]
    out_links: np.ndarray  # int64 [link] links ordered by their start place, then index
    # float64 [class, destination, position in out_links]: cumulative route-choice weights of
    # each place's outgoing links (route_choice_cdf); [class, 0, 0] when route choice is off.
    route_cdf: np.ndarray


def link_costs(
    world: World,
    parameters: dict[str, float],
    prices: np.ndarray | None = None,
    information: np.ndarray | None = None,
    fare_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Generalised cost of every link; `prices` (fares and current trocha fees) default to fares,
    `information` (USD the route information takes off each link, `route_information`) to 0.
    With `fare_weights` ([route class], world/means.py) the cost is [route class, link], each
    class counting a dollar of price at its weight."""
    price = world.link_cost if prices is None else prices
    if fare_weights is not None:
        price = np.asarray(fare_weights, dtype=np.float64)[:, None] * price[None, :]
    cost = (
        price
        + parameters["value_of_time_usd_day"] * world.link_days
        + parameters["irregular_penalty_usd"] * (world.link_crossing == CROSSING_IRREGULAR)
        + parameters["death_risk_penalty_usd"] * world.link_risk
    )
    return cost if information is None else cost - information


def route_information(
    world: World, parameters: dict[str, float], people_per_week: np.ndarray
) -> np.ndarray:
    """USD taken off each irregular link's generalised cost by what earlier migrants tell of it.

    `people_per_week`: people (not agents) who set out on each link in a recent week. The
    information is `route_information_usd x log1p(people / route_information_reference_week)`,
    at most the irregular penalty: it lowers the fear of an unknown trocha (which path, which
    guide, what it costs), never its fee, time or risk. Official and domestic links are public
    transport that everyone knows.
    """
    irregular = world.link_crossing == CROSSING_IRREGULAR
    reference = max(parameters["route_information_reference_week"], 1e-9)
    people = np.maximum(people_per_week, 0.0)
    told = parameters["route_information_usd"] * np.log1p(people / reference)
    return np.where(irregular, np.minimum(told, parameters["irregular_penalty_usd"]), 0.0)


def out_adjacency(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Outgoing links of every place as CSR (start offsets, links in index order within a place)."""
    return _links_by_place(world.link_from, world.n_locations)


def in_adjacency(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Incoming links of every place as CSR (start offsets, links in index order within a place)."""
    return _links_by_place(world.link_to, world.n_locations)


def _links_by_place(place: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(place, kind="stable").astype(np.int64)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(place, minlength=n), out=start[1:])
    return start, order


def trip_money(
    world: World, next_link: np.ndarray, living_cost: float, prices: np.ndarray | None = None
) -> np.ndarray:
    """USD needed to follow the best route from every place to every place (inf: unreachable)."""
    days = np.maximum(1, (world.link_days + 0.5).astype(np.int64))
    spend = (world.link_cost if prices is None else prices) + living_cost * days
    out = np.empty(next_link.shape)
    _route_sums(next_link, world.link_to.astype(np.int64), spend.astype(np.float64), out)
    return out


@njit(cache=True)
def _route_sums(next_link, link_to, spend, out):
    """out[c, i, j] = spend of i's next link towards j + out[c, next place, j]; 0 at j itself.

    Each route is walked once per destination (the routes towards j form a tree), so the cost is
    linear in the table size; a route that stops short of j or loops costs inf.
    """
    n_classes, n = next_link.shape[0], next_link.shape[1]
    state = np.zeros(n, dtype=np.int8)  # 0 not seen, 1 on the current walk, 2 known
    stack = np.empty(n, dtype=np.int64)
    for c in range(n_classes):
        for j in range(n):
            state[:] = 0
            out[c, j, j] = 0.0
            state[j] = 2
            for i in range(n):
                depth = 0
                k = i
                value = np.inf
                while True:
                    if state[k] == 2:
                        value = out[c, k, j]
                        break
                    if state[k] == 1:  # a loop never reaches j
                        break
                    link = next_link[c, k, j]
                    if link < 0:
                        out[c, k, j] = np.inf
                        state[k] = 2
                        break
                    state[k] = 1
                    stack[depth] = k
                    depth += 1
                    k = link_to[link]
                while depth > 0:
                    depth -= 1
                    k = stack[depth]
                    value = spend[next_link[c, k, j]] + value
                    out[c, k, j] = value
                    state[k] = 2


@njit(cache=True)
def route_choice_cdf(next_link, cost, link_cost, out_start, out_links, link_to, scale, out):
    """out[c, dest, i]: cumulative weights of the next-link choice of class c heading for dest,
    over the outgoing links of the place whose links hold position i of out_links.

    A link weighs exp(-(its cost + the cheapest cost on from its end - the cheapest route's) /
    scale) if it is the cheapest route's first link or its far end is strictly closer to dest
    (no loops), else 0. Precomputed at each re-routing: a hop then reads one short row.
    """
    n_classes, n = next_link.shape[0], next_link.shape[1]
    for c in range(n_classes):
        for dest in range(n):
            for here in range(n):
                best = next_link[c, here, dest]
                acc = 0.0
                remaining = cost[c, here, dest]
                cheapest = 0.0
                if best >= 0:
                    cheapest = link_cost[c, best] + cost[c, link_to[best], dest]
                for i in range(out_start[here], out_start[here + 1]):
                    link = out_links[i]
                    if best >= 0:
                        ahead = cost[c, link_to[link], dest]
                        if link == best or (ahead < remaining and link_cost[c, link] < np.inf):
                            acc += np.exp(-(link_cost[c, link] + ahead - cheapest) / scale)
                    out[c, dest, i] = acc


@njit(cache=True, inline="always")
def _before(key, node, other_key, other_node):
    """Heap order: the lower cost first, then the lower place index (a deterministic tie rule)."""
    return key < other_key or (key == other_key and node < other_node)


@njit(cache=True)
def _heap_push(keys, nodes, size, key, node):
    """Push (key, node) on a binary min-heap ordered by key, then node."""
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if _before(keys[parent], nodes[parent], key, node):
            break
        keys[i], nodes[i] = keys[parent], nodes[parent]
        i = parent
    keys[i], nodes[i] = key, node
    return size + 1


@njit(cache=True)
def _heap_pop(keys, nodes, size):
    """Remove the heap's top (read it from keys[0], nodes[0] first); return the new size."""
    size -= 1
    key, node = keys[size], nodes[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and _before(keys[right], nodes[right], keys[child], nodes[child]):
            child = right
        if _before(key, node, keys[child], nodes[child]):
            break
        keys[i], nodes[i] = keys[child], nodes[child]
        i = child
    keys[i], nodes[i] = key, node
    return size


@njit(cache=True)
def _shortest_paths(
    link_cost, link_from, link_to, in_start, in_links, into, place_country, dest_index, paths
):
    """Dijkstra from every place j over the links reversed, into `paths` = (cost, next_link,
    entry) of one class: cost[i, j] and next_link[i, j] (the first link of i's cheapest route to
    j); for a destination (dest_index[j] = k >= 0) entry[i, k] = 1 where that route enters j's
    country (`place_country[j]`) by an irregular crossing (`into[link]`: the country an irregular
    link enters, else -1), found as each place settles (its route goes on from a settled one).
    Of equal routes, the one relaxed first stays (the heap pops equal costs in place order, a
    place's incoming links in index order), so of parallel links the cheapest, then the lowest
    index."""
    cost, next_link, entry = paths
    n = in_start.shape[0] - 1
    size_max = in_links.shape[0] + n
    keys = np.empty(size_max)
    nodes = np.empty(size_max, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    flag = np.zeros(n, dtype=np.int8)
    for j in range(n):
        for i in range(n):
            cost[i, j] = np.inf
            next_link[i, j] = -1
            done[i] = False
            flag[i] = 0
        cost[j, j] = 0.0
        country = place_country[j]
        size = _heap_push(keys, nodes, 0, 0.0, j)
        while size > 0:
            d, v = keys[0], nodes[0]
            size = _heap_pop(keys, nodes, size)
            if done[v] or d > cost[v, j]:
                continue
            done[v] = True
            if v != j:
                # v's route goes on from a place settled before it: its flag is final
                first = next_link[v, j]
                flag[v] = flag[link_to[first]] | (into[first] == country)
            for position in range(in_start[v], in_start[v + 1]):
                link = in_links[position]
                step = link_cost[link]
                if step == np.inf:
                    continue
                u = link_from[link]
                reach = d + step
                if reach < cost[u, j] and not done[u]:
                    cost[u, j] = reach
                    next_link[u, j] = link
                    size = _heap_push(keys, nodes, size, reach, u)
        k = dest_index[j]
        if k >= 0:
            for i in range(n):
                entry[i, k] = flag[i]


def compute_routing(
    world: World,
    link_cost: np.ndarray,
    allowed: np.ndarray,
    living_cost: float = 0.0,
    prices: np.ndarray | None = None,
    route_scale: float = 0.0,
) -> RoutingTables:
    """Shortest paths for each route class over the links that class may use
    (`allowed[class, link]`), and the next-link choice weights for logit scale `route_scale`
    (0: always the cheapest route). `link_cost` is one cost per link for every class or
    [class, link]."""
    n = world.n_locations
    n_classes = allowed.shape[0]
    next_link = np.full((n_classes, n, n), -1, dtype=np.int32)
    cost = np.full((n_classes, n, n), np.inf)
    entry = np.zeros((n_classes, n, len(world.destinations)), dtype=np.int8)
    in_start, in_links = in_adjacency(world)
    link_from, link_to = world.link_from.astype(np.int64), world.link_to.astype(np.int64)
    country = world.location_country.astype(np.int64)
    into = np.where(world.link_crossing == CROSSING_IRREGULAR, country[link_to], -1)
    dest_index = np.full(n, -1, dtype=np.int64)
    dest_index[world.destinations] = np.arange(len(world.destinations))
    per_class = link_cost if link_cost.ndim == 2 else link_cost[None, :]
    class_cost = np.where(allowed, per_class, np.inf).astype(np.float64)
    for c in range(n_classes):
        same = next((e for e in range(c) if np.array_equal(class_cost[e], class_cost[c])), -1)
        if same >= 0:  # the same links at the same costs as an earlier class: the same paths
            cost[c], next_link[c], entry[c] = cost[same], next_link[same], entry[same]
            continue
        paths = (cost[c], next_link[c], entry[c])
        _shortest_paths(
            class_cost[c], link_from, link_to, in_start, in_links, into, country, dest_index, paths
        )
    trip_cost = trip_money(world, next_link, living_cost, prices)[:, :, world.destinations]
    out_start, out_links = out_adjacency(world)
    if route_scale > 0:
        route_cdf = np.empty((n_classes, n, len(out_links)))
        route_choice_cdf(
            next_link,
            cost,
            class_cost,
            out_start,
            out_links,
            link_to,
            float(route_scale),
            route_cdf,
        )
    else:
        route_cdf = np.zeros((n_classes, 0, 0))
    return RoutingTables(
        next_link=next_link,
        cost=cost,
        trip_cost=np.ascontiguousarray(trip_cost),
        link_cost=class_cost,
        irregular_entry=entry,
        out_start=out_start,
        out_links=out_links,
        route_cdf=route_cdf,
    )
