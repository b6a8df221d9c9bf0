"""Exodus: how many people leave each origin region each day.

Yearly hazard of a would-be emigrant:
    base x exp(inflation weight x log10(1 + inflation) + GDP weight x GDP shortfall below peak)
         x (1 + network weight x share of the population abroad) x mobility
applied to the pool of would-be emigrants still at home (a share of the population, depleted by
departures and refilled by returns). Push factors come from the scenario's push_factors.csv
(inflation and GDP as drivers follow the emigration literature on Venezuela, e.g. UNODC GLOTIP
2020's link between GDP contraction and outflows); values between years are interpolated.
Mobility is dated steps from the scenario's mobility.csv where it has one (else the yearly
column, interpolated like the others).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..kernels.counters import DEPARTURES, PRESENT, RETURNS
from ..kernels.journeys import spawn, spawn_settled
from ..rng import generator, poisson_draws
from ..world.means import better_off_threshold
from .base import NEVER, Module

if TYPE_CHECKING:
    from ..calendar import Calendar
    from ..simulation import Simulation


def gdp_shortfall(yearly_change_pct: list[float]) -> np.ndarray:
    """How far real GDP is below its previous peak (0 = at the peak, 0.8 = 80% below), by year.

    The level, not the yearly change, drives emigration: incomes stay low after growth resumes.
    """
    level = np.cumprod(1.0 + np.asarray(yearly_change_pct, dtype=np.float64) / 100.0)
    return 1.0 - level / np.maximum.accumulate(level)


def daily_drivers(sim: Simulation) -> dict[str, np.ndarray]:
    """Push factors interpolated to every simulated day (values sit at mid-year)."""
    rows = sim.scenario.push_factors
    years = np.array([r.year + 0.5 for r in rows])
    t = np.array(
        [
            d.year + (d.timetuple().tm_yday - 0.5) / (366 if d.year % 4 == 0 else 365)
            for d in sim.calendar.dates()
        ]
    )

    def interp(values: list[float]) -> np.ndarray:
        return np.interp(t, years, np.asarray(values, dtype=np.float64))

    dated = sim.scenario.mobility
    return {
        "population": interp([r.population for r in rows]),
        "inflation": interp([np.log10(1 + r.inflation_pct / 100) for r in rows]),
        "gdp_fall": interp(list(gdp_shortfall([r.gdp_change_pct for r in rows]))),
        "mobility": (
            dated_steps(dated, sim.calendar) if dated else interp([r.mobility for r in rows])
        ),
    }


def dated_steps(rows, calendar: Calendar) -> np.ndarray:
    """Each day's mobility from mobility.csv (rows in date order): the value of the last row
    dated on or before it, 1 before the first. A lockdown starts on a day; a yearly value
    interpolated between mid-years would start it months early."""
    out = np.ones(calendar.n_days)
    for row in rows:
        out[calendar.in_force_from(row.date) :] = row.mobility
    return out


class Exodus(Module):
    name = "exodus"
    parameters = ("exodus", "journeys")
    requires = ("choice", "routing")
    columns: ClassVar = {
        "origin": np.int16,  # origin place
        "document": np.int8,  # index into world.regimes.DOCUMENT_CLASSES
        "means": np.int8,  # 0 budget, 1 better-off (world/means.py), set from savings at departure
        "female": np.int8,
        "minor": np.int8,  # under 18 when leaving
    }
    streams = ("exodus.count", "exodus.document", "exodus.money", "exodus.sex_age")

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        names = (
            "passport_share",
            "visa_share",
            "savings_median_usd",
            "savings_sigma",
            "female_share",
            "minor_share",
        )
        rules = {n: sim.parameters[n] for n in names}
        rules["better_off_savings_usd"] = better_off_threshold(sim.parameters)
        return rules

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Departures only: no input of a traveller's hop."""
        return NEVER

    def init(self, sim: Simulation) -> None:
        p = sim.parameters
        drivers = daily_drivers(sim)
        self.population = drivers["population"]
        self.push = (
            p["exodus_base_rate"]
            * np.exp(
                p["exodus_inflation_weight"] * drivers["inflation"]
                + p["exodus_gdp_weight"] * drivers["gdp_fall"]
            )
            * drivers["mobility"]
        )
        self.pool0 = p["exodus_pool_share"] * self.population[0]
        w = sim.world
        shares = w.location_population[w.origins]
        self.origin_share = shares / shares.sum()
        self._seed_initial_stock(sim)

    def _seed_initial_stock(self, sim: Simulation) -> None:
        """Place the emigrants already abroad at the start (initial_stock.csv), as settled."""
        rows = sim.scenario.initial_stock
        if not rows:
            return
        w = sim.world
        p = sim.parameters
        places = np.array([w.location_index(r.location) for r in rows], dtype=np.int32)
        agents = np.array([r.people / sim.scale for r in rows])
        whole = np.floor(agents)
        extra = generator(sim.seed, "exodus.initial_stock", 0).random(len(rows)) < agents - whole
        counts = (whole + extra).astype(np.int64)
        # Rank of each row's first agent among its place's initial stock (the uid's rank).
        first_ranks = np.zeros(len(rows), dtype=np.int64)
        seen: dict[int, int] = {}
        for i, place in enumerate(places.tolist()):
            first_ranks[i] = seen.get(place, 0)
            seen[place] = first_ranks[i] + counts[i]
        people = sim.people
        people.reserve(int(counts.sum()))
        rate = p["onward_rate_per_year"] + p["return_rate_per_year"]
        first = people.count
        people.count = spawn_settled(
            people.count,
            counts,
            first_ranks,
            places,
            w.origins,
            np.cumsum(self.origin_share),
            sim.keys,
            365.0 / rate if rate > 0 else 1e12,
            sim.last_day,
            w.location_country,
            people.table,
            sim.counters(),
            p["female_share"],
        )
        sim.initial_emigrants = people.count - first

    def expected_departures(self, sim: Simulation, day: int) -> float:
        """People expected to leave today (all origins together)."""
        p = sim.parameters
        abroad = (
            sim.current[PRESENT].sum() - sim.current[PRESENT, sim.world.origin_country]
        ) * sim.scale
        share_abroad = abroad / self.population[day]
        left = sim.cumulative[DEPARTURES].sum() + sim.daily[DEPARTURES].sum()
        back = sim.cumulative[RETURNS].sum() + sim.daily[RETURNS].sum()
        pool = max(0.0, self.pool0 - (left - back + sim.initial_emigrants) * sim.scale)
        hazard = self.push[day] * (1.0 + p["exodus_network_weight"] * share_abroad)
        return hazard / 365.0 * pool

    def step(self, sim: Simulation, day: int) -> None:
        expected = self.expected_departures(sim, day) / sim.scale
        # One uniform per origin and day, inverted: counts move little when the expectation does.
        means = expected * self.origin_share
        counts = poisson_draws(sim.keys["exodus_count"], day, sim.world.origins, means)
        n_new = int(counts.sum())
        if n_new == 0:
            return
        people = sim.people
        people.reserve(n_new)
        people.count = spawn(
            day,
            sim.last_day,
            people.count,
            counts.astype(np.int64),
            sim.world.origins,
            sim.keys,
            sim.rules,
            sim.choice_arrays(),
            sim.routing_version,
            sim.world.location_country,
            people.table,
            sim.counters(),
            sim.economy.kernel_arrays(),
        )
