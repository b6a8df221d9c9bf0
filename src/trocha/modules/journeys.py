"""Journeys: travel along the route graph, spending and earning money, crossing borders.

Each day the kernel handles only the agents whose next event is today: arrival at a place, the next
hop, running out of money (stranded: work, then try again), settling, and the slow decisions of
settled migrants (move on or return), drawn as exponential waiting times instead of daily checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernels.journeys import process_day
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation


class Journeys(Module):
    name = "journeys"

    def init(self, sim: Simulation) -> None:
        p = sim.parameters
        w = sim.world
        self.wage_day = w.country_wage * p["stranded_earning_share"] / 30.0
        rate = p["onward_rate_per_year"] + p["return_rate_per_year"]
        self.settled_event_days = 365.0 / rate if rate > 0 else 1e12
        self.return_share = p["return_rate_per_year"] / rate if rate > 0 else 0.0

    def step(self, sim: Simulation, day: int) -> None:
        p = sim.parameters
        w = sim.world
        people = sim.people
        process_day(
            day, sim.last_day, sim.keys, sim.routing_version, p["living_cost_usd_day"],
            p["stranded_work_days"], self.wage_day, self.settled_event_days, self.return_share,
            sim.routing.next_link, sim.choice, w.destinations, w.location_country, w.link_to,
            w.link_days, w.link_cost, w.link_crossing, w.link_risk,
            people.state, people.document, people.returning, people.origin, people.location,
            people.destination, people.money, people.route_version, people.queue_next,
            sim.queue_head, sim.current, sim.daily, sim.location_counts,
        )
