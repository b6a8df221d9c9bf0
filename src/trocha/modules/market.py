"""The smuggling market: who controls each irregular crossing, what it costs, and travel packages.

Trocha fees respond to the official alternative and to demand: a fee moves each week towards
    base x closure multiplier ^ (share of migrants the official crossings turn away)
         x (recent crossings / past year's average) ^ elasticity  [x markup if a gang controls it]
bounded by base x [0.5, max multiplier] (prices.csv: a few dollars normally, several-fold under the
2019-2020 closures). Organisations that sell packages sell them to people leaving the origin
regions, where they operate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..codes import CROSSING_IRREGULAR, CROSSING_OFFICIAL
from ..kernels.counters import IRREGULAR
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation

WEEKS_RECENT, WEEKS_REFERENCE = 4, 52


class Market(Module):
    name = "market"
    parameters = ("market", "exodus")
    requires = ("routing",)
    columns: ClassVar = {"package": np.int8}  # 1 + organisation whose package the agent bought
    streams = ("market.package", "market.drug_carrying")

    def kernel_rules(self, sim: Simulation) -> dict[str, float]:
        names = (
            "package_take_up",
            "package_price_multiplier",
            "drug_carry_probability",
            "drug_carry_value_usd",
        )
        return {n: sim.parameters[n] for n in names}

    def init(self, sim: Simulation) -> None:
        eco, w, p = sim.economy, sim.world, sim.parameters
        self.irregular = np.flatnonzero(w.link_crossing == CROSSING_IRREGULAR)
        country = w.location_country
        self.entry_country = country[w.link_to]
        official = np.flatnonzero(w.link_crossing == CROSSING_OFFICIAL)
        # The official links that are the alternative to each irregular link (same two countries).
        self.alternatives = {
            int(link): official[
                (country[w.link_from[official]] == country[w.link_from[link]])
                & (country[w.link_to[official]] == country[w.link_to[link]])
            ]
            for link in self.irregular
        }
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
        self.weekly_entries: list[np.ndarray] = []
        self.routed_fees = eco.link_fee.copy()

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
        self._packages(sim, day)
        if day % 7 == 0:
            self._update_fees(sim)

    def _packages(self, sim: Simulation, day: int) -> None:
        """Packages are sold to people leaving, in the origin regions of a gang present there."""
        eco, w = sim.economy, sim.world
        eco.package_org[:] = -1
        for org in np.flatnonzero(eco.gangs()):
            if eco.packages_day[org] > day or eco.founded_day[org] > day:
                continue
            if eco.cell[org][w.location_country == w.origin_country].any():
                eco.package_org[w.origins] = org

    def _update_fees(self, sim: Simulation) -> None:
        eco, p = sim.economy, sim.parameters
        entries = sim.cumulative[IRREGULAR] + sim.daily[IRREGULAR]
        self.weekly_entries.append(entries.astype(np.float64))
        history = self.weekly_entries
        recent = history[-1] - history[max(0, len(history) - 1 - WEEKS_RECENT)]
        span = min(len(history) - 1, WEEKS_REFERENCE)
        reference = (history[-1] - history[-1 - span]) * WEEKS_RECENT / span if span else recent
        demand = np.clip((recent + 1.0) / (reference + 1.0), 0.5, 2.0)
        allowed = sim.borders_allowed
        gang = eco.gangs()
        for link in self.irregular:
            alternatives = self.alternatives[int(link)]
            if len(alternatives):
                blocked = ~allowed[:, alternatives].any(axis=1)
                blocked_share = float(self.class_share @ blocked)
            else:
                blocked_share = 0.0
            base = eco.link_base_fee[link]
            target = base * p["fee_closure_multiplier"] ** blocked_share
            target *= demand[self.entry_country[link]] ** p["fee_demand_elasticity"]
            controller = eco.link_controller[link]
            if controller >= 0 and gang[controller]:
                target *= p["gang_fee_markup"]
            target = np.clip(target, 0.5 * base, p["fee_max_multiplier"] * base)
            eco.link_fee[link] += p["fee_adjust_share_week"] * (target - eco.link_fee[link])
        moved = np.abs(eco.link_fee - self.routed_fees) > p["reroute_fee_change"] * np.maximum(
            self.routed_fees, 1e-9
        )
        if moved[self.irregular].any():
            sim.reroute(new_regimes=False)
            self.routed_fees = eco.link_fee.copy()
