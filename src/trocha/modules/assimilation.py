"""Forecasting from the observed state: on the day after the forecast's origin, settled migrants
are moved between hosts so that the hosts' shares of the emigrants they hold match the stocks
observed on that date.

A model run from 2014 reaches its forecast origin with the errors of six years of simulation in
its state (a host 20% too full, an island twice as full); a forecast from that state carries them
forward and adds its own. Forecasters start from the observed state instead (data assimilation:
the state is re-estimated from the data at the origin, then the model moves it on). Only where
the emigrants are is re-estimated, not how many: the model's total is kept (people are
conserved; the world total is fitted by the calibration), and only settled migrants move, with
their money and documents, so travellers, victims and the organisations are untouched. Which
settled migrants move, and to which city of the receiving host (in proportion to the people the
model already has in each of its cities), is drawn from the run's own random stream.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ..codes import SETTLED
from ..kernels.counters import LOC_PRESENT, PRESENT
from ..rng import generator
from .base import NEVER, Module

if TYPE_CHECKING:
    from ..scenario.loader import Scenario
    from ..simulation import Simulation

# An observation older than this before the origin says too little about the state there.
MAX_AGE_DAYS = 366


def observed_stocks(scenario: Scenario, origin: dt.date) -> dict[str, float]:
    """The latest host stock observed in the year up to `origin`, by host country: calibration
    rows of `migrant_stock` that are single estimates (not bounds, intervals or flows) of a
    country with destination cities."""
    hosts = {c.iso3 for c in scenario.countries if c.role == "host"}
    with_cities = {loc.country for loc in scenario.locations if loc.kind == "city"} & hosts
    latest: dict[str, tuple[dt.date, float]] = {}
    for row in scenario.targets:
        if (
            row.metric != "migrant_stock"
            or row.role != "calibration"
            or row.bound != "estimate"
            or row.start_date is not None
            or row.value_high is not None
            or row.country not in with_cities
            or not (0 <= (origin - row.date).days < MAX_AGE_DAYS)
        ):
            continue
        if row.country not in latest or row.date > latest[row.country][0]:
            latest[row.country] = (row.date, float(row.value))
    return {code: value for code, (_, value) in sorted(latest.items())}


def split(total: int, weights: np.ndarray) -> np.ndarray:
    """`total` whole agents split in proportion to `weights` (largest remainders, so they sum to
    `total` exactly; all zero without weight)."""
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def rebalance(sim: Simulation, stocks: dict[str, float], rng: np.random.Generator) -> dict:
    """Move settled agents from hosts above their observed share to hosts below it; returns the
    agents moved out of (negative) and into (positive) each host."""
    w = sim.world
    hosts = list(stocks)
    countries = np.array([w.country_codes.index(c) for c in hosts], dtype=np.int64)
    observed = np.array(list(stocks.values()), dtype=np.float64)
    present = sim.current[PRESENT, countries].astype(np.int64)
    # The model's total over the observed hosts, split in the observed shares.
    change = split(int(present.sum()), observed) - present
    table = sim.people.table[: sim.people.count]
    settled = np.flatnonzero(table["state"] == SETTLED)
    settled_country = w.location_country[table["location"][settled]]
    movers = []
    for i in np.flatnonzero(change < 0):
        here = settled[settled_country == countries[i]]
        take = min(len(here), -int(change[i]))
        movers.append(rng.choice(here, size=take, replace=False) if take else here[:0])
        change[i] = -take
    movers = np.concatenate(movers) if movers else np.zeros(0, dtype=np.int64)
    rng.shuffle(movers)
    # The receiving hosts share the movers in proportion to what they lack (all of it when
    # enough settled agents could leave the others).
    gets = split(len(movers), np.maximum(change, 0).astype(np.float64))
    start = 0
    for i in np.flatnonzero(gets > 0):
        n = int(gets[i])
        places = _cities_of(sim, int(countries[i]))
        weights = sim.location_counts[LOC_PRESENT, places].astype(np.float64)
        if weights.sum() <= 0:
            weights = w.location_population[places].astype(np.float64) + 1.0
        to = places[rng.choice(len(places), size=n, p=weights / weights.sum())]
        _move(sim, movers[start : start + n], to)
        start += n
    return {c: int(gets[i]) if gets[i] > 0 else int(min(change[i], 0)) for i, c in enumerate(hosts)}


def _cities_of(sim: Simulation, country: int) -> np.ndarray:
    w = sim.world
    destinations = np.asarray(w.destinations)
    return destinations[w.location_country[destinations] == country]


def _move(sim: Simulation, agents: np.ndarray, to: np.ndarray) -> None:
    """Settled agents to new cities, with the counters of people present."""
    w = sim.world
    table = sim.people.table
    here = table["location"][agents].astype(np.int64)
    np.add.at(sim.current[PRESENT], w.location_country[here], -1)
    np.add.at(sim.current[PRESENT], w.location_country[to], 1)
    np.add.at(sim.location_counts[LOC_PRESENT], here, -1)
    np.add.at(sim.location_counts[LOC_PRESENT], to, 1)
    table["location"][agents] = to
    table["destination"][agents] = to


class StockAssimilation(Module):
    """Re-estimates where the emigrants are from the stocks observed on `origin` (people by
    host country), at the start of the next day."""

    name = "assimilation"

    def __init__(self, origin: dt.date, stocks: dict[str, float]):
        self.origin = origin
        self.stocks = dict(stocks)
        self.moved: dict[str, int] = {}

    def init(self, sim: Simulation) -> None:
        unknown = sorted(set(self.stocks) - set(sim.world.country_codes))
        if unknown:
            raise ValueError(f"observed stocks for countries not in the scenario: {unknown}")
        self.day = (self.origin - sim.start).days + 1

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Moving settled migrants changes nothing a traveller's hop reads."""
        return NEVER

    def start_step(self, sim: Simulation, day: int) -> None:
        if day != self.day or not self.stocks:
            return
        self.moved = rebalance(sim, self.stocks, generator(sim.seed, "assimilation", day))
        sim.choice_stale = True
