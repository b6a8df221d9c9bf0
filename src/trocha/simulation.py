"""The Simulation: owns a scenario, its arrays and random streams (no global state)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np

from . import __version__
from .codes import CROSSING_IRREGULAR
from .economy import build_economy
from .kernels.choice import Choice
from .kernels.counters import N_CURRENT, N_DAILY, N_LOCATION, Counters
from .loop import run_loop
from .modules.base import Module
from .modules.borders import Borders
from .modules.destinations import Destinations
from .modules.enforcement import Enforcement
from .modules.exodus import Exodus
from .modules.exploitation import Exploitation
from .modules.interventions import Interventions
from .modules.journeys import Journeys
from .modules.market import Market
from .modules.organisation import Organisations
from .people import CORE_COLUMNS, People, agent_dtype
from .results.recorder import Recorder
from .results.tables import Result, build_result
from .rng import stream_keys
from .scenario.loader import Scenario
from .world.graph import build_world
from .world.routing import compute_routing, link_costs


class Simulation:
    """One seeded run of a scenario. `scale` people are represented by one agent."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 1,
        scale: int | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        interventions: list | None = None,
    ):
        self.scenario = scenario
        self.seed = int(seed)
        self.scale = int(scale if scale is not None else scenario.spec.default_scale)
        if self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        if self.scale < 1:
            raise ValueError(f"scale must be a positive integer (people per agent), got {scale}")
        self.start = _as_date(start, "start") or scenario.spec.start
        self.end = _as_date(end, "end") or scenario.spec.end
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        years = {r.year for r in scenario.push_factors}
        for bound in (self.start, self.end):
            if bound.year not in years:
                raise ValueError(
                    f"{bound} is outside the years of {scenario.name}'s push_factors.csv "
                    f"({min(years)}-{max(years)}); choose dates within them"
                )
        self.parameters = dict(scenario.parameters)
        self.n_days = (self.end - self.start).days + 1
        self.last_day = self.n_days - 1
        self.world = build_world(scenario)
        nc, nl = self.world.n_countries, self.world.n_locations
        self.current = np.zeros((N_CURRENT, nc), dtype=np.int64)
        self.daily = np.zeros((N_DAILY, nc), dtype=np.int64)
        self.cumulative = np.zeros((N_DAILY, nc), dtype=np.int64)
        self.location_counts = np.zeros((N_LOCATION, nl), dtype=np.int64)
        self.queue_head = np.full(self.n_days + 1, -1, dtype=np.int32)
        pool = self.parameters["exodus_pool_share"] * max(
            r.population for r in scenario.push_factors
        )
        self._pool_agents = int(pool / self.scale * 0.8) + 1024
        self.routing = None
        self.routing_version = 0
        self.reroutes = 0
        self.borders_allowed = None
        self.economy = build_economy(self)
        self.choice = None
        self.choice_stale = True
        self.events_handled = 0  # agent events handled by the journeys kernel
        self.initial_emigrants = 0  # agents already abroad on day 0 (initial_stock.csv)
        self.events: list[tuple[int, str, str, str, str]] = []
        self.policing = np.zeros(self.world.n_countries)
        self.corruption = np.zeros(self.world.n_countries)
        self.arrests = np.zeros(self.world.n_countries)  # members arrested so far, by country
        # Levers that interventions pull (1 = as in the data).
        self.policing_multiplier = np.ones(self.world.n_countries)
        self.corruption_multiplier = np.ones(self.world.n_countries)
        self.identification_multiplier = np.ones(self.world.n_countries)
        self.active_regularisations: list = []
        self.link_overrides: list[tuple[int, int, np.ndarray, tuple[bool, ...]]] = []
        self.economy_changed = False  # set by an intervention: refresh recruitment and exits today
        self.interventions = [*scenario.interventions, *(interventions or [])]
        for intervention in self.interventions:
            try:
                intervention.setup(self)
            except ValueError as problem:
                raise ValueError(f"intervention {intervention.kind}: {problem}") from None
        self.modules: list[Module] = [
            Interventions(),
            Borders(),
            Market(),
            Organisations(),
            Enforcement(),
            Exploitation(),
            Destinations(),
            Exodus(),
            Journeys(),
            Recorder(),
        ]
        # The people table's record type and the random streams, from the modules' declarations.
        dtype, fills = agent_dtype([CORE_COLUMNS, *(m.columns for m in self.modules)])
        self.people = People(self._pool_agents, dtype, fills)
        self.keys = stream_keys(self.seed, [s for m in self.modules for s in m.streams])
        self._rules: np.void | None = None
        self._ran = False

    @property
    def rules(self) -> np.void:
        """Named numbers the kernels read (`rules.<name>`), from every module's `kernel_rules`.

        Built on first use, i.e. after the modules' `init`.
        """
        if self._rules is None:
            values: dict[str, float] = {}
            for module in self.modules:
                values.update(module.kernel_rules(self))
            record = np.zeros(1, dtype=[(n, np.float64) for n in values])[0]
            for name, value in values.items():
                record[name] = value
            self._rules = record
        return self._rules

    def link_prices(self) -> np.ndarray:
        """What each link costs a migrant now: fares, and the current fee at irregular crossings."""
        w = self.world
        return np.where(w.link_crossing == CROSSING_IRREGULAR, self.economy.link_fee, w.link_cost)

    def reroute(self, new_regimes: bool) -> None:
        """Recompute routing tables; after a regime change travellers reconsider destinations."""
        prices = self.link_prices()
        self.routing = compute_routing(
            self.world,
            link_costs(self.world, self.parameters, prices),
            self.borders_allowed,
            self.parameters["living_cost_usd_day"],
            prices,
        )
        self.reroutes += 1
        if new_regimes:
            self.routing_version += 1
            if self.routing_version >= 2**15:  # agents keep it as int16
                raise RuntimeError("more than 32767 border regime versions in one run")
        self.choice_stale = True

    def counters(self) -> Counters:
        """The counter arrays the kernels update."""
        return Counters(self.queue_head, self.current, self.daily, self.location_counts)

    def choice_arrays(self) -> Choice:
        """Destination-choice and routing arrays as the kernels read them."""
        return Choice(
            self.choice, self.world.destinations, self.routing.trip_cost, self.routing.next_link
        )

    def run(self, progress: Callable[[int], None] | None = None) -> Result:
        """Simulate every day from start to end and return the output tables."""
        if self._ran:
            raise RuntimeError("a Simulation runs once; create a new one to run again")
        self._ran = True
        t0 = time.perf_counter()
        init_seconds = {}
        for module in self.modules:
            t = time.perf_counter()
            module.init(self)
            init_seconds[module.name] = time.perf_counter() - t
        step_seconds = run_loop(self, self.modules, progress)
        timings = {
            "init_seconds": init_seconds,
            "step_seconds": step_seconds,
            "total_seconds": time.perf_counter() - t0,
        }
        return build_result(self, timings)


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2020-12-31, got {value!r}") from None


__all__ = ["Simulation", "__version__"]
