"""Journeys: travel along the route graph, spending and earning money, crossing borders.

Each day the kernel handles only the agents whose next event is today: arrival at a place, the next
hop, running out of money (stranded: work, then try again), settling, and the slow decisions of
settled migrants (move on or return), drawn as exponential waiting times instead of daily checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kernels.journeys import (
    N_RULES,
    R_LIVING_COST,
    R_RETURN_SHARE,
    R_SETTLED_EVENT_DAYS,
    R_WORK_DAYS,
    process_day,
)
from ..levers import Lever
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation


class Journeys(Module):
    name = "journeys"
    parameters = ("journeys",)
    requires = ("choice", "routing")
    levers = (
        Lever("link_fare", "link", "min", "USD fare of each link (world.link_cost)"),
        Lever("wage_multiplier", "country", "max", "what the stranded earn x", True),
    )

    def init(self, sim: Simulation) -> None:
        p = sim.parameters
        w = sim.world
        self.base_wage_day = w.country_wage * p["stranded_earning_share"] / 30.0
        self.wage_day = self.base_wage_day.copy()
        self.wage_multiplier = np.ones(w.n_countries)
        sim.levers.attach("wage_multiplier", self.wage_multiplier)
        sim.levers.attach("link_fare", w.link_cost)
        rate = p["onward_rate_per_year"] + p["return_rate_per_year"]
        self.settled_event_days = 365.0 / rate if rate > 0 else 1e12
        self.return_share = p["return_rate_per_year"] / rate if rate > 0 else 0.0
        self.rules = np.zeros(N_RULES)
        self.rules[R_LIVING_COST] = p["living_cost_usd_day"]
        self.rules[R_WORK_DAYS] = p["stranded_work_days"]
        self.rules[R_SETTLED_EVENT_DAYS] = self.settled_event_days
        self.rules[R_RETURN_SHARE] = self.return_share
        self.links = w.link_arrays()

    def start_step(self, sim: Simulation, day: int) -> None:
        if sim.levers.apply("wage_multiplier", day):
            self.wage_day[:] = self.base_wage_day * self.wage_multiplier
            sim.economy_changed = True
        if sim.levers.apply("link_fare", day):
            sim.reroute(new_regimes=True)

    def step(self, sim: Simulation, day: int) -> None:
        sim.events_handled += process_day(
            day,
            sim.last_day,
            sim.keys,
            sim.routing_version,
            self.rules,
            self.wage_day,
            sim.choice_arrays(),
            sim.world.location_country,
            self.links,
            sim.people.columns(),
            sim.counters(),
            sim.economy.kernel_arrays(),
        )
