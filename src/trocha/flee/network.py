"""The Flee location graph as arrays: location kinds, directed links, dated changes, paths.

Follows Flee 3.1's `InputGeography.StoreInputGeographyInEcosystem` and `Location`: a conflict zone
dated after day 0 starts as a town; camps take their capacity from the population column; every
population is divided by `hasten` (integer division); `forced_redirection = 1` links a pair twice
(a Flee 3.1 quirk: its `if`/`if`/`else` adds the pair again); a location whose move chance is below
0.005 becomes a camp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inputs import FleeInputs
from .settings import FleeSettings

# Closure actions, applied in closures.csv order on the day they fall due.
CLOSE_LINK, OPEN_LINK, CLOSE_CAMP, OPEN_CAMP = 0, 1, 2, 3


@dataclass
class Network:
    names: list[str]
    countries: list[str]
    camp: np.ndarray  # bool, changes with camp closures
    idpcamp: np.ndarray
    town: np.ndarray
    marker: np.ndarray
    foreign: np.ndarray
    conflict: np.ndarray  # float, -1 when not a conflict zone
    time_of_conflict: np.ndarray  # int
    movechance: np.ndarray  # float
    pop: np.ndarray  # int64, scaled
    capacity: np.ndarray  # int64, scaled, -1 when none
    link_src: np.ndarray
    link_dst: np.ndarray
    link_distance: np.ndarray
    link_speed: np.ndarray
    link_walk_probability: np.ndarray
    link_open: np.ndarray  # bool
    link_offsets: np.ndarray  # CSR of links by source, in Flee's order
    closure_events: dict[int, list[tuple[int, int, bool]]]  # day -> (action, index, idp)
    initial_camps: list[int]


def _float_attribute(attributes: dict, key: str, default: float) -> float:
    text = attributes.get(key, "")
    return float(text) if text not in ("", None) else default


def build_network(inputs: FleeInputs, settings: FleeSettings, hasten: int) -> Network:
    s = settings
    locs = inputs.locations
    n = len(locs)
    names = [loc.name for loc in locs]
    index = {name: i for i, name in enumerate(names)}
    home = locs[0].country or "unknown"
    camp = np.zeros(n, bool)
    idpcamp = np.zeros(n, bool)
    town = np.zeros(n, bool)
    marker = np.zeros(n, bool)
    foreign = np.zeros(n, bool)
    conflict = np.full(n, -1.0)
    movechance = np.ones(n)
    pop = np.zeros(n, np.int64)
    capacity = np.full(n, -1, np.int64)
    countries = []
    for i, loc in enumerate(locs):
        country = loc.country or "unknown"
        countries.append(country)
        foreign[i] = country != home
        kind = loc.location_type.lower()
        if "conflict" in kind and (loc.conflict_date or 0) > 0:
            kind = "town"
        scaled = int(loc.population) // hasten
        if "camp" in kind:
            capacity[i] = scaled
        else:
            pop[i] = scaled
        if "camp" in kind:
            camp[i] = True
            movechance[i] = s.camp_movechance
            if "idp" in kind:
                idpcamp[i] = True
                movechance[i] = s.idpcamp_movechance
        elif "conflict" in kind:
            movechance[i] = s.conflict_movechance
            conflict[i] = _float_attribute(loc.attributes, "conflict_intensity", 1.0)
        elif "forward" in kind:
            movechance[i] = 1.0
        elif "marker" in kind:
            movechance[i] = 1.0
            marker[i] = True
        elif "default" in kind or "town" in kind:
            town[i] = True
            movechance[i] = s.default_movechance
        if movechance[i] < 0.005 and not camp[i]:
            camp[i] = True
            town[i] = False

    links: list[list[tuple[int, float, float, float]]] = [[] for _ in range(n)]

    def link_up(a: str, b: str, route) -> None:
        speed = _float_attribute(route.attributes, "max_move_speed", s.max_move_speed)
        walk = _float_attribute(route.attributes, "walk_probability", 0.0)
        links[index[a]].append((index[b], route.distance, speed, walk))
        links[index[b]].append((index[a], route.distance, speed, walk))

    for route in inputs.routes:
        if route.forced_redirection == 1:
            link_up(route.name1, route.name2, route)
        if route.forced_redirection == 2:
            link_up(route.name2, route.name1, route)
        else:
            link_up(route.name1, route.name2, route)

    offsets = np.zeros(n + 1, np.int64)
    src, dst, dist, speed, walk = [], [], [], [], []
    for i in range(n):
        for d, distance, sp, wp in links[i]:
            src.append(i)
            dst.append(d)
            dist.append(distance)
            speed.append(sp)
            walk.append(wp)
        offsets[i + 1] = len(src)
    link_src = np.array(src, np.int32)
    link_dst = np.array(dst, np.int32)

    events: dict[int, list[tuple[int, int, bool]]] = {}

    def add(day: int, action: int, targets, idp: bool = False) -> None:
        for target in targets:
            events.setdefault(day, []).append((action, int(target), idp))

    country_of = np.array(countries)
    for c in inputs.closures:
        if c.kind == "country":
            # both directions, as Ecosystem.close_border(twoway=True)
            a = country_of[link_src] == c.name1
            b = country_of[link_dst] == c.name2
            a2 = country_of[link_src] == c.name2
            b2 = country_of[link_dst] == c.name1
            targets = np.flatnonzero((a & b) | (a2 & b2))
            add(c.start, CLOSE_LINK, targets)
            add(c.end, OPEN_LINK, targets)
        elif c.kind == "location":
            i = index[c.name1]
            targets = np.flatnonzero((link_src == i) | (link_dst == i))
            add(c.start, CLOSE_LINK, targets)
            add(c.end, OPEN_LINK, targets)
        elif c.kind == "link":
            # Flee 3.1 closes only name2 -> name1 and finds the link by object identity
            # (`endpoint.name is not endpoint`): that matches only for one-character names, which
            # CPython shares. Longer names leave the link open in Flee 3.1, and here.
            if len(c.name1) == 1 and ord(c.name1) < 256:
                i, j = index[c.name2], index[c.name1]
                targets = np.flatnonzero((link_src == i) & (link_dst == j))
                add(c.start, CLOSE_LINK, targets)
                add(c.end, OPEN_LINK, targets)
        elif c.kind in ("camp", "idpcamp"):
            add(c.start, CLOSE_CAMP, [index[c.name1]], c.kind == "idpcamp")
            add(c.end, OPEN_CAMP, [index[c.name1]], c.kind == "idpcamp")
        # remove_forced_redirection: forced redirection has no effect on Flee 3.1's movement rules

    return Network(
        names=names,
        countries=countries,
        camp=camp,
        idpcamp=idpcamp,
        town=town,
        marker=marker,
        foreign=foreign,
        conflict=conflict,
        time_of_conflict=np.full(n, -1, np.int64),
        movechance=movechance,
        pop=pop,
        capacity=capacity,
        link_src=link_src,
        link_dst=link_dst,
        link_distance=np.array(dist, np.float64),
        link_speed=np.array(speed, np.float64),
        link_walk_probability=np.array(walk, np.float64),
        link_open=np.ones(len(src), bool),
        link_offsets=offsets,
        closure_events=events,
        initial_camps=[int(i) for i in np.flatnonzero(camp)],
    )


def apply_closures(net: Network, day: int, settings: FleeSettings) -> bool:
    """Apply the closures and reopenings due on `day`; returns whether the graph changed."""
    changed = False
    for action, target, idp in net.closure_events.get(day, []):
        if action == CLOSE_LINK:
            changed |= bool(net.link_open[target])
            net.link_open[target] = False
        elif action == OPEN_LINK:
            changed |= not net.link_open[target]
            net.link_open[target] = True
        elif action == CLOSE_CAMP:
            net.movechance[target] = settings.default_movechance
            net.camp[target] = False
            net.idpcamp[target] = False
            net.conflict[target] = -1.0
            net.town[target] = True
        elif action == OPEN_CAMP:
            net.movechance[target] = settings.camp_movechance
            net.camp[target] = True
            net.conflict[target] = -1.0
            net.town[target] = False
            if idp:
                net.idpcamp[target] = True
                net.movechance[target] = settings.idpcamp_movechance
    return changed


@dataclass
class Paths:
    """Every route an agent at each location considers (Flee's `calculateLinkWeight` tree)."""

    offsets: np.ndarray  # CSR by origin location
    end: np.ndarray  # int32: the location whose score and capacity weigh the path
    distance: np.ndarray  # float64: total distance along the path
    length: np.ndarray  # int32: nodes after the origin
    nodes: np.ndarray  # int16 [paths, max_length]


def enumerate_paths(net: Network, awareness: int) -> Paths:
    """Paths up to `awareness` steps (markers do not count a step), without revisiting a node."""
    n = len(net.names)
    offsets = [0]
    ends: list[int] = []
    dists: list[float] = []
    node_lists: list[list[int]] = []
    open_links = [
        [k for k in range(net.link_offsets[i], net.link_offsets[i + 1]) if net.link_open[k]]
        for i in range(n)
    ]

    def expand(link: int, prior: float, origin: list[int], step: int) -> None:
        end = int(net.link_dst[link])
        total = prior + float(net.link_distance[link])
        if not net.marker[end]:
            ends.append(end)
            dists.append(total)
            node_lists.append([*origin[1:], end])
        else:
            step -= 1
        if awareness > step:
            for nxt in open_links[end]:
                if int(net.link_dst[nxt]) in origin:
                    continue
                expand(nxt, total, [*origin, end], step + 1)

    if awareness >= 1:
        for i in range(n):
            for k in open_links[i]:
                expand(k, 0.0, [i], 1)
            offsets.append(len(ends))
    else:
        offsets = [0] * (n + 1)
    width = max((len(p) for p in node_lists), default=1)
    nodes = np.full((len(node_lists), width), -1, np.int16)
    for p, path in enumerate(node_lists):
        nodes[p, : len(path)] = path
    return Paths(
        offsets=np.array(offsets, np.int64),
        end=np.array(ends, np.int32),
        distance=np.array(dists, np.float64),
        length=np.array([len(p) for p in node_lists], np.int32),
        nodes=nodes,
    )
