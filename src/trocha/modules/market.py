"""The smuggling market: who controls each irregular crossing, what it costs, travel packages and
forced drug carrying.

One fee rule prices every irregular crossing (ODD 7.7). Each week a fee moves a share of the way
towards
    base x closure multiplier ^ (share of migrants the official crossings turn away)
         x (recent irregular entries / past year's average) ^ elasticity
         x market power of the controller (gang markup, armed-group markup, 1 if nobody)
         x enforcement (policing in the entry country relative to the data's)
bounded by what the migrants who reach the crossing can pay: a quantile of the money left to the
people whose lognormal savings covered the cheapest way from the origin to the crossing (never
below the base fee). So a closure is priced while it lasts and a permanent visa requirement does
not become a permanent closure price beyond what anyone can pay.

Packages: an organisation that controls crossings earns the closure rent (fee above base) on the
migrants it passes itself. It starts selling packages when its expected yearly margin from that
rent (an exponentially weighted average of realised rent x clients) exceeds the cost of setting up
transport and lodging, and sells from then on (sunk investment) to people leaving the origin
regions where it has a cell, for destinations in countries where it has a cell or controls
crossings into, or one land border beyond (its network), at the trip's fares, living costs and
fees times a multiplier (the seed article: "$500 ... to Chile"; S69: USD 700-830).

Drugs: on the crossings of drug_routes.csv (the seed article: Bolivia), an organisation that
operates there (controls the crossing, or has a cell within `drug_reach_km` by road of either
end), or that transports the migrant as a package client, forces some migrants to carry drugs; a
carry pays the organisation unless the carrier is arrested (the load is seized and the carrier
detained).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.special import ndtr, ndtri

from ..codes import CROSSING_IRREGULAR, CROSSING_NONE, CROSSING_OFFICIAL, N_DOCUMENTS
from ..economy import NEVER
from ..kernels.counters import IRREGULAR
from ..world.graph import MODES
from .base import Module, next_of, next_week

if TYPE_CHECKING:
    from ..simulation import Simulation

WEEKS_RECENT, WEEKS_REFERENCE = 4, 52


def ability_to_pay(
    spent_usd: np.ndarray, median_usd: float, sigma: float, quantile: float
) -> np.ndarray:
    """USD left to the `quantile` migrant among those whose savings covered `spent_usd`.

    Savings are lognormal(log median, sigma); those who reach a place had savings above what the
    way there cost, so the quantile is taken in the truncated distribution, minus that cost.
    """
    spent = np.maximum(np.asarray(spent_usd, dtype=np.float64), 0.0)
    mu = np.log(median_usd)
    if sigma <= 0:
        return np.maximum(median_usd - spent, 0.0)
    with np.errstate(divide="ignore"):
        below = np.where(spent > 0, ndtr((np.log(spent) - mu) / sigma), 0.0)
    u = np.clip(below + quantile * (1.0 - below), 0.0, 1.0 - 1e-12)
    return np.maximum(np.exp(mu + sigma * ndtri(u)) - spent, 0.0)


def target_fee(
    base: float,
    refused_share: float,
    demand: float,
    markup: float,
    enforcement: float,
    cap: float,
    p: dict[str, float],
) -> float:
    """The fee a crossing's controller aims at this week (the module docstring's rule)."""
    closure = p["fee_closure_multiplier"] ** refused_share
    return float(
        _target_fees(base, closure, demand ** p["fee_demand_elasticity"], markup, enforcement, cap)
    )


def _target_fees(base, closure, demand_factor, markup, enforcement, cap):
    """`target_fee` elementwise, given its two powers (taken with the C library's pow, as for one
    crossing: NumPy's vectorised pow may differ in the last bit)."""
    target = base * closure
    target = target * (demand_factor * markup * enforcement)
    return np.clip(target, 0.5 * base, np.maximum(base, cap))


class Market(Module):
    name = "market"
    parameters = ("market", "exodus")
    requires = ("routing",)
    metrics = ("package_price_usd",)
    columns: ClassVar = {"package": np.int8}  # 1 + organisation whose package the agent bought
    streams = ("market.package", "market.drug_carrying")

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        names = (
            "package_take_up",
            "drug_carry_probability",
            "drug_carry_value_usd",
            "drug_carrier_arrest_probability",
            "drug_detention_days",
        )
        return {n: sim.parameters[n] for n in names}

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Fees and drug operators change weekly, crossing controls on their dated days."""
        return min(next_week(day), next_of((start for start, *_ in self.controls), day))

    def init(self, sim: Simulation) -> None:
        eco, w, p = sim.economy, sim.world, sim.parameters
        self.irregular = np.flatnonzero(w.link_crossing == CROSSING_IRREGULAR)
        country = w.location_country
        self.entry_country = country[w.link_to]
        official = np.flatnonzero(w.link_crossing == CROSSING_OFFICIAL)
        # alternative[i, k]: official link `official[k]` joins the same two countries as
        # irregular link i, an alternative to it
        start, end = country[w.link_from], country[w.link_to]
        irregular = self.irregular[:, None]
        self.alternative = (
            (start[official] == start[irregular]) & (end[official] == end[irregular])
        ).astype(np.int64)
        self.alternative_links = official
        self.has_alternative = self.alternative.any(axis=1)
        passport, visa = p["passport_share"], p["visa_share"]
        self.class_share = np.array([1 - passport, passport - visa, visa])
        index = {name: i for i, name in enumerate(w.location_names)}
        self.controls = []
        for row in sorted(sim.scenario.crossing_controls, key=lambda r: r.date):
            a, b = index[row.from_], index[row.to]
            links = self.irregular[
                ((w.link_from[self.irregular] == a) & (w.link_to[self.irregular] == b))
                | ((w.link_from[self.irregular] == b) & (w.link_to[self.irregular] == a))
            ]
            controller = -1 if row.controller == "none" else eco.names.index(row.controller)
            self.controls.append((sim.calendar.in_force_from(row.date), links, controller, row))
        for row in sim.scenario.drug_routes:
            a, b = index[row.from_], index[row.to]
            pair = ((w.link_from == a) & (w.link_to == b)) | ((w.link_from == b) & (w.link_to == a))
            eco.link_drug_route[pair & (w.link_crossing != CROSSING_NONE)] = 1
        # Places from which a cell operates a drug-route link: within drug_reach_km by road or
        # river of either end (the network works along the corridor, not by air).
        surface = w.link_mode != MODES.index("air")
        n = w.n_locations
        km = np.full((n, n), np.inf)
        np.minimum.at(km, (w.link_from[surface], w.link_to[surface]), w.link_km[surface])
        a, b = np.nonzero(np.isfinite(km))
        road = dijkstra(csr_matrix((km[a, b] + 1e-9, (a, b)), shape=(n, n)), directed=False)
        self.drug_reach = {
            int(link): np.flatnonzero(
                road[[w.link_from[link], w.link_to[link]]].min(axis=0) <= p["drug_reach_km"]
            )
            for link in np.flatnonzero(eco.link_drug_route)
        }
        # Countries joined by a surface border crossing.
        crossing = surface & (w.link_crossing != CROSSING_NONE)
        self.neighbours = np.zeros((w.n_countries, w.n_countries), dtype=bool)
        self.neighbours[country[w.link_from[crossing]], country[w.link_to[crossing]]] = True
        self.cap = ability_to_pay(
            self._cost_from_origins(sim)[w.link_from],
            p["savings_median_usd"],
            p["savings_sigma"],
            p["fee_ability_quantile"],
        )
        self.weekly_entries: list[np.ndarray] = []
        self.routed_fees = eco.link_fee.copy()
        self.base_policing: np.ndarray | None = None
        self.last_crossings = eco.link_crossings.copy()
        self.expected_margin = np.zeros(eco.n_orgs)  # USD/year from packages, expected
        self.package_inputs: tuple | None = None  # what the package offers were computed from
        # USD a client crossing its trochas pays over the base fee, expected (crossing-weighted).
        self.expected_rent = np.zeros(eco.n_orgs)
        self.selling = np.zeros(eco.n_orgs, dtype=bool)

    @staticmethod
    def _cost_from_origins(sim: Simulation) -> np.ndarray:
        """USD of the cheapest way (fares, base fees, living costs) from an origin to each place."""
        w, p = sim.world, sim.parameters
        days = np.maximum(1, (w.link_days + 0.5).astype(np.int64))
        spend = w.link_cost + p["living_cost_usd_day"] * days
        n = w.n_locations
        # The cheapest link between two places (a sparse matrix would add parallel links up).
        best = np.full((n, n), np.inf)
        np.minimum.at(best, (w.link_from, w.link_to), spend + 1e-9)
        a, b = np.nonzero(np.isfinite(best))
        graph = csr_matrix((best[a, b], (a, b)), shape=(n, n))
        return dijkstra(graph, directed=True, indices=w.origins).min(axis=0)

    def step(self, sim: Simulation, day: int) -> None:
        eco = sim.economy
        for start, links, controller, row in self.controls:
            if start == day:
                eco.link_controller[links] = controller
                who = row.controller if controller >= 0 else "nobody"
                sim.events.append(
                    (
                        day,
                        "crossing_control",
                        row.to,
                        sim.world.country_codes[
                            sim.world.location_country[sim.world.location_index(row.to)]
                        ],
                        f"{who} controls the trochas {row.from_} - {row.to} "
                        f"(source {row.source_id})",
                    )
                )
        if day % 7 == 0:
            self._update_fees(sim)
            self._package_margins(sim, day)
            self._drug_operators(sim)
        self._packages(sim, day)

    # Fees -------------------------------------------------------------------------------------

    def _update_fees(self, sim: Simulation) -> None:
        eco, p = sim.economy, sim.parameters
        entries = sim.cumulative[IRREGULAR] + sim.daily[IRREGULAR]
        self.weekly_entries.append(entries.astype(np.float64))
        history = self.weekly_entries
        recent = history[-1] - history[max(0, len(history) - 1 - WEEKS_RECENT)]
        span = min(len(history) - 1, WEEKS_REFERENCE)
        reference = (history[-1] - history[-1 - span]) * WEEKS_RECENT / span if span else recent
        demand = np.clip((recent + 1.0) / (reference + 1.0), 0.5, 2.0)
        policing = sim.policing * sim.policing_multiplier
        if self.base_policing is None:
            self.base_policing = policing.copy()
        weight = p["fee_enforcement_weight"]
        enforcement = (1 + weight * policing) / (1 + weight * self.base_policing)
        links = self.irregular
        # Share of emigrants (by document class) whom every official alternative refuses.
        allowed = sim.borders_allowed[:, self.alternative_links].astype(np.int64)
        blocked = ((allowed @ self.alternative.T) == 0) & self.has_alternative  # [class, link]
        # Scalar powers, as for one crossing: NumPy's vectorised pow may differ in the last bit.
        closure = [
            p["fee_closure_multiplier"] ** float(self.class_share @ blocked[:, i])
            for i in range(len(links))
        ]
        controller = eco.link_controller[links]
        held = controller >= 0
        gang = np.zeros(len(links), dtype=bool)
        gang[held] = eco.gangs()[controller[held]]
        markup = np.where(
            ~held, 1.0, np.where(gang, p["fee_markup_gang"], p["fee_markup_armed_group"])
        )
        entry = self.entry_country[links]
        demand_factor = np.array([d ** p["fee_demand_elasticity"] for d in demand.tolist()])
        target = _target_fees(
            eco.link_base_fee[links],
            np.array(closure),
            demand_factor[entry],
            markup,
            enforcement[entry],
            self.cap[links],
        )
        eco.link_fee[links] += p["fee_adjust_share_week"] * (target - eco.link_fee[links])
        moved = np.abs(eco.link_fee - self.routed_fees) > p["reroute_fee_change"] * np.maximum(
            self.routed_fees, 1e-9
        )
        if moved[self.irregular].any():
            sim.reroute(new_regimes=False)
            self.routed_fees = eco.link_fee.copy()

    # Packages ---------------------------------------------------------------------------------

    def _package_margins(self, sim: Simulation, day: int) -> None:
        """Update each organisation's expected package margin; start selling above the threshold."""
        eco, p = sim.economy, sim.parameters
        crossed = (eco.link_crossings - self.last_crossings) * float(sim.scale)
        self.last_crossings = eco.link_crossings.copy()
        rent = np.maximum(eco.link_fee - eco.link_base_fee, 0.0)
        memory = 1.0 / max(p["package_expectation_weeks"], 1.0)
        for org in range(eco.n_orgs):
            own = self.irregular[eco.link_controller[self.irregular] == org]
            # Clients it would pass itself, at the rent a package lets it keep, per year.
            earned = float((crossed[own] * rent[own]).sum())
            realised = 52.0 * p["package_take_up"] * earned
            self.expected_margin[org] += memory * (realised - self.expected_margin[org])
            clients = float(crossed[own].sum())
            if clients > 0:
                per_client = earned / clients
                self.expected_rent[org] += memory * (per_client - self.expected_rent[org])
            if (
                not self.selling[org]
                and eco.founded_day[org] <= day
                and (eco.packages_day[org] <= day or eco.packages_day[org] == NEVER)
                and self.expected_margin[org] > p["package_start_margin_usd_year"]
                and self.expected_rent[org] > p["package_start_rent_usd"]
            ):
                self.selling[org] = True
                sim.events.append(
                    (
                        day,
                        "packages",
                        "",
                        "",
                        f"{eco.names[org]} starts selling travel packages (expected margin "
                        f"USD {self.expected_margin[org]:,.0f} a year, "
                        f"USD {self.expected_rent[org]:,.0f} a client over the usual fee)",
                    )
                )

    def _packages(self, sim: Simulation, day: int) -> None:
        """Who sells packages at each origin, and at what price for each trip: recomputed on the
        days its inputs change (who sells, cells, crossing control, the routes), not daily."""
        eco, w, p = sim.economy, sim.world, sim.parameters
        inputs = (
            sim.reroutes,
            self.selling.tobytes(),
            eco.cell.tobytes(),
            eco.link_controller.tobytes(),
        )
        if inputs == self.package_inputs:
            return
        self.package_inputs = inputs
        eco.package_org[:] = -1
        eco.package_price[:] = 0.0
        origin_country = w.location_country == w.origin_country
        dest_country = w.location_country[w.destinations]
        trip_cost = sim.routing.trip_cost[:N_DOCUMENTS]  # the budget tier's routes
        for org in np.flatnonzero(self.selling):
            cells = eco.cell[org]
            if not cells[origin_country].any():
                continue
            # Its network: countries where it has cells or controls crossings into, and the
            # countries one land border beyond (its drivers hand clients over at the border).
            own = self.irregular[eco.link_controller[self.irregular] == org]
            present = np.zeros(w.n_countries, dtype=bool)
            present[w.location_country[cells]] = True
            present[self.entry_country[own]] = True
            beyond = self.neighbours[present].any(axis=0)
            network = (present | beyond)[dest_country]
            network &= dest_country != w.origin_country
            for place in w.origins:
                if eco.package_org[place] >= 0:
                    continue
                eco.package_org[place] = org
                price = trip_cost[:, place, :] * p["package_price_multiplier"]
                eco.package_price[:, place, :] = np.where(
                    network[None, :] & np.isfinite(price), price, 0.0
                )

    def update_results(self, sim: Simulation, day: int) -> None:
        if day % 7 == 0 and self.selling.any():
            offered = sim.economy.package_price[sim.economy.package_price > 0]
            if offered.size:
                sim.record("package_price_usd", day, float(np.median(offered)))

    # Drugs ------------------------------------------------------------------------------------

    def _drug_operators(self, sim: Simulation) -> None:
        """The organisation operating on each drug-route link: its controller, else the first
        one (table order) with a cell within drug_reach_km of an end."""
        eco = sim.economy
        route = np.flatnonzero(eco.link_drug_route)
        eco.link_drug_org[:] = -1
        for link in route:
            controller = eco.link_controller[link]
            if controller >= 0:
                eco.link_drug_org[link] = controller
                continue
            present = np.flatnonzero(eco.cell[:, self.drug_reach[link]].any(axis=1))
            if present.size:
                eco.link_drug_org[link] = present[0]
