"""Destination choice: a multinomial logit over host cities, refreshed weekly and on regime changes.

Utility of city k seen from place l by document class c on day t:
country constant + wage weight x log(wage) + size weight x log(population)
+ GDP weight x log(GDP per capita(t) / GDP per capita(reference year))
+ diaspora weight x log(1 + stock(t) / 10,000) - crowding weight x stock(t) / population(t)
- cost weight x generalised cost(c, l, k, t) / 100
+ [log(1 - apprehension(t) x expulsion(t)) - status weight x irregular status(t)] of k's country
if the route enters it irregularly. Unreachable cities get probability zero. The first part of
the last term is the chance of getting in (expected utility of a try that fails with the
probability of being met and expelled, as in Todaro's model of migration): it is how a dated
expulsion policy (host_policies.csv: Title 42 expulsions of Venezuelans to Mexico from October
2022, lifted in May 2023) changes who sets out, not only who is turned back at the border; it
needs no parameter. The second is legal status: where the share `irregular_status` of irregular
entrants can never get a residence or work permit (host_policies.csv: Chile, where a clandestine
entry bars one), a host reached irregularly is worth less than one entered regularly, so a
migrant without a passport weighs Peru (open to identity cards until October 2018) above Chile
by way of a Bolivian trocha. (Random-utility destination choice as in
gravity models of migration; the diaspora term is the network effect.) The crowding term is
the other side of a diaspora: where migrants are already a large share of the host's people
(host_population.csv), jobs and housing for one more are scarcer and hostility grows, so a
small host cannot take in more people than it has, however close it lies. What changes over time
comes from covariates: the host's economy (host_economy.csv, World Bank GDP per capita by year,
interpolated by date), the diaspora, the host policies, and the border regimes and fees behind the
generalised cost (a regime that refuses a document class makes the host unreachable or dearer for
that class through the routing).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ..kernels.counters import PRESENT
from ..levers import Lever
from .base import NEVER, Module

if TYPE_CHECKING:
    from ..simulation import Simulation


def year_of(date: dt.date) -> float:
    """A date as a fractional year on which a yearly value stands at its 1 July (2019.0)."""
    return date.year + (date.timetuple().tm_yday - 182) / 365.25


class YearlySeries:
    """A yearly table's `field` by country (`codes`), in logs, ready to read at any date.

    Built once per run: the choice is refreshed weekly and on every regime change, and reading
    the table's rows again each time cost 5-10% of a run at scale 4,000."""

    def __init__(self, rows, field: str, codes: list[str]) -> None:
        by_country: dict[str, dict[int, float]] = {}
        for row in rows:
            by_country.setdefault(row.iso3, {})[row.year] = getattr(row, field)
        self.series: list[tuple[np.ndarray, np.ndarray] | None] = []
        for code in codes:
            values = by_country.get(code)
            if values:
                years = np.array(sorted(values), dtype=np.float64)
                self.series.append((years, np.log([values[int(y)] for y in years])))
            else:
                self.series.append(None)

    def log_at(self, t: float) -> np.ndarray:
        """The log of the field by country at fractional year `t` (`year_of`; NaN where the
        table has no rows for the country): each year's value stands at its 1 July, times in
        between are interpolated linearly in logs, times outside the table's years take the
        nearest year's value."""
        out = np.full(len(self.series), np.nan)
        for i, series in enumerate(self.series):
            if series is not None:
                out[i] = np.interp(t, *series)
        return out


def gdp_term(gdp: YearlySeries, date: dt.date, reference_year: int) -> np.ndarray:
    """log(GDP per capita on `date` / GDP per capita in `reference_year`) by country (0 where the
    table has no rows for the country), from a series of `gdp_per_capita_usd`."""
    now = gdp.log_at(year_of(date))
    return np.nan_to_num(now - gdp.log_at(float(reference_year)), nan=0.0)


def host_population(population: YearlySeries, date: dt.date) -> np.ndarray:
    """Population by country on `date` (0 where the table has no rows for the country), from a
    series of `population`."""
    return np.nan_to_num(np.exp(population.log_at(year_of(date))), nan=0.0)


def crowding_utility(stock: np.ndarray, population: np.ndarray, weight: float) -> np.ndarray:
    """Minus `weight` x the migrants' share of the host's population, by destination (0 where
    the population is unknown)."""
    share = np.divide(stock, population, out=np.zeros(len(stock)), where=population > 0)
    return -weight * share


def entry_utility(
    irregular_entry: np.ndarray, dest_country: np.ndarray, penalty: np.ndarray
) -> np.ndarray:
    """[class, place, destination index] utility of arriving irregularly: minus the destination
    country's `entry_penalty` where the route enters it irregularly."""
    return irregular_entry * -np.asarray(penalty)[dest_country][None, None, :]


