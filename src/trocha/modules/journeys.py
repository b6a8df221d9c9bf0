"""Journeys: travel along the route graph, spending and earning money, crossing borders.

Each day the kernel handles only the agents whose next event is today: arrival at a place, the next
hop, running out of money (stranded: work, then try again), settling, and the slow decisions of
settled migrants (move on or return), drawn as exponential waiting times instead of daily checks.
At each hop the next link is a logit draw over the links that make progress towards the
destination (kernels/choice.py `sample_next_link`). Weekly, this module turns the people who
recently set out on each irregular link into route information that lowers its generalised cost
(world/routing.py `route_information`; migrants learn routes from those who went before).
A settled migrant's slow events come at `onward_rate_per_year + return_rate_per_year` a year; the
share that are a return home is the return hazard's share of that, by host country, raised while
the host is under a stay-at-home order (`return_shares`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..kernels.counters import PENDING_DAYS, new_pending
from ..kernels.journeys import process_day
from ..levers import Lever
from ..world.routing import route_information
from .base import Module, next_week

if TYPE_CHECKING:
    from ..simulation import Simulation


def return_shares(parameters, lockdown: np.ndarray) -> np.ndarray:
    """By host country, the share of a settled migrant's slow events that are a return home.

    A lockdown (the share of the country under a stay-at-home order, host_policies.csv) stops the
    informal work most migrants live on, so while it lasts the return hazard is multiplied by
    `1 + (return_lockdown_multiplier - 1) x lockdown`; the events' rate stays the same, so moving
    on becomes rarer as returns become more common (at most every event is a return).
    """
    rate = parameters["onward_rate_per_year"] + parameters["return_rate_per_year"]
    if rate <= 0:
        return np.zeros_like(lockdown, dtype=np.float64)
    boost = 1.0 + (parameters["return_lockdown_multiplier"] - 1.0) * lockdown
    return np.minimum(1.0, parameters["return_rate_per_year"] * boost / rate)


class Journeys(Module):
    name = "journeys"
    parameters = ("journeys",)
    requires = ("choice", "routing")
    levers = (
        Lever("link_fare", "link", "min", "USD fare of each link (world.link_cost)"),
        Lever("wage_multiplier", "country", "max", "what the stranded earn x", True),
    )
    columns: ClassVar = {
        "returning": np.int8,  # 1 while travelling back to the origin
        "location": np.int16,  # current place (the next place while on a link)
        "destination": np.int16,  # place the agent is heading for
        "money": np.float64,  # USD carried (float64: the money ledger balances to the cent)
        "route_version": np.int16,  # routing version of the agent's last destination choice
    }
    # Take a traveller's hops over a quiet stretch in one event (kernels/journeys.py); False
    # takes every hop on its own day: the same results, more events (the ODD reference test).
    chain_hops: ClassVar[bool] = True
    streams = (
        "journeys.destination",
        "journeys.death",
        "journeys.work",
        "journeys.settled_when",
        "journeys.settled_what",
        "journeys.border",
        "journeys.route",
    )

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        p = sim.parameters
        rate = p["onward_rate_per_year"] + p["return_rate_per_year"]
        return {
            "living_cost_usd_day": p["living_cost_usd_day"],
            "stranded_work_days": p["stranded_work_days"],
            "plan_work_days": p["plan_work_days"],
            "settled_event_days": 365.0 / rate if rate > 0 else 1e12,
            # what a settled migrant saves per day, in units of the stranded's daily earnings
            "settled_saving_ratio": p["settled_saving_share"] / p["stranded_earning_share"]
            if p["stranded_earning_share"] > 0
            else 0.0,
        }

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Route information re-routes weekly (fares change by lever, counted by the
        Simulation)."""
        return next_week(day)

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
        sim.return_share[:] = return_shares(p, sim.lockdown)
        self.links = w.link_arrays()
        # Hops taken ahead of their day wait here (kernels/counters.py Pending).
        self.pending = new_pending(
            sim.current, sim.daily, sim.location_counts, sim.link_use, sim.economy.ledger
        )
        self.information_weeks = max(1, int(p["route_information_weeks"]))
        self.link_use_weekly = [sim.link_use.copy()]  # agents who set out, at each week's start

    def start_step(self, sim: Simulation, day: int) -> None:
        if sim.levers.apply("wage_multiplier", day):
            self.wage_day[:] = self.base_wage_day * self.wage_multiplier
            sim.economy_changed = True
        informed = day % 7 == 0 and day > 0 and self._update_information(sim)
        if sim.levers.apply("link_fare", day):
            sim.reroute(new_regimes=True)
        elif informed:
            sim.reroute(new_regimes=False)

    def _update_information(self, sim: Simulation) -> bool:
        """Route information from the people who set out on each link in the last weeks; True if
        some link's moved by more than `route_information_tolerance_usd` (then re-route)."""
        history = self.link_use_weekly
        history.append(sim.link_use.copy())
        del history[: -self.information_weeks - 1]
        weeks = len(history) - 1
        people_per_week = (history[-1] - history[0]) * (sim.scale / weeks)
        told = route_information(sim.world, sim.parameters, people_per_week)
        tolerance = sim.parameters["route_information_tolerance_usd"]
        if not (np.abs(told - sim.route_information) > tolerance).any():
            return False
        sim.route_information[:] = told
        return True

    def _take_pending(self, sim: Simulation, day: int) -> None:
        """Add today's slot of hops taken ahead into the counters, where today's hops go."""
        slot = day % PENDING_DAYS
        pending = self.pending
        for total, held in (
            (sim.current, pending.current),
            (sim.daily, pending.daily),
            (sim.location_counts, pending.location),
            (sim.link_use, pending.links),
            (sim.economy.link_crossings, pending.crossings),
            (sim.economy.ledger, pending.ledger),
        ):
            total += held[slot]
            held[slot] = 0

    def step(self, sim: Simulation, day: int) -> None:
        self._take_pending(sim, day)
        horizon = sim.quiet_until(day) if self.chain_hops else day + 1
        sim.events_handled += process_day(
            day,
            sim.last_day,
            sim.keys,
            sim.routing_version,
            sim.rules,
            self.wage_day,
            sim.choice_arrays(),
            sim.world.location_country,
            self.links,
            sim.people.table,
            sim.counters(),
            sim.economy.kernel_arrays(),
            horizon,
            self.pending,
        )
