"""The organisations: revenue, costs, members, cells, decisions, heat and manager rotation.

Members are agents (modules/members.py): a leader, cell managers, recruiters, enforcers, drivers
and plain members, each at a place. Daily: revenue by stream (prison tax, extortion, smuggling fees
and packages and forced drug carrying from the ledger the journeys kernel writes, exploitation from
the victims held) and costs (members, bribes, package transport). Weekly: profit recruits local
members where cells operate; heat grows with victims, members, arrests and violence and decays;
past a threshold a cell's manager is moved to another cell. Monthly each organisation decides
where to open a cell (a logit over the places its network reaches, by migrants present, policing
and distance), which cells to close, and whether to contest the crossings at its cells held by
others. (Mechanisms from the seed article and InSight Crime's reports on Tren de Aragua.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..codes import CROSSING_IRREGULAR
from ..economy import (
    NEVER,
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
)
from ..rng import poisson_inverse, stream_key
from ..world.graph import KINDS, MODES
from .base import Module, next_week
from .members import (
    ACTIVE,
    DEAD,
    DRIVER,
    ENFORCER,
    LEADER,
    MANAGER,
    MEMBER,
    PRISON,
    RECRUITER,
    ROLES,
    Roster,
    logit_pick,
    logit_picks,
    uniforms,
)

if TYPE_CHECKING:
    from ..simulation import Simulation

SETTLEMENT_KINDS = (KINDS.index("city"), KINDS.index("border_town"))
MONTH_DAYS = 28  # decisions every fourth week


def members_in_prison(sim: Simulation, org: int) -> int:
    """Members held in prisons: arrested ones, and those running the organisation from inside
    its headquarters prison while it holds it."""
    eco, r = sim.economy, sim.economy.roster
    jailed = int(((r.status[: r.size] == PRISON) & (r.org[: r.size] == org)).sum())
    hq = eco.hq_place[org]
    inside = 0
    if hq >= 0 and eco.hq_held[org] and eco.prison_inmates[org] > 0:
        inside = int(eco.members[org, hq])
    return jailed + inside


class Organisations(Module):
    name = "organisation"
    parameters = ("organisation", "exploitation")
    streams = (
        "organisation.roles",
        "organisation.recruit",
        "organisation.choice",
        "organisation.contest",
        "organisation.rotation",
    )
    metrics: ClassVar = (
        "org_members_prison",
        "org_members_joined",
        "org_members_died",
        "org_rotations",
        *(f"org_members_{role}" for role in ROLES),
    )

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Crossings are taken weekly (growth) and every fourth week (decisions)."""
        return next_week(day)

    def init(self, sim: Simulation) -> None:
        eco, w, p = sim.economy, sim.world, sim.parameters
        self.last_ledger = eco.ledger.copy()
        n = w.n_locations
        # Road and river distance between places: networks spread along the corridor, not by air.
        surface = w.link_mode != MODES.index("air")
        graph = csr_matrix(
            (w.link_km[surface], (w.link_from[surface], w.link_to[surface])), shape=(n, n)
        )
        self.distance = dijkstra(graph, directed=True)
        self.reach = self.distance <= p["expansion_reach_km"]
        # A cell works the migrants within its catchment in its own country (the police, the
        # bribes and the local contacts it has stop at the border).
        country = w.location_country
        self.catchment = (
            (self.distance <= p["cell_catchment_km"]) & (country[:, None] == country[None, :])
        ).astype(np.float64)
        self.irregular = np.flatnonzero(w.link_crossing == CROSSING_IRREGULAR)
        self.settle = np.isin(w.location_kind, SETTLEMENT_KINDS)
        self.revenue_history: list[tuple[int, np.ndarray]] = []
        # Migrants within reach of each place and what each drug-route link would earn in a
        # year, measured at each monthly decision (`_decide`).
        self.within_reach = np.zeros(n)
        self.drug_yearly = np.zeros(len(w.link_from))
        self.last_expansion = np.full(eco.n_orgs, -(10**6))
        self.key = {s: int(stream_key(sim.seed, s)) for s in self.streams}
        self.drug_links: dict[int, np.ndarray] | None = None
        self.rotations = np.zeros(eco.n_orgs, dtype=np.int64)
        # Agents who set out on each link, cumulative, at the last 13 monthly decisions.
        self.link_use_history: list[np.ndarray] = []
        self.role_cdf = np.cumsum(
            [p["member_share_recruiter"], p["member_share_enforcer"], p["member_share_driver"]]
        )
        roster = Roster(eco.n_orgs, n)
        eco.roster = roster
        for org in np.flatnonzero(eco.gangs()):
            hq = eco.hq_place[org]
            size = round(eco.members[org, hq]) if hq >= 0 else 0
            if size == 0:
                continue
            ids = roster.add(int(org), int(hq), self._roles(roster.size, size, -1), -1)
            roster.role[ids[0]] = LEADER
            if size > 1:
                roster.role[ids[1]] = MANAGER
        eco.members[:] = roster.counts()

    def _roles(self, first_id: int, n: int, day: int) -> np.ndarray:
        """Roles of new members (recruiter, enforcer, driver or plain member by their shares),
        drawn on each member's own stream."""
        u = uniforms(self.key["organisation.roles"], day + 1, np.arange(first_id, first_id + n))
        return np.array([RECRUITER, ENFORCER, DRIVER, MEMBER], dtype=np.int8)[
            np.searchsorted(self.role_cdf, u, side="right")
        ]

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
        if day % 7 == 0:
            self._grow(sim, day)
            self._heat(sim, day)
            self._record(sim, day)
        if day % MONTH_DAYS == 0:
            self._decide(sim, day)

    def _active(self, eco, day: int) -> np.ndarray:
        return eco.founded_day <= day

    def _account(self, sim: Simulation, day: int) -> None:
        """Book the day's revenue and costs by stream: what migrants paid (the ledger's change
        since yesterday), the victims held, extortion where cells operate (less where a manager
        has just rotated), taxes on inmates, members' pay and bribes. Daily, on a handful of
        organisations: written to keep NumPy's per-call overhead low, the same sums as before."""
        eco, p, scale = sim.economy, sim.parameters, sim.scale
        n = eco.n_orgs
        ledger = eco.ledger[:n]
        delta = (ledger - self.last_ledger[:n]) * scale
        self.last_ledger[:] = eco.ledger
        active = self._active(eco, day)
        rev = np.zeros_like(eco.revenue)
        rev[:, S_SMUGGLING] = delta[:, L_FEES]
        rev[:, S_PACKAGES] = delta[:, L_PACKAGES]
        rev[:, S_DRUGS] = delta[:, L_DRUGS]
        rev[:, S_COST_PACKAGES] = delta[:, L_PACKAGE_COSTS]
        rev[:, S_COST_TRAFFICKING] = delta[:, L_TRAFFICKING_COSTS]
        victims = eco.victims_by_org[:n] * scale
        rev[:, S_EXPLOITATION] = victims * p["victim_revenue_usd_day"] + delta[:, L_CONFISCATED]
        gang = eco.gangs() & active
        extorting = np.minimum(eco.members, p["extortion_members_per_cell"])
        rotating = eco.rotation_until >= day
        if rotating.any():
            extorting = extorting * np.where(rotating, 1 - p["rotation_output_loss"], 1.0)
        extortion = extorting * p["extortion_usd_member_day"]
        extortion[~gang] = 0.0
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
        held = active & eco.hq_held
        if held.any():
            rev[held, S_PRISON] = eco.prison_inmates[held] * p["prison_tax_usd_month"] / 30.0
        rev[gang, S_COST_MEMBERS] = eco.members[gang].sum(axis=1) * p["member_cost_usd_day"]
        rev[gang, S_COST_BRIBES] = eco.cell[gang].sum(axis=1) * p["bribe_usd_cell_day"]
        eco.revenue += rev
        eco.funds += rev[:, :6].sum(axis=1) - rev[:, 6:].sum(axis=1)

    def _grow(self, sim: Simulation, day: int) -> None:
        """Local recruits join where cells operate, towards the size the organisation's revenue
        supports (a Poisson number a week; arrests, not this, shrink it)."""
        eco, p, r = sim.economy, sim.parameters, sim.economy.roster
        # Yearly revenue from the last four weeks.
        now = eco.revenue[:, :6].sum(axis=1).copy()
        self.revenue_history.append((day, now))
        if len(self.revenue_history) > 5:
            self.revenue_history.pop(0)
        first_day, first = self.revenue_history[0]
        yearly = (now - first) * 365.0 / max(1, day - first_day)
        key, n = self.key["organisation.recruit"], sim.world.n_locations
        for org in np.flatnonzero(eco.gangs() & self._active(eco, day)):
            target = yearly[org] / p["revenue_per_member_usd_year"]
            gap = target - eco.members[org].sum()
            if gap <= 0 or not eco.cell[org].any():
                continue
            # Counts by inversion and each recruit's cell by its own Gumbel draws, keyed on the
            # organisation (and recruit and cell): a comparison's runs recruit alike while their
            # organisations stay alike (common random numbers).
            u = float(uniforms(key, day, np.array([org]))[0])
            new = int(poisson_inverse(u, p["member_growth_week"] * gap * eco.coordination[org]))
            if new == 0:
                continue
            cells = np.flatnonzero(eco.cell[org])
            recruit = (int(org) << 20) + np.arange(new, dtype=np.int64)
            ids = recruit[:, None] * n + cells[None, :]
            pick = logit_picks(key, day, ids, np.log(eco.members[org, cells] + 1.0), 1)
            joined = np.bincount(pick, minlength=len(cells))
            for place, k in zip(cells, joined, strict=True):
                if k:
                    r.add(int(org), int(place), self._roles(r.size, int(k), day), day)
                    r.promote(int(org), int(place))
        eco.members[:] = r.counts()

    def _heat(self, sim: Simulation, day: int) -> None:
        """Heat decays and grows with the victims and members a cell makes visible (arrests and
        violence add theirs when they happen); past the threshold the cell's manager rotates.
        Inside a headquarters prison the organisation holds, the state does not look (S105):
        no heat there from visibility, and its inmates are not rotated."""
        eco, p = sim.economy, sim.parameters
        for org in np.flatnonzero(eco.gangs() & self._active(eco, day)):
            # Its own victims only: another's held in the same city are not this cell's doing.
            victims_here = eco.victims_at[org] * sim.scale
            visible = eco.cell[org].copy()
            hq = eco.hq_place[org]
            if hq >= 0 and eco.hq_held[org] and eco.prison_inmates[org] > 0:
                visible[hq] = False
            eco.heat[org] = eco.heat[org] * p["heat_decay_week"] + visible * (
                p["heat_per_victim"] * victims_here + p["heat_per_member"] * eco.members[org]
            )
            hot = eco.cell[org] & (eco.heat[org] > p["rotation_heat"])
            if hq >= 0:
                hot[hq] = False
            for place in np.flatnonzero(hot):
                self._rotate(sim, int(org), int(place), day)

    def _rotate(self, sim: Simulation, org: int, place: int, day: int) -> None:
        """The manager of a hot cell moves to another cell (a logit on low heat, possibly in
        another country), whose manager takes the hot cell; with no other cell the manager
        steps down and one is promoted from below. With probability `rotation_new_country`
        the organisation instead sends the manager to open a cell in a country where it has
        none (seed article: managers rotated "to new countries when the police caught on"),
        chosen as expansion chooses among the places in such countries that its network
        reaches, if it can pay for a cell; one from below takes the hot cell."""
        eco, p, w, r = sim.economy, sim.parameters, sim.world, sim.economy.roster
        manager = r.manager(org, place)
        if manager < 0:
            return
        sent = self._dispatch(sim, org, place, manager, day)
        others = np.zeros(0, dtype=np.int64)
        if sent < 0:
            others = np.flatnonzero(eco.cell[org])
            others = others[(others != place) & (others != eco.hq_place[org])]
            others = others[[r.manager(org, int(o)) >= 0 for o in others]]
        where = "steps down"
        if sent >= 0:
            country = w.country_codes[w.location_country[sent]]
            where = f"is sent to open one in {w.location_names[sent]} ({country})"
        elif len(others):
            utility = -eco.heat[org, others] / max(p["rotation_heat"], 1e-9)
            n = w.n_locations
            ids = (org * n + place) * n + others
            target = int(others[logit_pick(self.key["organisation.rotation"], day, ids, utility)])
            other = r.manager(org, target)
            r.move(manager, target)
            r.move(other, place)
            country = w.country_codes[w.location_country[target]]
            where = f"moves to {w.location_names[target]} ({country})"
        elif r.role[manager] == MANAGER:
            r.role[manager] = ENFORCER
            r.promote(org, place)
        eco.heat[org, place] *= 1 - p["rotation_heat_reset"]
        eco.rotation_until[org, place] = day + int(p["rotation_days"])
        self.rotations[org] += 1
        sim.events.append(
            (
                day,
                "manager_rotation",
                w.location_names[place],
                w.country_codes[w.location_country[place]],
                f"{eco.names[org]}: the manager of its cell {where} (heat above threshold)",
            )
        )

    def _decide(self, sim: Simulation, day: int) -> None:
        """Monthly decisions of each gang: contest crossings at its cells, close cells where
        migrants are gone, open a cell where its network reaches."""
        eco, w = sim.economy, sim.world
        self.link_use_history.append(sim.link_use.copy())
        if len(self.link_use_history) > 14:
            self.link_use_history.pop(0)
        passed = self.link_use_history[-1] - self.link_use_history[0]
        months = max(1, len(self.link_use_history) - 1)
        # Migrants within reach of a place: those present and those passing through in a year.
        transit = np.bincount(w.link_from, weights=passed, minlength=w.n_locations)
        yearly = sim.parameters["cell_transit_weight"] * transit * 13.0 / months
        self.within_reach = (sim.location_counts[LOC_PRESENT] + yearly) * sim.scale
        # What forcing the migrants who cross each drug-route link to carry would earn in a year.
        p = sim.parameters
        self.drug_yearly = (
            passed * sim.scale * 13.0 / months * eco.link_drug_route
            * p["drug_carry_probability"] * (1.0 - p["drug_carrier_arrest_probability"])
            * p["drug_carry_value_usd"]
        )  # fmt: skip
        for org in np.flatnonzero(eco.gangs() & self._active(eco, day)):
            org = int(org)
            for place in np.flatnonzero(eco.cell[org]):
                self._contest(sim, org, int(place), day)
            self._close(sim, org, day)
            if eco.expands[org]:
                self._expand(sim, org, day)
        eco.members[:] = eco.roster.counts()

    def _close(self, sim: Simulation, org: int, day: int) -> None:
        """A cell where few migrants remain and that controls no crossing closes; its members
        move to the organisation's nearest other cell."""
        eco, p, w, r = sim.economy, sim.parameters, sim.world, sim.economy.roster
        present = sim.location_counts[LOC_PRESENT] * sim.scale
        controls = np.zeros(w.n_locations, dtype=bool)
        mine = self.irregular[eco.link_controller[self.irregular] == org]
        controls[w.link_from[mine]] = controls[w.link_to[mine]] = True
        # A cell that runs a drug route keeps it (the loads, not the migrants who stay, pay).
        for link, places in self._drug_reach(sim).items():
            if eco.link_drug_org[link] == org:
                controls[places] = True
        cells = np.flatnonzero(eco.cell[org])
        for place in cells:
            if place == eco.hq_place[org] or controls[place] or len(cells) < 2:
                continue
            if present[place] >= p["cell_close_share"] * p["cell_min_people"]:
                continue
            rest = cells[(cells != place) & eco.cell[org, cells]]
            if len(rest) == 0:
                continue
            target = int(rest[np.argmin(self.distance[place, rest])])
            for m in r.active(org, int(place)):
                r.move(int(m), target)
                if r.role[m] == MANAGER:
                    r.role[m] = ENFORCER
            eco.cell[org, place] = False
            eco.heat[org, place] = 0.0
            sim.events.append(
                (
                    day,
                    "cell_closed",
                    w.location_names[place],
                    w.country_codes[w.location_country[place]],
                    f"{eco.names[org]} closes its cell (few migrants left); members move to "
                    f"{w.location_names[target]}",
                )
            )

    def _expand(self, sim: Simulation, org: int, day: int) -> None:
        """A logit choice among the places the network reaches (or none): utility
        ln(migrants (present, and passing through in a year x `cell_transit_weight`) within
        `cell_catchment_km` not yet within its cells' catchment x (1 - policing after bribes) /
        cell_min_people) - distance / reach, in units of `expansion_logit_scale`; places where
        that value is below 1 are not candidates, and not opening has utility 0."""
        eco, p, w = sim.economy, sim.parameters, sim.world
        n_cells = eco.cell[org].sum()
        if eco.funds[org] < p["cell_open_cost_usd"] or n_cells == 0:
            return
        if day - self.last_expansion[org] < 7 * p["expansion_interval_weeks"]:
            return
        if eco.members[org].sum() / n_cells < 2 * p["cell_initial_members"]:
            return
        key, n = self.key["organisation.choice"], w.n_locations
        if uniforms(key, day, np.array([org]), 3)[0] > eco.coordination[org]:
            return
        candidates, utility = self._candidates(sim, org, day)
        if len(candidates) == 0:
            return
        utility = np.append(utility, 0.0) / p["expansion_logit_scale"]
        # Each place (and not opening) keeps its own draw: see logit_pick.
        ids = org * (n + 1) + np.append(candidates, n)
        pick = logit_pick(key, day, ids, utility, 1)
        if pick >= len(candidates):
            return
        self._open_cell(sim, org, int(candidates[pick]), day)
        self.last_expansion[org] = day

    def _candidates(
        self, sim: Simulation, org: int, day: int, new_country: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Places where `org` could open a cell (within reach of its cells or an ally's, worth
        at least one cell), and their utility ln(value) - distance / reach (`_expand`); with
        `new_country`, only places in countries where it has no cell."""
        eco, p, w = sim.economy, sim.parameters, sim.world
        present = self.within_reach
        policing = self._risk(sim)[w.location_country]
        cells = eco.cell[org].copy()
        ally = eco.ally[org]
        if ally >= 0 and eco.alliance_day[org] <= day:
            cells |= eco.cell[ally]
        # Migrants within a cell's catchment that no cell of its own already reaches.
        catchment = self.catchment
        uncovered = present * (1 - policing) * ~(catchment[eco.cell[org]] > 0).any(axis=0)
        value = catchment @ uncovered / p["cell_min_people"] + self._drug_value(sim, org, policing)
        open_to = self.reach[cells].any(axis=0) & ~eco.cell[org] & self.settle & (value >= 1)
        if ally >= 0:
            open_to &= ~eco.cell[ally]
        if new_country:
            held = np.unique(w.location_country[eco.cell[org]])
            open_to &= ~np.isin(w.location_country, held)
        candidates = np.flatnonzero(open_to)
        if len(candidates) == 0:
            return candidates, np.zeros(0)
        distance = self.distance[np.flatnonzero(cells)][:, candidates].min(axis=0)
        utility = np.log(np.maximum(value[candidates], 1e-9)) - distance / p["expansion_reach_km"]
        return candidates, utility

    def _drug_reach(self, sim: Simulation) -> dict[int, np.ndarray]:
        """Drug-route link -> places from which a cell runs it (the market's drug_reach_km),
        looked up once: the market builds it in its own init, which may come after this one's."""
        if self.drug_links is None:
            market = next((m for m in sim.modules if m.name == "market"), None)
            self.drug_links = {} if market is None else market.drug_reach
        return self.drug_links

    def _drug_value(self, sim: Simulation, org: int, policing: np.ndarray) -> np.ndarray:
        """Per place, what the drug routes that a cell there could run and that the
        organisation does not run yet would earn in a year, after policing, in units of the
        revenue that keeps a new cell (cell_initial_members x revenue_per_member_usd_year)."""
        eco, p = sim.economy, sim.parameters
        value = np.zeros(sim.world.n_locations)
        keep = p["cell_initial_members"] * p["revenue_per_member_usd_year"]
        if keep <= 0:
            return value
        for link, places in self._drug_reach(sim).items():
            if eco.link_drug_org[link] == org or self.drug_yearly[link] <= 0:
                continue
            value[places] += self.drug_yearly[link] / keep
        return value * (1 - policing)

    def _risk(self, sim: Simulation) -> np.ndarray:
        """Policing a cell would face, by country, after the bribes it pays (enforcement's
        effectiveness; raw policing without the enforcement module)."""
        enforcement = next((m for m in sim.modules if m.name == "enforcement"), None)
        return sim.policing if enforcement is None else enforcement.effectiveness(sim)

    def _movers(self, sim: Simulation, org: int, day: int) -> np.ndarray:
        """Who a new cell takes: up to `cell_initial_members` of the rank and file of the
        organisation's largest cell, at most half of them (drawn)."""
        eco, p, r = sim.economy, sim.parameters, sim.economy.roster
        donor = int(np.argmax(eco.members[org]))
        pool = r.active(org, donor)
        pool = pool[(r.role[pool] != LEADER) & (r.role[pool] != MANAGER)]
        n = int(min(p["cell_initial_members"], len(pool) // 2))
        return pool[np.argsort(uniforms(self.key["organisation.choice"], day, pool))[:n]]

    def _open_cell(
        self, sim: Simulation, org: int, place: int, day: int, movers: np.ndarray | None = None
    ) -> bool:
        """Members move from the largest cell (`movers`, default `_movers`) to the new one, led
        by one of them as manager (unless one is already there); False (nothing opened) if no
        one can be spared."""
        eco, p, w, r = sim.economy, sim.parameters, sim.world, sim.economy.roster
        if movers is None:
            movers = self._movers(sim, org, day)
        if len(movers) == 0:
            return False
        for m in movers:
            r.move(int(m), place)
        r.promote(org, place)
        eco.cell[org, place] = True
        eco.members[:] = r.counts()
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
        if w.location_country[place] != w.origin_country and eco.exploitation_day[org] >= NEVER:
            # Trafficking needs a market abroad: it starts with the first cell there.
            eco.exploitation_day[org] = day
        self._contest(sim, org, place, day)
        return True

    def _contest(self, sim: Simulation, org: int, place: int, day: int) -> None:
        """The cell takes the irregular crossings at its place: free ones outright; ones another
        group holds by a contest its enforcers win with probability E / (E + strength), which
        raises heat; a lost contest costs the life of one enforcer."""
        eco, p, w, r = sim.economy, sim.parameters, sim.world, sim.economy.roster
        links = self.irregular[
            (w.link_from[self.irregular] == place) | (w.link_to[self.irregular] == place)
        ]
        ally = eco.ally[org]
        held = eco.link_controller[links]
        links = links[(held != org) & ((ally < 0) | (held != ally))]
        if len(links) == 0:
            return
        here = r.active(org, place)
        enforcers = here[r.role[here] == ENFORCER]
        rivals = eco.link_controller[links]
        won = rivals < 0
        if (rivals >= 0).any():
            if len(enforcers) == 0:
                return
            strength = p["armed_group_strength"]
            contest = np.array([org * w.n_locations + place])
            key = self.key["organisation.contest"]
            u = (uniforms(key, day, contest, 0)[0], uniforms(key, day, contest, 1)[0])
            eco.heat[org, place] += p["heat_per_contest"]
            if u[0] < len(enforcers) / (len(enforcers) + strength):
                won[:] = True
            else:
                dead = enforcers[int(u[1] * len(enforcers))]
                r.remove(np.array([dead]), DEAD, day)
                r.promote(org, place)
                eco.members[:] = r.counts()
        taken = links[won]
        if len(taken) == 0:
            return
        eco.link_controller[taken] = org
        if eco.smuggling_day[org] >= NEVER:
            eco.smuggling_day[org] = day
        sim.economy_changed = True
        sim.events.append(
            (
                day,
                "takeover",
                w.location_names[place],
                w.country_codes[w.location_country[place]],
                f"{eco.names[org]} takes control of {len(taken) // 2 or 1} irregular "
                f"crossing(s) at {w.location_names[place]}",
            )
        )

    def _dispatch(self, sim: Simulation, org: int, place: int, manager: int, day: int) -> int:
        """Send a hot cell's manager to open a cell in a new country (`_rotate`); the new cell's
        place, or -1 if the draw, the organisation (one that expands, coordinated: the share is
        scaled by its coordination, as expansion is), its funds, the hot cell (someone must
        stay to take it over) or the candidates say no."""
        eco, p, w, r = sim.economy, sim.parameters, sim.world, sim.economy.roster
        share = p["rotation_new_country"] * eco.coordination[org]
        if share <= 0.0 or not eco.expands[org] or eco.funds[org] < p["cell_open_cost_usd"]:
            return -1
        if len(r.active(org, place)) < 2:
            return -1
        key, n = self.key["organisation.rotation"], w.n_locations
        if uniforms(key, day, np.array([org * n + place]), 2)[0] >= share:
            return -1
        candidates, utility = self._candidates(sim, org, day, new_country=True)
        if len(candidates) == 0:
            return -1
        ids = (org * n + place) * n + candidates
        target = int(candidates[logit_pick(key, day, ids, utility / p["expansion_logit_scale"], 3)])
        movers = self._movers(sim, org, day)
        if len(movers) == 0:
            return -1
        # The dispatched manager heads the new cell, so no one is promoted there.
        r.move(manager, target)
        self._open_cell(sim, org, target, day, movers)
        r.promote(org, place)
        eco.members[:] = r.counts()
        self.last_expansion[org] = day
        return target

    def _record(self, sim: Simulation, day: int) -> None:
        eco, r = sim.economy, sim.economy.roster
        gangs = np.flatnonzero(eco.gangs())
        table = sum((r.by_status_role(int(o)) for o in gangs), np.zeros((3, len(ROLES)), int))
        for i, role in enumerate(ROLES):
            sim.record(f"org_members_{role}", day, float(table[ACTIVE, i]))
        sim.record("org_members_prison", day, float(sum(members_in_prison(sim, o) for o in gangs)))
        sim.record("org_members_joined", day, float(r.n_joined[gangs].sum()))
        sim.record("org_members_died", day, float(table[DEAD].sum()))
        sim.record("org_rotations", day, float(self.rotations[gangs].sum()))
