"""Destination choice: a multinomial logit over host cities, refreshed weekly and on regime changes.

Utility of city k seen from place l by document class c:
country constant + wage weight x log(wage) + size weight x log(population)
+ diaspora weight x log(1 + stock / 10,000) - cost weight x generalised cost(c, l, k) / 100.
Unreachable cities get probability zero. (Random-utility destination choice as in gravity models of
migration; the diaspora term is the network effect.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kernels.counters import PRESENT
from ..levers import Lever
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation


def choice_cdf(
    routing_cost: np.ndarray,
    destinations: np.ndarray,
    static_utility: np.ndarray,
    diaspora: np.ndarray,
    parameters: dict[str, float],
) -> np.ndarray:
    """Cumulative choice probabilities [class, place, destination index]."""
    utility = static_utility + parameters["choice_diaspora_weight"] * np.log1p(diaspora / 1e4)
    cost = routing_cost[:, :, destinations]
    score = utility[None, None, :] - parameters["choice_cost_weight"] * cost / 100.0
    finite = np.isfinite(score)
    best = np.where(finite, score, -np.inf).max(axis=2, keepdims=True)
    best = np.where(np.isfinite(best), best, 0.0)
    weight = np.where(finite, np.exp(np.where(finite, score - best, 0.0)), 0.0)
    return np.cumsum(weight, axis=2)


class Destinations(Module):
    name = "destinations"
    parameters = ("journeys",)
    requires = ("routing",)
    provides = ("choice",)
    levers = (
        Lever("destination_attraction", "country", "sum", "country constant of the choice logit"),
    )

    def init(self, sim: Simulation) -> None:
        sim.levers.attach("destination_attraction", sim.world.country_constant)
        self.static(sim)
        self.every = max(1, int(sim.parameters["choice_update_days"]))
        self.refresh(sim)

    def static(self, sim: Simulation) -> None:
        """The utility terms that do not change by the day."""
        w = sim.world
        p = sim.parameters
        dest_country = w.location_country[w.destinations]
        self.static_utility = (
            w.country_constant[dest_country]
            + p["choice_wage_weight"] * np.log(w.country_wage[dest_country])
            + p["choice_size_weight"] * np.log(w.location_population[w.destinations])
        )
        self.dest_country = dest_country

    def refresh(self, sim: Simulation) -> None:
        diaspora = sim.current[PRESENT, self.dest_country].astype(np.float64) * sim.scale
        sim.choice = choice_cdf(
            sim.routing.cost, sim.world.destinations, self.static_utility, diaspora, sim.parameters
        )
        sim.choice_stale = False

    def start_step(self, sim: Simulation, day: int) -> None:
        if sim.levers.apply("destination_attraction", day):
            self.static(sim)
            sim.choice_stale = True

    def step(self, sim: Simulation, day: int) -> None:
        if sim.choice_stale or day % self.every == 0:
            self.refresh(sim)
