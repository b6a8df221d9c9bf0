"""Exodus: how many people leave each origin region each day.

Yearly hazard of a would-be emigrant:
    base x exp(inflation weight x log10(1 + inflation) + GDP weight x GDP shortfall below peak)
         x (1 + network weight x share of the population abroad) x mobility x value of leaving
applied to the pool of would-be emigrants still at home (a share of the population, depleted by
departures and refilled by returns). Push factors come from the scenario's push_factors.csv
(inflation and GDP as drivers follow the emigration literature on Venezuela, e.g. UNODC GLOTIP
2020's link between GDP contraction and outflows); values between years are interpolated.
Mobility is dated steps from the scenario's mobility.csv where it has one (else the yearly
column, interpolated like the others).

The value of leaving makes the decision to leave and the choice of where to go one random-utility
model (a nested logit: leave or stay above, the destinations below, as in the multilateral-
resistance gravity models of Bertoli & Fernández-Huertas Moraga 2013): the hazard moves with
exp(value weight x (logsum(t) - logsum(start))), the logsum being the inclusive value of the
destination choice (destinations.py) that a would-be emigrant faces at home, averaged over the
route classes by their shares and over the origin places by population. Whatever makes the
destinations better or easier to reach (a diaspora that grows, a host economy that recovers)
raises departures; whatever closes them (visa requirements, dearer trochas, expulsions) lowers
them, by the dated inputs alone. A value weight of 0 leaves departures blind to the destinations;
1 is a choice at home as sensitive as the choice between destinations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..kernels.counters import DEPARTURES, PRESENT, RETURNS
from ..kernels.journeys import spawn, spawn_settled
from ..rng import generator, poisson_draws
from ..world.means import better_off_share, better_off_threshold
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


def route_class_shares(parameters: dict[str, float], n_classes: int) -> np.ndarray:
    """Share of emigrants in each route class (document + 3 x means tier, world/means.py), as
    the journeys kernel draws them: a visa below `visa_share`, else a passport below
    `passport_share`; the better-off tier (the savings decide) holds a passport or a visa,
    since an identity card opens no flight abroad."""
    passport, visa = parameters["passport_share"], parameters["visa_share"]
    documents = np.array([1.0 - max(passport, visa), max(passport - visa, 0.0), visa])
    if n_classes <= len(documents):
        return documents
    better_off = better_off_share(parameters)
    upper = documents * better_off
    upper[0] = 0.0
    return np.concatenate([documents - upper, upper])


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
        self.class_share = route_class_shares(p, sim.routing.cost.shape[0])
        self.reference_value: np.ndarray | None = None  # the first day's (value_of_leaving)
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

    def origin_value(self, sim: Simulation) -> np.ndarray:
        """Logsum of the destination choice [route class, origin place] today."""
        if sim.choice_value is None:
            return np.zeros((len(self.class_share), len(sim.world.origins)))
        return sim.choice_value[:, sim.world.origins]

    def value_of_leaving(self, sim: Simulation) -> float:
        """exp(weight x (logsum today - logsum on the first day)), averaged over route classes
        and origin places (1 with weight 0; a class-place that can reach no destination counts
        0, one that could reach none on the first day counts 1). The first day's choice, not
        the one made at init, is the reference: the initial stock, which the diaspora term
        counts, and the day's border regimes are in place only then."""
        weight = sim.parameters.get("exodus_value_weight", 0.0)
        if weight == 0.0:
            return 1.0
        now = self.origin_value(sim)
        if self.reference_value is None:
            self.reference_value = now.copy()
        start = self.reference_value
        with np.errstate(invalid="ignore"):
            change = np.where(
                np.isfinite(start),
                np.where(np.isfinite(now), np.exp(weight * (now - start)), 0.0),
                1.0,
            )
        return float(self.class_share @ change @ self.origin_share)

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
        hazard = (
            self.push[day]
            * (1.0 + p["exodus_network_weight"] * share_abroad)
            * self.value_of_leaving(sim)
        )
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
