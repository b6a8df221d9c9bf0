"""The criminal economy's state: organisations, their cells, crossing control and the money ledger.

One `Economy` per Simulation. The market, organisation, exploitation and enforcement modules update
it; the journeys kernel reads it (fees, who controls a crossing, who recruits where) and writes the
ledger (every dollar a migrant pays, and to whom).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .calendar import Calendar
from .kernels.counters import N_LEDGER

# Revenue and cost streams of an organisation, in USD (cumulative in `Economy.revenue`).
STREAMS = (
    "revenue_smuggling",
    "revenue_packages",
    "revenue_exploitation",
    "revenue_extortion",
    "revenue_prison",
    "revenue_drugs",
    "cost_members",
    "cost_bribes",
    "cost_packages",
    "cost_trafficking",
)
S_SMUGGLING, S_PACKAGES, S_EXPLOITATION, S_EXTORTION, S_PRISON, S_DRUGS = range(6)
S_COST_MEMBERS, S_COST_BRIBES, S_COST_PACKAGES, S_COST_TRAFFICKING = 6, 7, 8, 9
NEVER = 10**9  # a day index that never comes


class EconomyArrays(NamedTuple):
    """The economy as the kernels see it (same names and meanings as in `Economy`)."""

    link_fee: np.ndarray
    link_controller: np.ndarray
    place_org: np.ndarray
    recruit_prob: np.ndarray
    exploit_cdf: np.ndarray
    control_capacity: np.ndarray
    ledger: np.ndarray
    victim_exit: np.ndarray
    package_org: np.ndarray
    victims_by_org: np.ndarray
    victims_counted: np.ndarray
    link_crossings: np.ndarray
    package_price: np.ndarray
    link_drug_route: np.ndarray
    link_drug_org: np.ndarray
    victims_at: np.ndarray


@dataclass
class Economy:
    names: list[str]
    kinds: list[str]  # "gang", "armed_group" or "network"
    n_locations: int
    n_countries: int
    # Dates (day indices) when each organisation's businesses start.
    founded_day: np.ndarray
    smuggling_day: np.ndarray
    packages_day: np.ndarray
    exploitation_day: np.ndarray
    alliance_day: np.ndarray
    ally: np.ndarray  # int index or -1
    expands: np.ndarray  # bool
    prison_inmates: np.ndarray
    hq_place: np.ndarray  # int place or -1
    hq_held: np.ndarray  # bool
    coordination: np.ndarray  # 1 with a headquarters, lower after losing it
    # Cells: [organisation, place].
    members: np.ndarray
    cell: np.ndarray  # bool
    heat: np.ndarray
    rotation_until: np.ndarray  # int day: output reduced until then
    funds: np.ndarray
    # Arrays the kernels read and write.
    link_fee: np.ndarray  # USD for irregular links
    link_base_fee: np.ndarray
    link_controller: np.ndarray  # int32 organisation or -1
    place_org: np.ndarray  # int32: the organisation recruiting at each place, -1 none
    recruit_prob: np.ndarray  # [mechanism, place]: origin, destination, debt bondage
    exploit_cdf: np.ndarray  # [organisation, place]
    # Victims (in agents, not whole) each organisation's members control at half its
    # recruitment: members x victims_per_member / scale (exploitation module; kernels read it).
    control_capacity: np.ndarray
    ledger: np.ndarray  # [organisation + 1, column] cumulative USD in agents' money
    victim_exit: np.ndarray  # [identified/escaped/died, country] probability per review
    package_org: np.ndarray  # int32: organisation selling packages at each place, -1 none
    victims_by_org: np.ndarray  # int64 victims (agents) now
    victims_at: np.ndarray  # int64 [organisation, place] victims (agents) held or on the way there
    # int64 victims (agents) each organisation held at its last weekly count: the cost of
    # control reads this, so recruitment does not depend on the order of a day's events, and a
    # chain of hops (ODD 3.2) sees what hops on their own days see.
    victims_counted: np.ndarray
    link_crossings: np.ndarray  # int64 agents who crossed each irregular link so far
    # USD price of a package [document class, origin place, destination index]; 0: not offered.
    package_price: np.ndarray
    link_drug_route: np.ndarray  # int8: 1 on crossings where drugs are carried (drug_routes.csv)
    link_drug_org: np.ndarray  # int32: organisation operating on each drug-route link, -1 none
    revenue: np.ndarray = field(default=None)  # [organisation, stream] cumulative USD
    awareness: np.ndarray = field(default=None)  # [place] 0..1, lowers deceptive recruitment
    protection: np.ndarray = field(default=None)  # [place] 0..1, e.g. regularisation lowers risk
    # The members as agents (modules/members.Roster), set up by the organisation module;
    # `members` above is its count of active members by [organisation, place].
    roster: object = field(default=None)

    @property
    def n_orgs(self) -> int:
        return len(self.names)

    def kernel_arrays(self) -> EconomyArrays:
        """The economy's arrays that the journeys kernel reads and writes."""
        return EconomyArrays(*(getattr(self, name) for name in EconomyArrays._fields))

    def __post_init__(self) -> None:
        # The organisations' kinds never change: the gang mask is built once (the modules ask
        # for it several times a day), read-only so that no caller changes it for the others.
        self._gangs = np.array([k == "gang" for k in self.kinds], dtype=bool)
        self._gangs.flags.writeable = False
        self._networks = np.array([k == "network" for k in self.kinds], dtype=bool)
        self._networks.flags.writeable = False

    def gangs(self) -> np.ndarray:
        """Which organisations are gangs (not armed groups or networks)."""
        return self._gangs

    def networks(self) -> np.ndarray:
        """Which organisations stand for the other trafficking networks (no members or cells)."""
        return self._networks


