"""Recorder: copies the counters into preallocated daily (and weekly, per place) arrays.

It only reads the model's state; closing the day's counters is `Simulation.finish_day`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..codes import CROSSING_IRREGULAR
from ..kernels.counters import N_CURRENT, N_DAILY, N_LOCATION
from ..modules.base import NEVER, Module
from ..world.graph import MODES
from .tables import METRICS

if TYPE_CHECKING:
    from ..simulation import Simulation

LOCATION_EVERY_DAYS = 7


class Recorder(Module):
    name = "recorder"
    provides = ("results",)
    metrics = tuple(METRICS)  # the standard timeseries (results/tables.py)

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Records only."""
        return NEVER

    def init(self, sim: Simulation) -> None:
        nc, nl = sim.world.n_countries, sim.world.n_locations
        self.current = np.zeros((sim.n_days, N_CURRENT, nc), dtype=np.int64)
        self.daily = np.zeros((sim.n_days, N_DAILY, nc), dtype=np.int64)
        self.location_days = np.arange(0, sim.n_days, LOCATION_EVERY_DAYS)
        self.locations = np.zeros((len(self.location_days), N_LOCATION, nl), dtype=np.int64)
        # Link use (cumulative agents) on the weekly days and on the last day.
        self.link_days = np.unique(np.append(self.location_days, sim.last_day))
        self.link_use = np.zeros((len(self.link_days), len(sim.world.link_from)), dtype=np.int64)
        eco = sim.economy
        n_org = eco.n_orgs
        self.revenue = np.zeros((sim.n_days, n_org, eco.revenue.shape[1]))
        self.ledger = np.zeros((sim.n_days, n_org + 1, eco.ledger.shape[1]))
        self.members = np.zeros((sim.n_days, n_org, nc))
        self.cells = np.zeros((sim.n_days, n_org, nc), dtype=np.int64)
        self.fees = np.full((sim.n_days, nc + 1), np.nan)
        self.arrests = np.zeros((sim.n_days, nc))
        w = sim.world
        self._irregular = np.flatnonzero(w.link_crossing == CROSSING_IRREGULAR)
        self._entry = w.location_country[w.link_to[self._irregular]]
        # Entries by international flight, by country entered: the daily change of those links'
        # use (counted when the traveller sets out, as official_crossings is).
        into = w.location_country[w.link_to]
        abroad = w.location_country[w.link_from] != into
        self._flights = np.flatnonzero((w.link_mode == MODES.index("air")) & abroad)
        self._flight_country = into[self._flights]
        self._flights_seen = np.zeros(len(self._flights), dtype=np.int64)
        self.air_entries = np.zeros((sim.n_days, nc), dtype=np.int64)

    def update_results(self, sim: Simulation, day: int) -> None:
        self.current[day] = sim.current
        self.daily[day] = sim.daily
        if day % LOCATION_EVERY_DAYS == 0:
            self.locations[day // LOCATION_EVERY_DAYS] = sim.location_counts
        if day % LOCATION_EVERY_DAYS == 0 or day == sim.last_day:
            self.link_use[np.searchsorted(self.link_days, day)] = sim.link_use
        if len(self._flights):
            flown = sim.link_use[self._flights]
            self.air_entries[day] = np.bincount(
                self._flight_country,
                flown - self._flights_seen,
                minlength=len(self.air_entries[day]),
            )
            self._flights_seen = flown  # fancy indexing made it a copy
        self._economy(sim, day)

    def _economy(self, sim: Simulation, day: int) -> None:
        eco, w = sim.economy, sim.world
        self.ledger[day] = eco.ledger
        self.arrests[day] = sim.arrests
        if len(self._irregular):
            # Mean fee weighted by how much each crossing has been used so far (the fee on the
            # routes migrants take, not on trails nobody walks).
            fee = eco.link_fee[self._irregular]
            weight = eco.link_crossings[self._irregular] + 1.0
            sums = np.bincount(self._entry, weights=fee * weight, minlength=w.n_countries)
            totals = np.bincount(self._entry, weights=weight, minlength=w.n_countries)
            with np.errstate(invalid="ignore", divide="ignore"):
                self.fees[day, :-1] = sums / totals
            self.fees[day, -1] = (fee * weight).sum() / weight.sum()
        if eco.n_orgs == 0:
            return
        self.revenue[day] = eco.revenue
        # Members and cells by (organisation, country): one bincount over the flattened
        # [organisation, place] arrays (each bin adds its places in the same order as a bincount
        # per organisation did, so the sums are the same to the last bit).
        n = eco.n_orgs * w.n_countries
        by_org = self._org_country_bins(eco.n_orgs, w)
        members = np.bincount(by_org, weights=eco.members.reshape(-1), minlength=n)
        self.members[day] = members.reshape(eco.n_orgs, w.n_countries)
        cells = np.bincount(by_org, weights=eco.cell.reshape(-1), minlength=n)
        self.cells[day] = cells.reshape(eco.n_orgs, w.n_countries)

    def _org_country_bins(self, n_orgs: int, w) -> np.ndarray:
        """Bin (organisation x countries + country) of each [organisation, place] entry."""
        bins = getattr(self, "_bins", None)
        if bins is None or len(bins) != n_orgs * w.n_locations:
            org = np.repeat(np.arange(n_orgs), w.n_locations)
            bins = org * w.n_countries + np.tile(w.location_country, n_orgs)
            self._bins = bins
        return bins