def entry_penalty(apprehension, expulsion, irregular_status=None, status_weight: float = 0.0):
    """Logit units an irregular entry into each country costs (0 where it costs nothing): minus
    the log chance of getting in, -log(1 - apprehension x expulsion), plus `status_weight` x the
    share of irregular entrants left without legal status."""
    risk = np.minimum(np.asarray(apprehension, dtype=np.float64) * np.asarray(expulsion), 0.999)
    penalty = -np.log1p(-risk)
    if irregular_status is not None and status_weight > 0.0:
        penalty = penalty + status_weight * np.asarray(irregular_status, dtype=np.float64)
    return penalty


def choice_scores(
    routing_cost: np.ndarray,
    destinations: np.ndarray,
    static_utility: np.ndarray,
    diaspora: np.ndarray,
    parameters: dict[str, float],
    entry: np.ndarray | None = None,
) -> np.ndarray:
    """Utility [class, place, destination index] of each destination (-inf where unreachable);
    `entry` (optional, `entry_utility`) adds the log chance of getting in."""
    utility = static_utility + parameters["choice_diaspora_weight"] * np.log1p(diaspora / 1e4)
    cost = routing_cost[:, :, destinations]
    score = utility[None, None, :] - parameters["choice_cost_weight"] * cost / 100.0
    if entry is not None:
        score = score + entry
    return np.where(np.isfinite(score), score, -np.inf)


def cdf_and_value(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative choice weights [class, place, destination index] (unnormalised) and the value
    of the choice [class, place]: the logsum (inclusive value) log sum exp(score), -inf where no
    destination can be reached. The logsum is what a random-utility migrant expects to get from
    choosing, so it is what the decision to leave weighs (exodus.py)."""
    best = score.max(axis=2, keepdims=True)
    best = np.where(np.isfinite(best), best, 0.0)
    weight = np.exp(score - best)
    cdf = np.cumsum(weight, axis=2)
    total = cdf[:, :, -1] if cdf.shape[2] else np.zeros(cdf.shape[:2])
    with np.errstate(divide="ignore"):
        value = np.where(total > 0, best[:, :, 0] + np.log(total), -np.inf)
    return cdf, value


class Destinations(Module):
    name = "destinations"
    parameters = ("journeys",)
    requires = ("routing",)
    provides = ("choice",)
    levers = (
        Lever("destination_attraction", "country", "sum", "country constant of the choice logit"),
    )

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Destination choice: a traveller's hop does not read it (a reconsidering traveller's
        event is not taken ahead)."""
        return NEVER

    def init(self, sim: Simulation) -> None:
        sim.levers.attach("destination_attraction", sim.world.country_constant)
        self.static(sim)
        codes = sim.world.country_codes
        self.gdp = YearlySeries(sim.scenario.host_economy or (), "gdp_per_capita_usd", codes)
        self.population = YearlySeries(sim.scenario.host_population or (), "population", codes)
        self.every = max(1, int(sim.parameters["choice_update_days"]))
        self.refresh(sim, 0)

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

    def economy_utility(self, sim: Simulation, day: int) -> np.ndarray:
        """The GDP per capita term of each destination on `day`."""
        p = sim.parameters
        if p["choice_gdp_weight"] == 0.0 or not sim.scenario.host_economy:
            return np.zeros(len(self.dest_country))
        by_country = gdp_term(
            self.gdp, sim.calendar.date_of(day), int(p["choice_gdp_reference_year"])
        )
        return p["choice_gdp_weight"] * by_country[self.dest_country]

    def refresh(self, sim: Simulation, day: int) -> None:
        diaspora = sim.current[PRESENT, self.dest_country].astype(np.float64) * sim.scale
        utility = self.static_utility + self.economy_utility(sim, day)
        weight = sim.parameters["choice_crowding_weight"]
        if weight != 0.0 and sim.scenario.host_population:
            population = host_population(self.population, sim.calendar.date_of(day))
            utility = utility + crowding_utility(diaspora, population[self.dest_country], weight)
        penalty = entry_penalty(
            sim.apprehension,
            sim.expulsion,
            sim.irregular_status,
            sim.parameters["choice_irregular_status_weight"],
        )
        entry = None
        if (penalty > 0).any():
            entry = entry_utility(sim.routing.irregular_entry, self.dest_country, penalty)
        score = choice_scores(
            sim.routing.cost, sim.world.destinations, utility, diaspora, sim.parameters, entry
        )
        sim.choice, sim.choice_value = cdf_and_value(score)
        sim.choice_stale = False

    def start_step(self, sim: Simulation, day: int) -> None:
        if sim.levers.apply("destination_attraction", day):
            self.static(sim)
            sim.choice_stale = True

    def step(self, sim: Simulation, day: int) -> None:
        if sim.choice_stale or day % self.every == 0:
            self.refresh(sim, day)
