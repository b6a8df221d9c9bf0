"""A good first trial for the search: destination constants moved towards the observed stocks.

With one constant per host, TPE spends most of its trials learning what a damped fixed-point
iteration finds in a few runs: a host whose simulated stock is half the observed one needs a
larger constant. Before the search, each host's constant is moved by

    c += damping x mean over its stock targets of log(observed / simulated)

(at most `MAX_STEP` per round), for `rounds` rounds, at the scenario's other values. Only the
calibration targets (dated up to the cut-off) are read. The result is the study's first trial;
the search then explores around it, and the constants stay inside their pooled prior.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .priors import CONSTANT_SPREAD, Z_BOUND, Z_PREFIX, Prior
from .targets import LEVEL, Target

DAMPING = 0.8
MAX_STEP = 1.5  # logit units per round: a host with almost no agents is not thrown to the bound
STOCK = "migrant_stock"


def stock_targets_by_host(targets: list[Target], hosts: list[str]) -> dict[str, list[int]]:
    """Indices of the plain (not bounded) stock targets of each host."""
    out: dict[str, list[int]] = {}
    for i, t in enumerate(targets):
        if (
            t.kind == LEVEL
            and t.metric == STOCK
            and t.country in hosts
            and not (t.lower_bound or t.upper_bound)
        ):
            out.setdefault(t.country, []).append(i)
    return out


def warm_constants(
    point: dict[str, float],
    priors: list[Prior],
    targets: list[Target],
    simulate: Callable[[dict[str, float]], np.ndarray],
    rounds: int,
    floor: float = 1.0,
) -> dict[str, float]:
    """`point` with its hosts' z values moved by `rounds` damped fixed-point steps (counts
    below `floor`, half an agent, are not resolved: they are compared as `floor`)."""
    hosts = [p.name[len(Z_PREFIX) :] for p in priors if p.name.startswith(Z_PREFIX)]
    by_host = stock_targets_by_host(targets, hosts)
    if not by_host or rounds <= 0:
        return dict(point)
    point = dict(point)
    spread = point[CONSTANT_SPREAD]  # the pooled mean and spread stay; each host's z moves
    for _ in range(rounds):
        simulated = simulate(point)
        for host, rows in by_host.items():
            observed = np.maximum([targets[i].value for i in rows], floor)
            model = np.maximum(np.nan_to_num(simulated[rows], nan=0.0), floor)
            step = float(np.clip(DAMPING * np.mean(np.log(observed / model)), -MAX_STEP, MAX_STEP))
            z = point[Z_PREFIX + host] + step / spread
            point[Z_PREFIX + host] = float(np.clip(z, -Z_BOUND, Z_BOUND))
    return point
