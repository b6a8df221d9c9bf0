"""The state: policing that arrests members and identifies victims, blunted by corruption, and
dated actions such as prison raids (losing the headquarters cuts coordination; cells carry on) and
crackdowns (stronger policing in some countries for a while).

Each week each member of a cell is arrested with probability base rate x policing x crackdown x
(1 - corruption x bribe effect, where the organisation pays bribes) x heat / reference heat, drawn
on a stream keyed by member id (arrests remove specific members; managers are replaced from
below). Victim identification per review = 1 - exp(-rate x policing x crackdown x (1 - corruption
x bribe effect) x identification effort x days / 365).
Policing, corruption and identification effort by country come from the scenario's states.csv.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..levers import Lever
from ..rng import stream_key
from .base import NEVER, Module, next_of, next_week
from .members import ACTIVE, HIGH_RANK, LEADER, PRISON, uniforms

if TYPE_CHECKING:
    from ..simulation import Simulation

DEFAULT_POLICING, DEFAULT_CORRUPTION = 0.5, 0.5
MAX_ARREST_SHARE_WEEK = 0.5


class Enforcement(Module):
    name = "enforcement"
    parameters = ("enforcement", "exploitation")
    provides = ("policing",)
    streams = ("enforcement.arrest", "enforcement.raid", "enforcement.crackdown")
    levers = (
        Lever(
            "policing_multiplier", "country", "product", "policing x (1 = as in states.csv)", True
        ),
        Lever("corruption_multiplier", "country", "product", "corruption x (1 = as in data)", True),
        Lever(
            "identification_multiplier", "country", "product", "victim identification rate x", True
        ),
    )

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Arrests (which can cost an organisation its crossings) come weekly, on the first
        day of a raid or crackdown, and on the day a crackdown ends."""
        ends = self.crackdown_until[self.crackdown_until > day]
        return min(
            next_week(day),
            next_of((first for first, _, _ in self.actions), day),
            int(ends.min()) if ends.size else NEVER,
        )

    def init(self, sim: Simulation) -> None:
        w = sim.world
        sim.policing = np.full(w.n_countries, DEFAULT_POLICING)
        sim.corruption = np.full(w.n_countries, DEFAULT_CORRUPTION)
        self.identification_effort = np.ones(w.n_countries)
        for row in sim.scenario.states:
            c = w.country_codes.index(row.iso3)
            sim.policing[c] = row.policing
            sim.corruption[c] = row.corruption
            self.identification_effort[c] = row.identification
        for lever in self.levers:
            sim.levers.attach(lever.name, getattr(sim, lever.name))
        self.crackdown = np.ones(w.n_countries)
        self.crackdown_until = np.full(w.n_countries, -1)
        # (first day, day a crackdown ends, row) on the run's calendar: a raid dated before the
        # run has happened by day 0; a crackdown still running on day 0 runs on to its end.
        cal = sim.calendar
        self.actions = [
            (cal.in_force_from(r.date), cal.day_of(r.date) + max(1, r.duration_days), r)
            for r in sorted(sim.scenario.enforcement_events, key=lambda r: r.date)
            if r.kind == "prison_raid" or cal.day_of(r.date) + max(1, r.duration_days) > 0
        ]
        self._victim_exits(sim)

    def effectiveness(self, sim: Simulation) -> np.ndarray:
        """Policing that reaches an organisation paying bribes, by country."""
        p = sim.parameters
        corruption = sim.corruption * sim.corruption_multiplier
        return (
            sim.policing
            * sim.policing_multiplier
            * self.crackdown
            * (1 - corruption * p["bribe_effect"])
        )

    def start_step(self, sim: Simulation, day: int) -> None:
        if sim.levers.apply_all(self.levers, day):
            sim.economy_changed = True

    def step(self, sim: Simulation, day: int) -> None:
        eco = sim.economy
        if eco.n_orgs == 0:
            return
        expired = self.crackdown_until == day
        self.crackdown[expired] = 1.0
        for first, until, action in self.actions:
            if first == day:
                self._act(sim, action, day, until)
        if day % 7 == 0 or expired.any():
            self._arrest(sim, day)
            self._victim_exits(sim)
        elif sim.economy_changed:
            self._victim_exits(sim)

    def _countries(self, sim: Simulation, codes: str) -> np.ndarray:
        if codes.strip() == "*":
            return np.arange(sim.world.n_countries)
        return np.array([sim.world.country_codes.index(c) for c in codes.split()], dtype=np.int64)

    def _act(self, sim: Simulation, action, day: int, until: int) -> None:
        eco, w = sim.economy, sim.world
        org = eco.names.index(action.organisation)
        if action.kind == "prison_raid":
            self.raid(sim, org, day, f"source {action.source_id}", action.magnitude)
        else:
            countries = self._countries(sim, action.countries)
            self.crackdown[countries] = max(1.0, action.magnitude)
            self.crackdown_until[countries] = until
            sim.events.append(
                (
                    day,
                    "crackdown",
                    "",
                    " ".join(w.country_codes[c] for c in countries),
                    f"coordinated crackdown on the cells of {eco.names[org]}, policing x"
                    f"{action.magnitude:g} for {action.duration_days} days "
                    f"(source {action.source_id})",
                )
            )

    def raid(self, sim: Simulation, org: int, day: int, why: str, magnitude: float = 1.0) -> None:
        """The state retakes the organisation's headquarters prison: no more prison tax,
        `prison_raid_arrests` x magnitude of its high-ranking members there arrested (drawn
        among leader, managers and enforcers; the leader, if not drawn, escapes to the largest
        other cell), the other members held there transferred (inmates, no longer active), and
        coordination (growth and expansion) cut; the cells carry on."""
        eco, p, w = sim.economy, sim.parameters, sim.world
        hq = eco.hq_place[org]
        if hq < 0 or not eco.hq_held[org]:
            return
        eco.hq_held[org] = False
        eco.coordination[org] = p["hq_loss_coordination"]
        arrested = 0
        roster = eco.roster
        if roster is not None:
            here = roster.active(org, hq)
            high = here[np.isin(roster.role[here], HIGH_RANK)]
            u = uniforms(int(stream_key(sim.seed, "enforcement.raid")), day, high)
            n = round(p["prison_raid_arrests"] * magnitude)
            taken = roster.remove(high[np.argsort(u)][:n], PRISON, day)
            arrested = len(taken)
            leader = here[roster.role[here] == LEADER]
            others = np.flatnonzero(eco.cell[org] & (np.arange(w.n_locations) != hq))
            if len(leader) and roster.status[leader[0]] == ACTIVE and len(others):
                roster.move(int(leader[0]), int(others[np.argmax(eco.members[org, others])]))
            if eco.prison_inmates[org] > 0:
                roster.remove(roster.active(org, hq), PRISON, day, arrested=False)
            eco.members[:] = roster.counts()
            sim.arrests[w.location_country[hq]] += arrested
        sim.events.append(
            (
                day,
                "prison_raid",
                w.location_names[hq],
                w.country_codes[w.location_country[hq]],
                f"the state retakes the headquarters prison of {eco.names[org]} ({why}): "
                f"{arrested} high-ranking members arrested",
            )
        )

    def _arrest(self, sim: Simulation, day: int) -> None:
        """Each active member of a cell is arrested with the cell's weekly share (a draw keyed
        by member id); an arrested manager is replaced from below; arrests add heat."""
        eco, p, w = sim.economy, sim.parameters, sim.world
        roster = eco.roster
        if roster is None:  # no organisation module: no members to arrest
            return
        reach = self.effectiveness(sim)[w.location_country]
        arrested_by_country = np.zeros(w.n_countries)
        key = int(stream_key(sim.seed, "enforcement.arrest"))
        active = roster.active()
        u = uniforms(key, day, active)
        for org in np.flatnonzero(eco.gangs() & (eco.founded_day <= day)):
            share = (
                np.minimum(
                    MAX_ARREST_SHARE_WEEK,
                    p["arrest_rate_week"] * reach * eco.heat[org] / p["heat_reference"],
                )
                * eco.cell[org]
            )
            mine = roster.org[active] == org
            caught = active[mine][u[mine] < share[roster.place[active[mine]]]]
            if len(caught) == 0:
                continue
            roster.remove(caught, PRISON, day)
            places = roster.place[caught]
            np.add.at(eco.heat[org], places, p["heat_per_arrest"])
            np.add.at(arrested_by_country, w.location_country[places], 1.0)
            for place in np.unique(places):
                roster.promote(int(org), int(place))
            eco.members[org] = roster.counts()[org]
            gone = eco.cell[org] & (eco.members[org] < 1.0)
            gone &= np.arange(w.n_locations) != eco.hq_place[org]
            for place in np.flatnonzero(gone):
                eco.cell[org, place] = False
                eco.heat[org, place] = 0.0
                lost = (eco.link_controller == org) & (
                    (w.link_from == place) | (w.link_to == place)
                )
                eco.link_controller[lost] = -1
                sim.events.append(
                    (
                        day,
                        "cell_dismantled",
                        w.location_names[place],
                        w.country_codes[w.location_country[place]],
                        f"arrests dismantle the cell of {eco.names[org]}",
                    )
                )
        sim.arrests += arrested_by_country
        for c in np.flatnonzero(arrested_by_country >= 1.0):
            sim.events.append(
                (
                    day,
                    "arrests",
                    "",
                    w.country_codes[c],
                    f"{arrested_by_country[c]:.0f} members arrested this week",
                )
            )

    def crackdown_arrests(
        self, sim: Simulation, org: int, places: np.ndarray, share: float, day: int
    ) -> int:
        """A coordinated crackdown: each active member at `places` is arrested with
        probability `share` (drawn by member id); returns the number arrested."""
        eco, w = sim.economy, sim.world
        roster = eco.roster
        here = roster.active(org)
        here = here[places[roster.place[here]]]
        u = uniforms(int(stream_key(sim.seed, "enforcement.crackdown")), day, here)
        caught = roster.remove(here[u < share], PRISON, day)
        for place in np.unique(roster.place[caught]):
            roster.promote(org, int(place))
        np.add.at(sim.arrests, w.location_country[roster.place[caught]], 1.0)
        eco.members[:] = roster.counts()
        return len(caught)

    def _victim_exits(self, sim: Simulation) -> None:
        eco, p = sim.economy, sim.parameters
        years = p["victim_review_days"] / 365.0
        rate = (
            p["victim_identification_rate_year"]
            * self.identification_effort
            * sim.identification_multiplier
            * self.effectiveness(sim)
        )
        eco.victim_exit[0] = 1 - np.exp(-rate * years)
        eco.victim_exit[1] = 1 - np.exp(-p["victim_escape_rate_year"] * years)
        eco.victim_exit[2] = 1 - np.exp(-p["victim_death_rate_year"] * years)