def _day(date: dt.date | None, calendar: Calendar) -> int:
    """Day a business starts; one that started before the run has started on day 0."""
    return NEVER if date is None else calendar.in_force_from(date)


def build_economy(sim) -> Economy:
    """Economy arrays for a simulation; an empty economy if the scenario has no organisations."""
    scenario, world = sim.scenario, sim.world
    orgs = scenario.organisations
    n, nl, nc = len(orgs), world.n_locations, world.n_countries
    names = [o.name for o in orgs]
    cal = sim.calendar
    hq = np.array(
        [world.location_index(o.headquarters) if o.headquarters else -1 for o in orgs],
        dtype=np.int64,
    )
    members = np.zeros((n, nl))
    cell = np.zeros((n, nl), dtype=bool)
    for i, o in enumerate(orgs):
        if hq[i] >= 0:
            cell[i, hq[i]] = True
            members[i, hq[i]] = o.initial_members
    fee = np.where(world.link_crossing == 2, world.link_cost, 0.0)
    economy = Economy(
        names=names,
        kinds=[o.kind for o in orgs],
        n_locations=nl,
        n_countries=nc,
        founded_day=np.array([_day(o.founded, cal) for o in orgs], dtype=np.int64),
        smuggling_day=np.array([_day(o.smuggling_from, cal) for o in orgs], dtype=np.int64),
        packages_day=np.array([_day(o.packages_from, cal) for o in orgs], dtype=np.int64),
        # A network traffics from its founding unless the file dates it; a gang from its first
        # cell abroad (organisation module) unless the file dates it.
        exploitation_day=np.array(
            [
                _day(o.exploitation_from or (o.founded if o.kind == "network" else None), cal)
                for o in orgs
            ],
            dtype=np.int64,
        ),
        alliance_day=np.array([_day(o.alliance_from, cal) for o in orgs], dtype=np.int64),
        ally=np.array([names.index(o.ally) if o.ally else -1 for o in orgs], dtype=np.int64),
        expands=np.array([o.expands for o in orgs], dtype=bool),
        prison_inmates=np.array([o.prison_inmates for o in orgs], dtype=np.float64),
        hq_place=hq,
        hq_held=hq >= 0,
        coordination=np.ones(n),
        members=members,
        cell=cell,
        heat=np.zeros((n, nl)),
        rotation_until=np.full((n, nl), -1, dtype=np.int64),
        funds=np.zeros(n),
        link_fee=fee,
        link_base_fee=fee.copy(),
        link_controller=np.full(len(world.link_from), -1, dtype=np.int32),
        place_org=np.full(nl, -1, dtype=np.int32),
        recruit_prob=np.zeros((3, nl)),
        exploit_cdf=np.zeros((max(n, 1), nl)),
        control_capacity=np.zeros(max(n, 1)),
        ledger=np.zeros((n + 1, N_LEDGER)),
        victim_exit=np.zeros((3, nc)),
        package_org=np.full(nl, -1, dtype=np.int32),
        victims_by_org=np.zeros(max(n, 1), dtype=np.int64),
        victims_at=np.zeros((max(n, 1), nl), dtype=np.int64),
        victims_counted=np.zeros(max(n, 1), dtype=np.int64),
        link_crossings=np.zeros(len(world.link_from), dtype=np.int64),
        package_price=np.zeros((3, nl, len(world.destinations))),
        link_drug_route=np.zeros(len(world.link_from), dtype=np.int8),
        link_drug_org=np.full(len(world.link_from), -1, dtype=np.int32),
        revenue=np.zeros((n, len(STREAMS))),
        awareness=np.zeros(nl),
        protection=np.zeros(nl),
    )
    return economy
