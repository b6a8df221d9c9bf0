"""The organisations: revenue, costs, members, cells, expansion, heat and manager rotation.

Organisations are aggregates (members per cell), not agents. Daily: revenue by stream (prison tax,
extortion, smuggling fees and packages and forced drug carrying from the ledger the journeys kernel
writes, exploitation from the victims held) and costs (members, bribes, package transport). Weekly:
profit buys new members; an organisation that expands opens a cell where many migrants are within
reach of its network (or an ally's) and policing is weak, taking over the irregular crossings there;
heat grows with victims and members and decays; past a threshold a cell's manager is rotated.
(Mechanisms from the seed article and InSight Crime's reports on Tren de Aragua.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..codes import CROSSING_IRREGULAR
from ..economy import (
    S_COST_BRIBES,
    S_COST_MEMBERS,
    S_COST_PACKAGES,
    S_COST_TRAFFICKING,
    S_DRUGS,
    S_EXPLOITATION,
    S_EXTORTION,
    S_PACKAGES,
    S_PRISON,
    S_SMUGGLING,
)
from ..kernels.counters import (
    L_CONFISCATED,
    L_DRUGS,
    L_FEES,
    L_PACKAGE_COSTS,
    L_PACKAGES,
    L_TRAFFICKING_COSTS,
    LOC_PRESENT,
    LOC_VICTIMS,
)
from ..rng import generator
from ..world.graph import KINDS, MODES
from .base import Module

if TYPE_CHECKING:
    from ..simulation import Simulation

SETTLEMENT_KINDS = (KINDS.index("city"), KINDS.index("border_town"))


class Organisations(Module):
    name = "organisation"
    parameters = ("organisation", "exploitation")

    def init(self, sim: Simulation) -> None:
        eco, w = sim.economy, sim.world
        self.last_ledger = eco.ledger.copy()
        n = w.n_locations
        # Road and river distance between places: networks spread along the corridor, not by air.
        surface = w.link_mode != MODES.index("air")
        graph = csr_matrix(
            (w.link_km[surface], (w.link_from[surface], w.link_to[surface])), shape=(n, n)
        )
        self.reach = dijkstra(graph, directed=True) <= sim.parameters["expansion_reach_km"]
        self.irregular = np.flatnonzero(w.link_crossing == CROSSING_IRREGULAR)
        self.revenue_history: list[tuple[int, np.ndarray]] = []
        self.last_expansion = np.full(eco.n_orgs, -(10**6))

    def step(self, sim: Simulation, day: int) -> None:
        if sim.economy.n_orgs == 0:
            return
        self._account(sim, day)
        eco = sim.economy
        for org in np.flatnonzero((eco.alliance_day == day) & (eco.ally >= 0)):
            sim.events.append(
                (
                    day,
                    "alliance",
                    "",
                    "",
                    f"{eco.names[org]} allies with {eco.names[eco.ally[org]]}",
                )
            )
        for org in np.flatnonzero(eco.smuggling_day == day):
            for place in np.flatnonzero(eco.cell[org]):
                self._take_crossings(sim, int(org), int(place), day)
        if day % 7 == 0:
            self._grow(sim, day)
            self._heat(sim, day)
            self._expand(sim, day)

    def _active(self, eco, day: int) -> np.ndarray:
        return eco.founded_day <= day

    def _account(self, sim: Simulation, day: int) -> None:
        eco, p, scale = sim.economy, sim.parameters, sim.scale
        delta = (eco.ledger - self.last_ledger)[: eco.n_orgs] * scale
        self.last_ledger = eco.ledger.copy()
        active = self._active(eco, day)
        output = np.where(eco.rotation_until >= day, 1 - p["rotation_output_loss"], 1.0)
        rev = np.zeros_like(eco.revenue)
        rev[:, S_SMUGGLING] = delta[:, L_FEES]
        rev[:, S_PACKAGES] = delta[:, L_PACKAGES]
        rev[:, S_DRUGS] = delta[:, L_DRUGS]
        rev[:, S_COST_PACKAGES] = delta[:, L_PACKAGE_COSTS]
        rev[:, S_COST_TRAFFICKING] = delta[:, L_TRAFFICKING_COSTS]
        victims = eco.victims_by_org[: eco.n_orgs] * scale
        rev[:, S_EXPLOITATION] = victims * p["victim_revenue_usd_day"] + delta[:, L_CONFISCATED]
        gang = eco.gangs() & active
        extorting = np.minimum(eco.members, p["extortion_members_per_cell"]) * output
        extortion = np.where(gang[:, None], extorting * p["extortion_usd_member_day"], 0.0)
        rev[:, S_EXTORTION] = extortion.sum(axis=1)
        # Allies share territory: a share of what a gang extorts in its ally's home country goes
        # to the ally.
        for org in np.flatnonzero((eco.ally >= 0) & (eco.alliance_day <= day)):
            ally = eco.ally[org]
            if eco.hq_place[ally] < 0:
                continue
            home = sim.world.location_country == sim.world.location_country[eco.hq_place[ally]]
            shared = extortion[org, home].sum() * p["alliance_revenue_share"]
            rev[org, S_EXTORTION] -= shared
            rev[ally, S_EXTORTION] += shared
        rev[:, S_PRISON] = np.where(
            active & eco.hq_held, eco.prison_inmates * p["prison_tax_usd_month"] / 30.0, 0.0
        )
        rev[:, S_COST_MEMBERS] = np.where(
            gang, eco.members.sum(axis=1) * p["member_cost_usd_day"], 0
        )
        rev[:, S_COST_BRIBES] = np.where(gang, eco.cell.sum(axis=1) * p["bribe_usd_cell_day"], 0)
        eco.revenue += rev
        eco.funds += rev[:, :6].sum(axis=1) - rev[:, 6:].sum(axis=1)
        # Victims each organisation can still control (in agents).
        exploiting = gang & (eco.exploitation_day <= day)
        limit = np.floor(eco.members.sum(axis=1) * p["victims_per_member"] / scale)
        eco.capacity_left[: eco.n_orgs] = np.where(
            exploiting, np.maximum(0, limit - eco.victims_by_org[: eco.n_orgs]), 0
        ).astype(np.int64)

    def _grow(self, sim: Simulation, day: int) -> None:
        """Members grow towards the size the organisation's revenue supports (and never shrink
        here: arrests do that)."""
        eco, p = sim.economy, sim.parameters
        # Yearly revenue from the last four weeks.
        now = eco.revenue[:, :6].sum(axis=1).copy()
        self.revenue_history.append((day, now))
        if len(self.revenue_history) > 5:
            self.revenue_history.pop(0)
        first_day, first = self.revenue_history[0]
        yearly = (now - first) * 365.0 / max(1, day - first_day)
        for org in np.flatnonzero(eco.gangs() & self._active(eco, day)):
            target = yearly[org] / p["revenue_per_member_usd_year"]
            gap = target - eco.members[org].sum()
            if gap <= 0 or not eco.cell[org].any():
                continue
            new = p["member_growth_week"] * gap * eco.coordination[org]
            weights = eco.members[org] * eco.cell[org] + eco.cell[org]
            eco.members[org] += new * weights / weights.sum()

    def _heat(self, sim: Simulation, day: int) -> None:
        eco, p = sim.economy, sim.parameters
        victims_here = sim.location_counts[LOC_VICTIMS] * sim.scale
        for org in np.flatnonzero(eco.gangs() & self._active(eco, day)):
            eco.heat[org] = eco.heat[org] * p["heat_decay_week"] + eco.cell[org] * (
                p["heat_per_victim"] * victims_here + p["heat_per_member"] * eco.members[org]
            )
            for place in np.flatnonzero(eco.heat[org] > p["rotation_heat"]):
                eco.heat[org, place] *= 1 - p["rotation_heat_reset"]
                eco.rotation_until[org, place] = day + int(p["rotation_days"])
                sim.events.append(
                    (
                        day,
                        "manager_rotation",
                        sim.world.location_names[place],
                        sim.world.country_codes[sim.world.location_country[place]],
                        f"{eco.names[org]} rotates the manager of its cell (heat above threshold)",
                    )
                )

    def _expand(self, sim: Simulation, day: int) -> None:
        eco, p, w = sim.economy, sim.parameters, sim.world
        present = sim.location_counts[LOC_PRESENT] * sim.scale
        policing = sim.policing[w.location_country]
        settle = np.isin(w.location_kind, SETTLEMENT_KINDS)
        # An organisation spreads once its migrant businesses (smuggling or exploitation) start.
        migrant_business = np.minimum(eco.smuggling_day, eco.exploitation_day) <= day
        for org in np.flatnonzero(
            eco.gangs() & eco.expands & self._active(eco, day) & migrant_business
        ):
            cells = eco.cell[org].copy()
            ally = eco.ally[org]
            if ally >= 0 and eco.alliance_day[org] <= day:
                cells |= eco.cell[ally]
            n_cells = eco.cell[org].sum()
            if eco.funds[org] < p["cell_open_cost_usd"] or n_cells == 0:
                continue
            if day - self.last_expansion[org] < 7 * p["expansion_interval_weeks"]:
                continue
            if eco.members[org].sum() / n_cells < 2 * p["cell_initial_members"]:
                continue
            if generator(sim.seed, "organisation.expand", day).random() > eco.coordination[org]:
                continue
            reachable = self.reach[cells].any(axis=0) & ~eco.cell[org] & settle
            if ally >= 0:
                reachable &= ~eco.cell[ally]
            score = np.where(
                reachable & (present >= p["cell_min_people"]), present * (1 - policing), 0.0
            )
            if score.max() <= 0:
                continue
            place = int(np.argmax(score))
            self._open_cell(sim, org, place, day)
            self.last_expansion[org] = day

    def _open_cell(self, sim: Simulation, org: int, place: int, day: int) -> None:
        eco, p, w = sim.economy, sim.parameters, sim.world
        donor = int(np.argmax(eco.members[org]))
        moved = min(p["cell_initial_members"], eco.members[org, donor] / 2)
        eco.members[org, donor] -= moved
        eco.members[org, place] += moved
        eco.cell[org, place] = True
        eco.funds[org] -= p["cell_open_cost_usd"]
        country = w.country_codes[w.location_country[place]]
        sim.events.append(
            (
                day,
                "expansion",
                w.location_names[place],
                country,
                f"{eco.names[org]} opens a cell in {w.location_names[place]}",
            )
        )
        if eco.smuggling_day[org] <= day:
            self._take_crossings(sim, org, place, day)

    def _take_crossings(self, sim: Simulation, org: int, place: int, day: int) -> None:
        """The organisation takes over the irregular crossings at a place where it has a cell."""
        eco, w = sim.economy, sim.world
        country = w.country_codes[w.location_country[place]]
        links = self.irregular[
            (w.link_from[self.irregular] == place) | (w.link_to[self.irregular] == place)
        ]
        ally = eco.ally[org]
        taken = [
            lk
            for lk in links
            if eco.link_controller[lk] != org and (ally < 0 or eco.link_controller[lk] != ally)
        ]
        if taken:
            eco.link_controller[taken] = org
            sim.events.append(
                (
                    day,
                    "takeover",
                    w.location_names[place],
                    country,
                    f"{eco.names[org]} takes control of {len(taken) // 2 or 1} irregular "
                    f"crossing(s) at {w.location_names[place]}",
                )
            )
