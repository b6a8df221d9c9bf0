"""Host policies: dated rules by which host countries treat migrants at and inside their borders.

host_policies.csv (optional) gives, from a date on, per country:
- `apprehension`: the share of irregular entrants the border authorities meet; each one is an
  encounter (US CBP counts its encounters this way);
- `expulsion`: the share of those met who are expelled back across the border they crossed (US
  Title 42 expulsions, from October 2022 of Venezuelans to Mexico; Chile's 2023 reconducciones);
  the expelled reconsider where to go from the place they crossed from;
- `protection`: a status that makes staying more worth it for those already there (US TPS): it
  adds to the premium of staying when a settled migrant weighs moving on;
- `parole`: people a month admitted by air on parole (the US processes for Venezuelans from
  October 2022 and January 2023): every 30 days the country gets that many places (in agents;
  unused places lapse), taken in turn by passport holders abroad when they next weigh their
  options; a parolee gets a visa-class document and flies to that country;
- `controlled_flow` (on when > 0): irregular entrants are escorted from the reception stations to
  the next border and do not settle (Panama's Operación Flujo Controlado); applied to the routing
  by the borders module (world/controlled_flow.py);
- `irregular_status`: the share of irregular entrants left with no way to a legal status (no
  residence or work permit: Chile bars those who entered clandestinely, Peru's PTP took only
  those who entered regularly); destination choice weighs it against a host that an irregular
  route leads to (modules/destinations.py);
- `lockdown`: the share of the country under a stay-at-home order (the pandemic's of 2020); while
  it lasts the return hazard of the migrants settled there is raised
  (`return_lockdown_multiplier`, modules/journeys.py `return_shares`).
When a country's terms of entry change (apprehension, expulsion or irregular status), the
travellers heading for it weigh their destination again at their next step, as after a border
regime change: news of a dated policy reaches those already on the way, not only those who set
out after it.
The kernel reads today's values per country (`Choice.apprehension`, `expulsion`, `stay_utility`,
`parole_left`, `return_share`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..codes import STRANDED, TRAVELLING
from ..scenario.tables import HOST_POLICIES as POLICIES
from .base import Module, next_of
from .journeys import return_shares

if TYPE_CHECKING:
    from ..simulation import Simulation


PAROLE_MONTH_DAYS = 30
ENTRY_POLICIES = ("apprehension", "expulsion", "irregular_status")  # what getting in is worth


def policy_values(rows, country_index: dict[str, int], date) -> dict[str, np.ndarray]:
    """Each policy's value by country on `date`: the latest row dated on or before it (0 if
    none)."""
    values = {p: np.zeros(len(country_index)) for p in POLICIES}
    latest: dict[tuple[str, str], object] = {}
    for row in rows:
        if row.date <= date:
            key = (row.country, row.policy)
            if key not in latest or row.date >= latest[key].date:
                latest[key] = row
    for (country, policy), row in latest.items():
        values[policy][country_index[country]] = row.value
    return values


class HostPolicies(Module):
    name = "host_policies"
    parameters = ("journeys",)

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Apprehension and expulsion change on the days a policy row takes effect."""
        return next_of(self.change_days, day)

    def init(self, sim: Simulation) -> None:
        self.rows = sorted(sim.scenario.host_policies, key=lambda r: r.date)
        self.country_index = {c: i for i, c in enumerate(sim.world.country_codes)}
        self.change_days = {sim.calendar.in_force_from(r.date) for r in self.rows}
        self.entry_terms: np.ndarray | None = None
        self.reconsidered = 0  # agents told of a change of entry terms (a diagnostic)
        self.parole_days = {
            sim.calendar.in_force_from(r.date) for r in self.rows if r.policy == "parole"
        }
        self.apply(sim, 0)
        for row in self.rows:
            day = sim.calendar.in_force_from(row.date)
            if 0 <= day <= sim.last_day and sim.calendar.day_of(row.date) >= 0:
                sim.events.append(
                    (
                        day,
                        "host_policy",
                        "",
                        row.country,
                        f"{row.policy} in {row.country}: {row.value:g} (source {row.source_id})",
                    )
                )

    def apply(self, sim: Simulation, day: int) -> None:
        values = policy_values(self.rows, self.country_index, sim.calendar.date_of(day))
        terms = np.vstack([values[p] for p in ENTRY_POLICIES])
        if self.entry_terms is not None:
            changed = np.flatnonzero((terms != self.entry_terms).any(axis=0))
            if changed.size:
                self.reconsidered += tell_travellers(sim, changed)
        self.entry_terms = terms
        sim.apprehension[:] = values["apprehension"]
        sim.expulsion[:] = values["expulsion"]
        sim.irregular_status[:] = values["irregular_status"]
        sim.stay_utility[:] = sim.parameters["onward_stay_utility"] + values["protection"]
        sim.lockdown[:] = values["lockdown"]
        sim.return_share[:] = return_shares(sim.parameters, sim.lockdown)
        sim.choice_stale = True  # the chance of getting in enters destination choice
        self.parole_per_month = values["parole"] / sim.scale  # agents

    def start_step(self, sim: Simulation, day: int) -> None:
        if day > 0 and day in self.change_days:
            self.apply(sim, day)
        if day % PAROLE_MONTH_DAYS == 0 or day in self.parole_days:
            # This month's places; a fraction of an agent carries over so that small caps at
            # coarse scales are still granted on average.
            left = sim.parole_left
            left[:] = np.where(self.parole_per_month > 0, self.parole_per_month + left % 1.0, 0.0)


def tell_travellers(sim: Simulation, countries: np.ndarray) -> int:
    """Travellers and stranded agents heading for a city of `countries` reconsider their
    destination at their next step (route version -1: never the current one; the kernel skips
    those returning home or holding a package). Returns how many were told."""
    table = sim.people.table[: sim.people.count]
    destination = table["destination"]
    heading = np.isin(table["state"], (TRAVELLING, STRANDED)) & (destination >= 0)
    where = np.flatnonzero(heading)
    told = where[np.isin(sim.world.location_country[destination[where]], countries)]
    table["route_version"][told] = -1
    return len(told)
