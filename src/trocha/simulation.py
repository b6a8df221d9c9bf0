"""The Simulation: owns a scenario, its arrays and random streams (no global state)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import __version__
from .bounds import check_dates, check_scale, check_seed
from .calendar import Calendar
from .codes import CROSSING_IRREGULAR
from .economy import build_economy
from .engine import Engine, as_date
from .kernels.choice import Choice
from .kernels.counters import N_CURRENT, N_DAILY, N_LOCATION, Counters
from .levers import Levers
from .modules.base import Module, next_of
from .modules.plan import check_modules, default_modules
from .people import CORE_COLUMNS, People, agent_dtype
from .results.tables import METRICS, Result, build_result
from .rng import stream_keys
from .scenario.loader import Scenario
from .world.graph import build_world
from .world.means import fare_weights, n_means, route_class_allowed
from .world.routing import compute_routing, link_costs


class Simulation(Engine):
    """One seeded run of a scenario. `scale` people are represented by one agent."""

    standard_metrics = METRICS

    def __new__(cls, scenario=None, *args, **kwargs):
        if type(scenario).__module__.startswith("trocha.flee."):  # an imported Flee scenario
            from .flee.engine import FleeSimulation

            return FleeSimulation(scenario, *args, **kwargs)
        return super().__new__(cls)

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 1,
        scale: int | None = None,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        interventions: list | None = None,
        modules: list[Module] | None = None,
    ):
        """`modules`: fresh module instances in the order they run (default: the model's list,
        `trocha.modules.plan.default_modules()`); a list whose needs are unmet is refused.
        An imported Flee scenario gives a FleeSimulation (the flee modules, the same Engine)."""
        self.scenario = scenario
        self.seed = check_seed(seed)
        self.scale = check_scale(
            scale if scale is not None else scenario.spec.default_scale, scenario
        )
        start_date = as_date(start, "start") or scenario.spec.start
        end_date = as_date(end, "end") or scenario.spec.end
        check_dates(scenario, start_date, end_date)
        self.calendar = Calendar(start_date, end_date)
        self.start, self.end = self.calendar.start, self.calendar.end
        _check_start(scenario, self.start)
        self.parameters = dict(scenario.parameters)
        self.n_days = self.calendar.n_days
        self.last_day = self.calendar.last_day
        self.world = build_world(scenario)
        nc, nl = self.world.n_countries, self.world.n_locations
        self.current = np.zeros((N_CURRENT, nc), dtype=np.int64)
        self.daily = np.zeros((N_DAILY, nc), dtype=np.int64)
        self.cumulative = np.zeros((N_DAILY, nc), dtype=np.int64)
        self.location_counts = np.zeros((N_LOCATION, nl), dtype=np.int64)
        self.queue_head = np.full(self.n_days + 1, -1, dtype=np.int32)
        self.link_use = np.zeros(len(self.world.link_from), dtype=np.int64)  # agents, cumulative
        # USD of generalised cost that route information takes off each link (journeys module).
        self.route_information = np.zeros(len(self.world.link_from))
        # [route class] weight of a dollar of fare (world/means.py); None without a means tier.
        self.fare_weights = fare_weights(self.parameters) if n_means(self.parameters) > 1 else None
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
        self.choice_value = None  # [route class, place] logsum of the choice (destinations.py)
        self.choice_stale = True
        self.events_handled = 0  # agent events handled by the journeys kernel
        self.initial_emigrants = 0  # agents already abroad on day 0 (initial_stock.csv)
        self.events: list[tuple[int, str, str, str, str]] = []
        # Host policies by country (modules/host_policies.py): premium of staying over moving
        # on, share of irregular entrants met at the border, share of those expelled.
        self.stay_utility = np.zeros(self.world.n_countries)
        self.apprehension = np.zeros(self.world.n_countries)
        self.expulsion = np.zeros(self.world.n_countries)
        self.irregular_status = np.zeros(self.world.n_countries)  # share left without status
        self.parole_left = np.zeros(self.world.n_countries)  # agents, this month
        self.lockdown = np.zeros(self.world.n_countries)  # share under a stay-at-home order
        # Share of a settled migrant's slow events that are a return home (modules/journeys.py).
        self.return_share = np.zeros(self.world.n_countries)
        self.policing = np.zeros(self.world.n_countries)
        self.corruption = np.zeros(self.world.n_countries)
        self.arrests = np.zeros(self.world.n_countries)  # members arrested so far, by country
        # Arrays behind the enforcement module's levers (1 = as in the data).
        self.policing_multiplier = np.ones(self.world.n_countries)
        self.corruption_multiplier = np.ones(self.world.n_countries)
        self.identification_multiplier = np.ones(self.world.n_countries)
        self.economy_changed = False  # a lever changed today: refresh recruitment and exits today
        self.recorded: dict[str, list[tuple[int, str, float]]] = {}  # `record`ed metrics
        self.modules: list[Module] = default_modules() if modules is None else list(modules)
        w = self.world
        self.levers = Levers(
            {"country": w.n_countries, "place": w.n_locations, "link": len(w.link_from)}
        )
        check_modules(self.modules, self.levers)
        self.interventions = [*scenario.interventions, *(interventions or [])]
        if self.interventions and not any(m.name == "interventions" for m in self.modules):
            raise ValueError("interventions need the interventions module in the module list")
        for intervention in self.interventions:
            try:
                first, last = intervention.days(self)
                for effect in intervention.effects(self):
                    self.levers.schedule(effect, first, last)
            except ValueError as problem:
                raise ValueError(f"intervention {intervention.kind}: {problem}") from None
        # The people table's record type and the random streams, from the modules' declarations.
        # The model's kernels serve several modules at once (the journeys kernel also sells
        # packages and recruits victims), so a subset of the modules still gets every declared
        # column, stream and rule of the default ones.
        self._kernel_modules = _with_default_declarations(self.modules)
        dtype, fills = agent_dtype([CORE_COLUMNS, *(m.columns for m in self._kernel_modules)])
        self.people = People(self._pool_agents, dtype, fills)
        self.keys = stream_keys(self.seed, [s for m in self._kernel_modules for s in m.streams])
        self._rules: np.void | None = None
        self._ran = False
        self._lever_days: list[int] | None = None  # quiet_until's lever change days

    def quiet_until(self, day: int) -> int:
        """The first day after `day` on which some input of a traveller's hop may change: the
        earliest of every module's `quiet_until` and the levers' change days (journeys take a
        traveller's hops before it in one event)."""
        if self._lever_days is None:
            self._lever_days = sorted(self.levers.all_change_days())
        horizon = min(m.quiet_until(self, day) for m in self.modules)
        return min(horizon, next_of(self._lever_days, day))

    def finish_day(self, day: int) -> None:
        """Close the day: today's counters go into the totals (the exodus reads both)."""
        self.cumulative += self.daily
        self.daily[:] = 0

    @property
    def rules(self) -> np.void:
        """Named numbers the kernels read (`rules.<name>`), from every module's `kernel_rules`.

        Built on first use, i.e. after the modules' `init`.
        """
        if self._rules is None:
            values: dict[str, float] = {}
            for module in self._kernel_modules:
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
            link_costs(
                self.world, self.parameters, prices, self.route_information, self.fare_weights
            ),
            route_class_allowed(self.borders_allowed, self.parameters),
            self.parameters["living_cost_usd_day"],
            prices,
            self.parameters["route_choice_scale_usd"],
        )
        self.reroutes += 1
        if new_regimes:
            self.routing_version += 1
            if self.routing_version >= 2**15:  # agents keep it as int16
                raise RuntimeError("more than 32767 border regime versions in one run")
        self.choice_stale = True

    def counters(self) -> Counters:
        """The counter arrays the kernels update."""
        return Counters(
            self.queue_head, self.current, self.daily, self.location_counts, self.link_use
        )

    def choice_arrays(self) -> Choice:
        """Destination-choice and routing arrays as the kernels read them."""
        r = self.routing
        return Choice(
            self.choice,
            self.world.destinations,
            r.trip_cost,
            r.next_link,
            self.stay_utility,
            self.apprehension,
            self.expulsion,
            self.parole_left,
            self.return_share,
            r.route_cdf,
            r.out_start,
            r.out_links,
        )

    def results(self, timings: dict) -> Result:
        """The output tables from the recorder (Engine.run calls this after the last day)."""
        return build_result(self, timings)


def _check_start(scenario: Scenario, start: dt.date) -> None:
    """Refuse a later start the data cannot support: initial_stock.csv is the stock of emigrants
    abroad on the scenario's start date, and nothing gives it on a later date. (Dated rules need no
    check: the Calendar puts those dated before the run in force on day 0.)"""
    first = scenario.spec.start
    if start > first and scenario.initial_stock:
        raise ValueError(
            f"start {start} is after {scenario.name}'s start {first}, but its initial_stock.csv "
            f"gives the emigrants abroad on {first} only; start on {first} and read the results "
            f"from {start} on, or use a scenario whose start is {start} and whose "
            "initial_stock.csv gives the stock on that day"
        )


__all__ = ["Simulation", "__version__"]


def _with_default_declarations(modules: list[Module]) -> list[Module]:
    """`modules`, then fresh default modules of the kinds missing from them (only their
    declarations are read: they never run)."""
    present = {type(m) for m in modules}
    return [*modules, *(m for m in default_modules() if type(m) not in present)]
