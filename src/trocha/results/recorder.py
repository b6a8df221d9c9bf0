"""Recorder: copies the counters into preallocated daily (and weekly, per place) arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..kernels.counters import N_CURRENT, N_DAILY, N_LOCATION
from ..modules.base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation

LOCATION_EVERY_DAYS = 7


class Recorder(Module):
    name = "recorder"

    def init(self, sim: Simulation) -> None:
        nc, nl = sim.world.n_countries, sim.world.n_locations
        self.current = np.zeros((sim.n_days, N_CURRENT, nc), dtype=np.int64)
        self.daily = np.zeros((sim.n_days, N_DAILY, nc), dtype=np.int64)
        self.location_days = np.arange(0, sim.n_days, LOCATION_EVERY_DAYS)
        self.locations = np.zeros((len(self.location_days), N_LOCATION, nl), dtype=np.int64)

    def step(self, sim: Simulation, day: int) -> None:
        self.current[day] = sim.current
        self.daily[day] = sim.daily
        if day % LOCATION_EVERY_DAYS == 0:
            self.locations[day // LOCATION_EVERY_DAYS] = sim.location_counts
        sim.cumulative += sim.daily
        sim.daily[:] = 0
