"""The exodus, journeys and exploitation kernels against a slow plain-Python statement of the ODD.

The reference below is written from docs/ODD.md (sections 3.2, 4 "Stochasticity", 5, 7.1,
7.3-7.5, 7.7-7.9 and 7.12), not from the kernels: the initial stock; the per-agent rules of
departure (document, savings, sex and age, recruitment at origin, destination choice, package
purchase); every journey event (settled decisions, reconsidering, the logit draw of the next link,
stranding, work and debt bondage,
fares, living costs and fees, package clients whose way the seller pays, crossings and forced drug
carrying, death on a link, arrival and recruitment on arrival); and exploitation (making a victim
with the organisation's cost of control, moving the victim link by link at the organisation's cost
and the victim's debt, the monthly review with its debt and four exits, re-trafficking of freed
victims), with every entry of the money ledger and every counter.

The tiny scenario is run over its whole period; every day the other modules step as usual, then the
reference runs on copies of the state and the kernel on the real state, and everything the kernels
write is compared exactly. Where the ODD leaves a detail open (which `k` a draw uses, how a waiting
time is cut to whole days, the Box-Muller form of the normal draw), the reference follows the
kernel's convention and says so. The ODD's `returning` flag (2.1) ends with recruitment and when a
settled migrant moves on; two tests check the cases where a kernel once kept it. A slow test runs
the default scenario the same way.

Layout notes: agent fields are read and written only through `col`, per-agent random numbers are
keyed only through `draw_id`, and simulation state is reached by attribute name.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import statistics
from collections import Counter

import numpy as np
import pytest
from scipy import stats

import trocha
from trocha import rng
from trocha.kernels import counters as k
from trocha.loop import PHASES
from trocha.scenario.tables import DrugRouteRow, HostPolicyRow

# --- Layout helpers -----------------------------------------------------------------


def col(people, name: str) -> np.ndarray:
    """The array of one agent field (a column of the people table)."""
    return getattr(people, name)


def draw_id(people, a: int) -> int:
    """The identity that keys agent `a`'s random draws (ODD 4: the agent's uid)."""
    return int(col(people, "uid")[a])


def n_agents(people) -> int:
    return people.count


def set_n_agents(people, n: int) -> None:
    people.count = n


# Agent fields (ODD 2.1).
FIELDS = (
    "state",
    "document",
    "means",
    "returning",
    "origin",
    "location",
    "destination",
    "money",
    "uid",
    "route_version",
    "queue_next",
    "female",
    "minor",
    "package",
    "victim_org",
    "debt",
    "former_org",
    "recruit_clock",
)
# States (ODD 2.1).
TRAVELLING, STRANDED, SETTLED, RETURNED, DEAD, VICTIM = 1, 2, 3, 4, 5, 6
# Document classes (ODD 2.1) and crossing types (ODD 2.3).
ID_CARD, PASSPORT, VISA = 0, 1, 2
NO_CROSSING, OFFICIAL, IRREGULAR = 0, 1, 2
# Recruitment mechanisms (ODD 7.8), in the order of economy.recruit_prob's rows.
ORIGIN, DESTINATION, BONDAGE = 0, 1, 2
ID_CARD_ROUTES = 0  # ODD 7.9: victims are moved along the routes of an ID card
RECRUITED_ROW = (k.RECRUITED_ORIGIN, k.RECRUITED_DESTINATION, k.RECRUITED_BONDAGE)
NO_WAY_WAIT = 30  # ODD 7.4 step 2: retry in 30 days


# --- Random numbers, from ODD 4 "Stochasticity" ----------------------------------------------

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # the golden-ratio constant


def _mix(x: int) -> int:
    """SplitMix64's finaliser."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _uniform(key: int, day: int, agent: int, kk: int) -> float:
    """u = (mix(mix(key xor (day * gamma + k)) xor agent) >> 11) / 2^53."""
    h = _mix(key ^ ((day * _GAMMA + kk) & _MASK))
    h = _mix(h ^ (agent & _MASK))
    return (h >> 11) / float(1 << 53)


STREAMS = (
    "exodus.document",
    "exodus.money",
    "exodus.sex_age",
    "journeys.destination",
    "journeys.death",
    "journeys.work",
    "journeys.settled_when",
    "journeys.settled_what",
    "journeys.border",
    "journeys.route",
    "market.package",
    "market.drug_carrying",
    "exploitation.recruit",
    "exploitation.place",
    "exploitation.exit",
)


# --- The reference model ----------------------------------------------------------------------


class Reference:
    """Copies of everything the kernels write, the inputs they read, and the ODD's rules."""

    def __init__(self, sim, tally: Counter, odd_returning: bool = True, day: int = 0):
        eco, w, p = sim.economy, sim.world, sim.parameters
        self.tally = tally
        # ODD 2.1: `returning` is 1 only "while travelling back to the origin", so recruitment
        # ends a return journey (odd_returning=False follows an earlier kernel that kept it).
        self.odd_returning = odd_returning
        self.last_day = sim.last_day
        self.keys = {name: int(rng.stream_key(sim.seed, name)) for name in STREAMS}
        # State the kernels write (copies).
        self.people = copy.deepcopy(sim.people)
        self.queue_head = sim.queue_head.copy()
        self.current = sim.current.copy()
        self.daily = sim.daily.copy()
        self.loc = sim.location_counts.copy()
        self.ledger = eco.ledger.copy()
        self.victims_by_org = eco.victims_by_org.copy()
        self.victims_at = eco.victims_at.copy()
        self.link_crossings = eco.link_crossings.copy()
        self.parole_left = sim.parole_left.copy()  # places left this month (ODD 7.13)
        self.link_use = sim.link_use.copy()
        self.other = eco.ledger.shape[0] - 1  # the ledger's "everyone else" row
        # Inputs the kernels only read.
        self.version = sim.routing_version
        self.country = w.location_country
        self.destinations = w.destinations
        self.choice_cdf = sim.choice  # P as a cumulative row over destinations
        self.trip_cost = sim.routing.trip_cost  # M
        self.next_link = sim.routing.next_link
        self.route_cost = sim.routing.cost  # G
        self.link_gcost = sim.routing.link_cost  # g[c, l] as routed, inf where c may not go
        self.link_from, self.link_to, self.link_days = w.link_from, w.link_to, w.link_days
        self.link_crossing, self.link_risk, self.link_fare = (
            w.link_crossing,
            w.link_risk,
            w.link_cost,
        )
        self.link_fee, self.link_controller = eco.link_fee, eco.link_controller
        self.place_org, self.recruit_prob = eco.place_org, eco.recruit_prob
        self.control_capacity = eco.control_capacity
        self.victims_counted = eco.victims_counted  # ODD 7.8: the last weekly count
        self.exploit_cdf, self.victim_exit = eco.exploit_cdf, eco.victim_exit
        self.package_org, self.package_price = eco.package_org, eco.package_price
        self.drug_route, self.drug_org = eco.link_drug_route, eco.link_drug_org
        # ODD 7.5 and 7.13: host policies by country, today's values.
        self.stay_utility = sim.stay_utility
        self.apprehension, self.expulsion = sim.apprehension, sim.expulsion
        # Parameters, by their names in parameters.csv.
        self.p = p
        rate = p["onward_rate_per_year"] + p["return_rate_per_year"]
        self.settled_mean = 365.0 / rate
        # ODD 7.5: the return hazard's share of a settled migrant's events, by host (a lockdown
        # multiplies the return hazard by 1 + (return_lockdown_multiplier - 1) x its share).
        boost = 1.0 + (p["return_lockdown_multiplier"] - 1.0) * sim.lockdown
        self.return_share = np.minimum(1.0, p["return_rate_per_year"] * boost / rate)
        # ODD 7.4: wage x stranded_earning_share / 30 a day; a regularisation in force raises it
        # by coverage x wage_gain (interventions/protection.py; not in the ODD, see the report).
        gain = np.ones(w.n_countries)
        for programme in sim.interventions:
            first, last = programme.days(sim)
            if programme.kind != "regularisation" or not first <= day <= last:
                continue
            mask = programme.country_mask(sim)
            gain[mask] = np.maximum(gain[mask], 1 + programme.coverage * programme.wage_gain)
        # ODD 7.1: the better-off tier, those above the (1 - better_off_share) quantile of the
        # lognormal savings (no tier when the share is 0).
        share = p["better_off_share"]
        self.better_off_usd = (
            p["savings_median_usd"]
            * math.exp(p["savings_sigma"] * statistics.NormalDist().inv_cdf(1.0 - share))
            if share > 0
            else math.inf
        )
        self.wage_day = w.country_wage * p["stranded_earning_share"] / 30.0 * gain
        # ODD 7.5: a settled migrant saves settled_saving_share of the local monthly wage, i.e.
        # the stranded's daily earnings x settled_saving_share / stranded_earning_share.
        self.saving_ratio = p["settled_saving_share"] / p["stranded_earning_share"]
        self.weight = {  # ODD 7.8: demographic weight by (female, minor)
            (1, 0): 1.0,
            (1, 1): p["recruit_weight_girls"],
            (0, 0): p["recruit_weight_men"],
            (0, 1): p["recruit_weight_boys"],
        }

    # Agent fields and draws.
    def get(self, name, a):
        return col(self.people, name)[a]

    def set(self, name, a, value):
        col(self.people, name)[a] = value

    def u(self, stream, day, a, kk=0):
        return _uniform(self.keys[stream], int(day), int(draw_id(self.people, a)), kk)

    def exp(self, stream, day, a, kk, mean):
        return -mean * math.log(1.0 - self.u(stream, day, a, kk))

    # ODD 3.2: the event calendar.
    def push(self, a, day):
        if day <= self.last_day:
            self.set("queue_next", a, self.queue_head[day])
            self.queue_head[day] = a

    # ODD 7.3: the rows of the routing and choice tables an agent reads: its document class
    # within its means tier (3 document classes a tier).
    def route_class(self, a):
        return int(self.get("document", a)) + 3 * int(self.get("means", a))

    # ODD 7.3: destination choice among the affordable destinations.
    def choose(self, a, place, budget, kk, day):
        """Index into the destinations, or -1 if none is reachable."""
        doc = self.route_class(a)
        cdf, cost = self.choice_cdf[doc, place].tolist(), self.trip_cost[doc, place].tolist()
        u = self.u("journeys.destination", day, a, kk)
        weights = [now - before for now, before in zip(cdf, [0.0, *cdf[:-1]], strict=True)]
        reachable = [i for i in range(len(cdf)) if weights[i] > 0.0]
        if not reachable:
            return -1
        affordable = [i for i in reachable if cost[i] <= budget]
        if not affordable:  # "works its way": the cheapest reachable one
            return min(reachable, key=lambda i: (cost[i], i))
        total = 0.0
        for i in affordable:
            total += weights[i]
        acc = 0.0
        for i in affordable:
            acc += weights[i]
            if acc > u * total:
                return i
        return affordable[-1]

    def choose_place(self, a, place, budget, kk, day):
        i = self.choose(a, place, budget, kk, day)
        return int(self.destinations[i]) if i >= 0 else -1

    # ODD 5 (item 5): the initial stock, settled abroad before day 0; agent draws on day -1.
    def initial_stock(self, sim):
        w, p = sim.world, self.p
        rows = sim.scenario.initial_stock
        agents = np.array([r.people / sim.scale for r in rows])
        whole = np.floor(agents)
        rounding = rng.generator(sim.seed, "exodus.initial_stock", 0).random(len(rows))
        counts = (whole + (rounding < agents - whole)).astype(np.int64)
        population = w.location_population[w.origins]
        origin_cdf = np.cumsum(population / population.sum())
        a = n_agents(self.people)
        ranks: Counter = Counter()  # agents so far at each place (several rows may share one)
        for row, n in zip(rows, counts, strict=True):
            place = w.location_index(row.location)
            c = self.country[place]
            for _ in range(int(n)):
                # ODD 2.1: the uid of an initial-stock agent is (its place, day -1, rank there).
                self.set("uid", a, rng.agent_uid(place, -1, ranks[place]))
                ranks[place] += 1
                target = self.u("exodus.document", -1, a) * origin_cdf[-1]
                i = next(i for i in range(len(origin_cdf)) if origin_cdf[i] > target)
                # ODD 5 says female with probability 0.5; the code uses female_share.
                female = 1 if self.u("exodus.sex_age", -1, a) < p["female_share"] else 0
                for name, value in (
                    ("state", SETTLED),
                    ("document", PASSPORT),
                    ("means", 0),
                    ("returning", 0),
                    ("origin", w.origins[i]),
                    ("location", place),
                    ("destination", place),
                    ("money", 0.0),
                    ("route_version", 0),
                    ("female", female),
                    ("minor", 0),
                    ("package", 0),
                    ("victim_org", -1),
                    ("debt", 0.0),
                    ("former_org", -1),
                    ("recruit_clock", self.exp("exploitation.recruit", -1, a, 0, 1.0)),
                ):
                    self.set(name, a, value)
                self.current[k.PRESENT, c] += 1
                self.loc[k.LOC_PRESENT, place] += 1
                self.push(a, int(self.exp("journeys.settled_when", -1, a, 0, self.settled_mean)))
                a += 1
        set_n_agents(self.people, a)
        return a

    # ODD 7.1: departures.
    def spawn(self, day, counts, origins):
        a = n_agents(self.people)
        for place, n in zip(origins, counts, strict=True):
            place, c = int(place), self.country[place]
            for rank in range(int(n)):
                self._depart(a, place, c, day, rank)
                a += 1
        set_n_agents(self.people, a)

    def _depart(self, a, place, c, day, rank):
        p = self.p
        # ODD 2.1: the uid is (origin place, departure day, rank among that day's departures).
        self.set("uid", a, rng.agent_uid(place, day, rank))
        u = self.u("exodus.document", day, a)
        doc = VISA if u < p["visa_share"] else PASSPORT if u < p["passport_share"] else ID_CARD
        # Z ~ N(0, 1) by Box-Muller from draws k = 0, 1 (the ODD does not say how).
        u1, u2 = 1.0 - self.u("exodus.money", day, a, 0), self.u("exodus.money", day, a, 1)
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        cash = p["savings_median_usd"] * math.exp(p["savings_sigma"] * z)
        female = 1 if self.u("exodus.sex_age", day, a, 0) < p["female_share"] else 0
        minor = 1 if self.u("exodus.sex_age", day, a, 1) < p["minor_share"] else 0
        means = 1 if doc != ID_CARD and cash >= self.better_off_usd else 0
        self.tally["better_off" if means else "budget"] += 1
        for name, value in (
            ("state", TRAVELLING),
            ("document", doc),
            ("means", means),
            ("returning", 0),
            ("origin", place),
            ("location", place),
            ("money", cash),
            ("route_version", self.version),
            ("female", female),
            ("minor", minor),
            ("package", 0),
            ("victim_org", -1),
            ("debt", 0.0),
            ("former_org", -1),
            ("recruit_clock", self.exp("exploitation.recruit", day, a, 0, 1.0)),
        ):
            self.set(name, a, value)
        self.ledger[self.other, k.L_SAVINGS_IN] += cash
        self.current[k.PRESENT, c] += 1
        self.current[k.MOVING, c] += 1
        self.daily[k.DEPARTURES, c] += 1
        self.loc[k.LOC_PRESENT, place] += 1
        if self.recruit(a, ORIGIN, place, 1.0, day):
            return
        i = self.choose(a, place, cash, 0, day)
        self.set("destination", a, int(self.destinations[i]) if i >= 0 else -1)
        seller = self.package_org[place]
        # ODD 7.7: the package offer, at the market's price, to the budget tier
        if seller >= 0 and i >= 0 and means == 0:
            price = self.package_price[doc, place, i]
            if (
                price > 0
                and cash >= price
                and self.u("market.package", day, a) < p["package_take_up"]
            ):
                self.set("money", a, self.get("money", a) - price)
                self.ledger[seller, k.L_PACKAGES] += price
                self.set("package", a, seller + 1)
                self.tally["package_sold"] += 1
        self.push(a, day)

    # ODD 7.8: the organisation's cost of control: the share of opportunities it takes.
    def control(self, org):
        capacity = self.control_capacity[org]
        if capacity <= 0.0:
            return 0.0
        ratio = self.victims_counted[org] / capacity
        return 1.0 / (1.0 + ratio ** self.p["control_cost_exponent"])

    # ODD 7.8: recruitment into exploitation.
    def recruit(self, a, mechanism, place, exposure, day):
        org = self.place_org[place]
        if org < 0:
            return False
        weight = self.weight[(int(self.get("female", a)), int(self.get("minor", a)))]
        control = self.control(org)
        if 0.0 < control < 0.5:
            self.tally["recruitment_damped_by_control"] += 1
        prob = self.recruit_prob[mechanism, place] * exposure * weight * control
        if prob <= 0.0:
            return False
        # ODD 7.8: the recruitment clock, an Exp(1) hazard budget; each exposure uses -ln(1 - p).
        clock = float(self.get("recruit_clock", a)) + (
            math.log(1.0 - prob) if prob < 1.0 else -math.inf
        )
        if clock > 0.0:
            self.set("recruit_clock", a, clock)
            return False
        self.set("recruit_clock", a, self.exp("exploitation.recruit", day, a, 4, 1.0))
        self.make_victim(a, org, day)
        self.daily[RECRUITED_ROW[mechanism], self.country[place]] += 1
        self.tally[("recruited", mechanism)] += 1
        return True

    def make_victim(self, a, org, day):
        here = int(self.get("location", a))
        c = self.country[here]
        self.victims_by_org[org] += 1
        self.victims_at[org, here] += 1
        state = self.get("state", a)
        if state == STRANDED:
            self.current[k.STRANDED_NOW, c] -= 1
            self.loc[k.LOC_STRANDED, here] -= 1
        if state in (TRAVELLING, STRANDED):
            self.current[k.MOVING, c] -= 1
        self.ledger[org, k.L_CONFISCATED] += self.get("money", a)
        self.set("money", a, 0.0)
        self.set("debt", a, self.p["victim_debt_usd"])
        self.set("victim_org", a, org)
        self.set("former_org", a, -1)
        self.set("package", a, 0)
        if self.get("returning", a):
            self.tally["recruited_on_the_way_home"] += 1
        if self.odd_returning:
            self.set("returning", a, 0)
        # An exploitation place drawn in proportion to the population of the org's held cities;
        # the victim is held where it was taken and moved there from tomorrow.
        cdf = self.exploit_cdf[org]
        there = here
        if cdf[-1] > 0.0:
            target = self.u("exploitation.place", day, a) * cdf[-1]
            there = next((i for i in range(len(cdf)) if cdf[i] > target), len(cdf) - 1)
        self.tally["victim_moved" if there != here else "victim_stays_put"] += 1
        self.set("destination", a, there)
        self.loc[k.LOC_VICTIMS, here] += 1
        self.current[k.VICTIMS_NOW, c] += 1
        self.daily[k.VICTIMS_NEW, c] += 1
        self.set("state", a, VICTIM)
        review_days = int(self.p["victim_review_days"])
        self.push(a, day + (review_days if there == here else 1))

    def leave(self, a, here, c):
        self.victims_by_org[self.get("victim_org", a)] -= 1
        self.victims_at[self.get("victim_org", a), here] -= 1
        self.set("victim_org", a, -1)
        self.current[k.VICTIMS_NOW, c] -= 1
        self.loc[k.LOC_VICTIMS, here] -= 1

    def victim_dies(self, a, here, c, where):
        self.leave(a, here, c)
        self.daily[k.VICTIMS_DIED, where] += 1
        self.daily[k.DEATHS, where] += 1
        self.ledger[self.other, k.L_LOST] += self.get("money", a)
        self.set("money", a, 0.0)
        self.set("state", a, DEAD)
        self.current[k.PRESENT, c] -= 1
        self.loc[k.LOC_PRESENT, here] -= 1

    # ODD 7.9: the organisation moves a victim one link on (ID-card routes), paying the way.
    def move_victim(self, a, here, c, day):
        p = self.p
        dest, org = int(self.get("destination", a)), self.get("victim_org", a)
        link = int(self.next_link[ID_CARD_ROUTES, here, dest])
        if link < 0:
            self.tally["victim_taken_directly"] += 1
            travel_days, there = 1, dest
        else:
            self.tally["victim_moved_on_link"] += 1
            travel_days = max(1, round(self.link_days[link]))
            there = int(self.link_to[link])
            crossing = self.link_crossing[link]
            cost = p["living_cost_usd_day"] * travel_days
            if crossing == IRREGULAR:
                if self.link_controller[link] != org:
                    cost += self.link_fee[link]
            else:
                cost += self.link_fare[link]
            self.ledger[org, k.L_TRAFFICKING_COSTS] += cost
            self.set("debt", a, float(self.get("debt", a)) + cost)
            self.link_use[link] += 1
            if crossing == OFFICIAL:
                self.daily[k.OFFICIAL, self.country[there]] += 1
            elif crossing == IRREGULAR:
                self.daily[k.IRREGULAR, self.country[there]] += 1
                self.link_crossings[link] += 1
            risk = self.link_risk[link]
            if risk > 0.0 and self.u("exploitation.exit", day, a, 2) < risk:
                self.tally["victim_died_on_the_way"] += 1
                self.victim_dies(a, here, c, self.country[there])
                return
        c2 = self.country[there]
        for row, place in ((k.LOC_PRESENT, here), (k.LOC_VICTIMS, here)):
            self.loc[row, place] -= 1
        self.current[k.PRESENT, c] -= 1
        self.current[k.VICTIMS_NOW, c] -= 1
        self.set("location", a, there)
        self.loc[k.LOC_PRESENT, there] += 1
        self.loc[k.LOC_VICTIMS, there] += 1
        self.victims_at[org, here] -= 1
        self.victims_at[org, there] += 1
        self.current[k.PRESENT, c2] += 1
        self.current[k.VICTIMS_NOW, c2] += 1
        review_days = int(p["victim_review_days"]) if there == dest else 0
        self.push(a, day + travel_days + review_days)

    # ODD 7.9: a victim's event: on the way, or the review with its debt and exits.
    def review(self, a, day):
        p = self.p
        here = int(self.get("location", a))
        c = self.country[here]
        if here != self.get("destination", a):
            self.move_victim(a, here, c, day)
            return
        days = p["victim_review_days"]
        charges = (p["victim_lodging_usd_day"] + p["victim_fine_usd_day"]) * days
        credited = p["victim_earning_share"] * p["victim_revenue_usd_day"] * days
        # float32 debt, as the people table stores it (ODD 2.1)
        debt = np.float32(float(self.get("debt", a)) + charges - credited)
        self.set("debt", a, debt)
        # ODD 7.9: the draws of a review are keyed by the victim's review number, not the day.
        review = int(self.get("victim_reviews", a))
        self.set("victim_reviews", a, review + 1)
        u = self.u("exploitation.exit", review, a, 0)
        p_id, p_esc, p_die = self.victim_exit[:, c]
        if u >= p_id + p_esc + p_die and debt > 0.0:
            self.tally["victim_kept"] += 1
            self.push(a, day + int(days))
            return
        if p_id + p_esc <= u < p_id + p_esc + p_die:
            self.tally["victim_died"] += 1
            self.victim_dies(a, here, c, c)
            return
        org = self.get("victim_org", a)
        self.leave(a, here, c)
        if u < p_id:
            self.daily[k.VICTIMS_IDENTIFIED, c] += 1
            self.tally["victim_identified"] += 1
        elif u < p_id + p_esc:
            self.daily[k.VICTIMS_ESCAPED, c] += 1
            self.tally["victim_escaped"] += 1
        else:
            self.daily[k.VICTIMS_RELEASED, c] += 1
            self.tally["victim_released"] += 1
            self.set("debt", a, 0.0)
        self.set("former_org", a, org)
        self.set("state", a, SETTLED)
        # The organisation may come back after a waiting time drawn from the exit stream (k = 1).
        wait = self.exp("exploitation.exit", review, a, 1, p["retrafficking_days"])
        self.push(a, day + 1 + int(wait))

    # ODD 7.9: the organisation comes back for a freed victim.
    def retraffic(self, a, c, day):
        org = self.get("former_org", a)
        self.set("former_org", a, -1)
        prob = self.p["retrafficking_probability"] * self.control(org)
        if prob > 0.0 and self.u("exploitation.recruit", day, a, 3) < prob:
            self.tally["retrafficked"] += 1
            self.make_victim(a, org, day)
            self.daily[k.RECRUITED_AGAIN, c] += 1
            return
        self.tally["not_retrafficked"] += 1
        wait = self.exp("journeys.settled_when", day, a, 2, self.settled_mean)
        self.push(a, day + 1 + int(wait))

    # ODD 3.2: one day of the calendar.
    def process_day(self, day):
        bucket = []
        a = self.queue_head[day]
        while a != -1:
            bucket.append(int(a))
            a = self.get("queue_next", a)
        self.queue_head[day] = -1
        for a in bucket:
            self.set("queue_next", a, -1)
            self.event(a, day)
        return len(bucket)

    def strand(self, a, c, here):
        if self.get("state", a) != STRANDED:
            self.set("state", a, STRANDED)
            self.current[k.STRANDED_NOW, c] += 1
            self.loc[k.LOC_STRANDED, here] += 1
            self.daily[k.STRANDINGS, c] += 1
            self.tally["stranding"] += 1

    def event(self, a, day):
        here = int(self.get("location", a))
        c = self.country[here]
        state = self.get("state", a)
        if state == VICTIM:
            self.review(a, day)
            return
        if state == SETTLED and self.get("former_org", a) >= 0:
            self.retraffic(a, c, day)
            return
        if state == SETTLED and not self.settled_decision(a, here, c, day):
            return
        # ODD 7.4 step 1: reconsider after a regime change.
        if (
            self.get("returning", a) == 0
            and self.get("package", a) == 0
            and (self.get("route_version", a) != self.version or self.get("destination", a) < 0)
        ):
            self.tally["reconsider"] += 1
            budget = self.get("money", a) + self.wage_day[c] * self.p["plan_work_days"]
            self.set("destination", a, self.choose_place(a, here, budget, 2, day))
            self.set("route_version", a, self.version)
        dest = int(self.get("destination", a))
        if dest == here:  # step 3: arrival
            self.arrive(a, here, c, day)
            return
        link = self.route(a, here, dest, day) if dest >= 0 else -1
        if link < 0:  # step 2: no way on
            self.tally["no_way_on"] += 1
            self.strand(a, c, here)
            self.push(a, day + NO_WAY_WAIT)
            return
        self.hop(a, here, c, link, day)

    # ODD 7.3 "Route choice" and 7.4 step 2: the next link, a logit draw over the links leaving
    # `here` that make progress towards `dest`, and the cheapest route's first link.
    def route(self, a, here, dest, day):
        doc = self.route_class(a)
        best = int(self.next_link[doc, here, dest])
        scale = self.p["route_choice_scale_usd"]
        if best < 0 or scale <= 0:
            return best
        G, g = self.route_cost[doc], self.link_gcost[doc]
        cheapest = g[best] + G[self.link_to[best], dest]
        options = []  # in the order of the links table
        for link in range(len(self.link_from)):
            ahead = G[self.link_to[link], dest]
            progress = math.isfinite(g[link]) and ahead < G[here, dest]
            if self.link_from[link] == here and (link == best or progress):
                options.append((link, math.exp(-(g[link] + ahead - cheapest) / scale)))
        total = 0.0
        for _, weight in options:
            total += weight
        u = self.u("journeys.route", day, a)
        acc = 0.0
        for link, weight in options:
            acc += weight
            if acc > u * total:
                self.tally["route_not_cheapest" if link != best else "route_cheapest"] += 1
                return link
        return best

    # ODD 7.5: the slow decision of a settled migrant; True if it sets off.
    def settled_decision(self, a, here, c, day):
        paroled_to = self.parole(a, here, c) if self.get("document", a) == PASSPORT else -1
        if paroled_to >= 0:
            self.tally["parole"] += 1
            self.set("destination", a, paroled_to)
            self.set("route_version", a, self.version)
            self.set("returning", a, 0)
        elif self.u("journeys.settled_what", day, a) < self.return_share[c]:
            self.tally["return_decision"] += 1
            self.set("returning", a, 1)
            self.set("destination", a, self.get("origin", a))
            self.daily[k.RETURN_DEPARTURES, c] += 1
        else:
            budget = self.get("money", a) + self.wage_day[c] * self.p["plan_work_days"]
            i = self.choose(a, here, budget, 1, day)
            new = int(self.destinations[i]) if i >= 0 else -1
            if new < 0 or self.country[new] == c or not self.beats_staying(a, here, c, i, day):
                self.tally["settled_stays"] += 1
                self.stay(a, c, day, 0)
                return False
            self.tally["onward_move"] += 1
            self.set("destination", a, new)
            self.set("route_version", a, self.version)
        self.set("state", a, TRAVELLING)
        self.current[k.MOVING, c] += 1
        return True

    def parole(self, a, here, c):
        """ODD 7.13: the first other country (by index) with a whole place left this month; the
        parolee heads for its city with the largest visa-class choice weight from here (the
        first of equals), with a visa-class document. -1 if none."""
        row = self.choice_cdf[VISA + 3 * int(self.get("means", a)), here].tolist()
        weights = [now - before for now, before in zip(row, [0.0, *row[:-1]], strict=True)]
        for country in range(len(self.parole_left)):
            if country == c or self.parole_left[country] < 1.0:
                continue
            cities = [
                (weights[i], -i)
                for i in range(len(weights))
                if weights[i] > 0.0 and self.country[self.destinations[i]] == country
            ]
            if cities:
                best = -max(cities)[1]
                self.parole_left[country] -= 1.0
                self.set("document", a, VISA)
                self.daily[k.PAROLES, country] += 1
                return int(self.destinations[best])
        return -1

    def beats_staying(self, a, here, c, i, day):
        """ODD 7.5: the drawn destination against staying, a binary logit whose stay side has
        the choice weight of `here` (0 if not a destination) times exp(stay premium of c)."""
        row = self.choice_cdf[self.route_class(a), here].tolist()
        weights = [now - before for now, before in zip(row, [0.0, *row[:-1]], strict=True)]
        stay = sum(w for j, w in enumerate(weights) if self.destinations[j] == here)
        stay *= math.exp(self.stay_utility[c])
        moves = self.u("journeys.settled_what", day, a, 1) * (weights[i] + stay) < weights[i]
        self.tally["settled_weighs_staying" if stay > 0 else "settled_nothing_to_keep"] += 1
        return moves

    def stay(self, a, c, day, kk):
        """ODD 7.5: the next slow event; the savings of the whole wait are paid when it is
        drawn (whole days, cut at the end of the run)."""
        wait = 1 + int(self.exp("journeys.settled_when", day, a, kk, self.settled_mean))
        saved = self.wage_day[c] * self.saving_ratio * min(wait, self.last_day + 1 - day)
        if saved > 0.0:
            self.tally["savings"] += 1
            self.set("money", a, self.get("money", a) + saved)
            self.ledger[self.other, k.L_EARNINGS_IN] += saved
        self.push(a, day + wait)

    def arrive(self, a, here, c, day):
        if self.get("state", a) == STRANDED:
            self.current[k.STRANDED_NOW, c] -= 1
            self.loc[k.LOC_STRANDED, here] -= 1
        self.current[k.MOVING, c] -= 1
        if self.get("returning", a) == 1:
            self.tally["returned_home"] += 1
            self.set("state", a, RETURNED)
            self.current[k.PRESENT, c] -= 1
            self.loc[k.LOC_PRESENT, here] -= 1
            self.daily[k.RETURNS, c] += 1
            return
        self.tally["arrival"] += 1
        self.set("state", a, SETTLED)
        self.daily[k.ARRIVALS, c] += 1
        client = self.get("package", a) > 0
        self.tally["package_client_arrived"] += client
        self.set("package", a, 0)  # the package ends on arrival
        exposure = self.p["package_exposure"] if client else 1.0
        if self.recruit(a, DESTINATION, here, exposure, day):
            return
        self.stay(a, c, day, 1)

    # ODD 7.4 steps 4-7: the next link.
    def hop(self, a, here, c, link, day):
        p = self.p
        travel_days = max(1, round(self.link_days[link]))
        living = p["living_cost_usd_day"] * travel_days
        crossing = self.link_crossing[link]
        controller = self.link_controller[link] if crossing == IRREGULAR else -1
        price = self.link_fee[link] if crossing == IRREGULAR else self.link_fare[link]
        seller = self.get("package", a) - 1
        if seller >= 0:
            own = crossing == IRREGULAR and controller == seller
            self.ledger[seller, k.L_PACKAGE_COSTS] += (0.0 if own else price) + living
            self.tally["package_leg_paid_by_seller"] += 1
            self.tally["package_own_crossing"] += own
        elif self.get("money", a) < price + living:
            self.stranded_without_money(a, here, c, day)
            return
        else:
            self.set("money", a, self.get("money", a) - (price + living))
            if crossing == IRREGULAR:
                payee = controller if controller >= 0 else self.other
                self.ledger[payee, k.L_FEES] += price
                self.tally["fee_to_organisation" if controller >= 0 else "fee_to_others"] += 1
            else:
                self.ledger[self.other, k.L_FARES] += price
            self.ledger[self.other, k.L_LIVING] += living
        if self.get("state", a) == STRANDED:
            self.tally["leaves_stranding"] += 1
            self.set("state", a, TRAVELLING)
            self.current[k.STRANDED_NOW, c] -= 1
            self.loc[k.LOC_STRANDED, here] -= 1
        there = int(self.link_to[link])
        c2 = self.country[there]
        self.link_use[link] += 1
        if crossing == OFFICIAL:
            self.daily[k.OFFICIAL, c2] += 1
        elif crossing == IRREGULAR:
            self.daily[k.IRREGULAR, c2] += 1
            self.link_crossings[link] += 1
        held = 0
        # ODD 7.7: forced drug carrying on a drug route, for the organisation operating there or
        # else for the client's package seller; an arrested carrier loses the load and is held.
        carrier = self.drug_org[link] if self.drug_org[link] >= 0 else seller
        if (
            self.drug_route[link]
            and carrier >= 0
            and self.u("market.drug_carrying", day, a, 0) < p["drug_carry_probability"]
        ):
            if self.u("market.drug_carrying", day, a, 1) < p["drug_carrier_arrest_probability"]:
                self.tally["drug_carrier_arrested"] += 1
                self.daily[k.DRUG_ARRESTS, c2] += 1
                held = round(p["drug_detention_days"])
            else:
                self.tally["drug_carrying"] += 1
                self.ledger[carrier, k.L_DRUGS] += p["drug_carry_value_usd"]
        # ODD 7.13: met at the border (an encounter), perhaps expelled back to `here`.
        if crossing == IRREGULAR and self.u("journeys.border", day, a, 0) < self.apprehension[c2]:
            self.tally["encounter"] += 1
            self.daily[k.ENCOUNTERS, c2] += 1
            if self.u("journeys.border", day, a, 1) < self.expulsion[c2]:
                self.tally["expulsion"] += 1
                self.daily[k.EXPULSIONS, c2] += 1
                self.set("route_version", a, -1)  # reconsider from here
                self.push(a, day + travel_days + held)
                return
        self.loc[k.LOC_PRESENT, here] -= 1
        self.current[k.PRESENT, c] -= 1
        self.current[k.MOVING, c] -= 1
        if self.link_risk[link] > 0.0 and self.u("journeys.death", day, a) < self.link_risk[link]:
            self.tally["death_on_link"] += 1
            self.set("state", a, DEAD)
            self.daily[k.DEATHS, c2] += 1
            self.ledger[self.other, k.L_LOST] += self.get("money", a)
            self.set("money", a, 0.0)
            return
        self.set("location", a, there)
        self.loc[k.LOC_PRESENT, there] += 1
        self.current[k.PRESENT, c2] += 1
        self.current[k.MOVING, c2] += 1
        self.push(a, day + travel_days + held)

    def stranded_without_money(self, a, here, c, day):
        p = self.p
        if self.get("state", a) == STRANDED and self.get("returning", a) == 0:
            # Stranded a second time: redraw among places within reach of money + a work spell.
            budget = self.get("money", a) + self.wage_day[c] * p["stranded_work_days"]
            new = self.choose_place(a, here, budget, 3, day)
            self.tally["stranded_redraw"] += 1
            if new >= 0:
                self.set("destination", a, new)
        self.strand(a, c, here)
        if self.recruit(a, BONDAGE, here, 1.0, day):
            return
        self.tally["work_spell"] += 1
        work = 1.0 + self.exp("journeys.work", day, a, 0, p["stranded_work_days"])
        earned = self.wage_day[c] * work
        self.set("money", a, self.get("money", a) + earned)
        self.ledger[self.other, k.L_EARNINGS_IN] += earned
        self.push(a, day + round(work))


# --- Driving kernel and reference side by side ------------------------------------------------


def _compare(sim, ref: Reference, day: int, what: str) -> None:
    eco = sim.economy
    assert n_agents(sim.people) == n_agents(ref.people), (day, what, "count")
    for name in FIELDS:
        assert np.array_equal(col(sim.people, name), col(ref.people, name)), (day, what, name)
    for name, mine, theirs in (
        ("queue_head", ref.queue_head, sim.queue_head),
        ("current", ref.current, sim.current),
        ("daily", ref.daily, sim.daily),
        ("location_counts", ref.loc, sim.location_counts),
        ("ledger", ref.ledger, eco.ledger),
        ("link_use", ref.link_use, sim.link_use),
        ("victims_by_org", ref.victims_by_org, eco.victims_by_org),
        ("victims_at", ref.victims_at, eco.victims_at),
        ("link_crossings", ref.link_crossings, eco.link_crossings),
        ("parole_left", ref.parole_left, sim.parole_left),
    ):
        assert np.array_equal(mine, theirs), (day, what, name)


def _departures_today(sim, exodus, day: int) -> np.ndarray:
    """ODD 7.1 and 4: Poisson(E(t) / scale x w_i) agents per origin region (E(t) from the
    module), by inversion of one draw of stream exodus.count per (origin place, day)."""
    w = sim.world
    share = w.location_population[w.origins] / w.location_population[w.origins].sum()
    expected = exodus.expected_departures(sim, day) / sim.scale
    key = rng.stream_key(sim.seed, "exodus.count")
    draws = [_uniform(key, day, int(place), 0) for place in w.origins]
    counts = stats.poisson.ppf(draws, expected * share)
    return np.where(expected * share > 0, counts, 0).astype(np.int64)


def run_with_reference(sim, odd_returning: bool = True) -> Counter:
    """Step every module every day; exodus and journeys are each checked against the reference.

    The kernel takes every hop on its own day here, as the reference does (hop chains give the
    same results: tests/kernels/test_hop_chains.py)."""
    tally: Counter = Counter()
    next(m for m in sim.modules if m.name == "journeys").chain_hops = False
    for module in sim.modules:
        if module.name == "exodus":
            sim.people.reserve(
                sum(int(r.people / sim.scale) + 1 for r in sim.scenario.initial_stock)
            )
            ref = Reference(sim, tally, odd_returning)
            stock = ref.initial_stock(sim)
            module.init(sim)
            assert sim.initial_emigrants == stock
            _compare(sim, ref, -1, "initial stock")
        else:
            module.init(sim)
    for day in range(sim.n_days):
        for phase in PHASES:
            for module in sim.modules:
                if phase == "step" and module.name == "exodus":
                    counts = _departures_today(sim, module, day)
                    sim.people.reserve(int(counts.sum()))
                    ref = Reference(sim, tally, odd_returning, day)
                    ref.spawn(day, counts, sim.world.origins)
                    module.step(sim, day)
                    _compare(sim, ref, day, "exodus")
                elif phase == "step" and module.name == "journeys":
                    ref = Reference(sim, tally, odd_returning, day)
                    handled = ref.process_day(day)
                    before = sim.events_handled
                    module.step(sim, day)
                    assert sim.events_handled - before == handled, day
                    _compare(sim, ref, day, "journeys")
                else:
                    getattr(module, phase)(sim, day)
        sim.finish_day(day)
    return tally


def _tiny_with_every_mechanism():
    """Tiny, with the criminal economy's rates raised so that every mechanism fires."""
    scenario = trocha.load_scenario("tiny").with_parameters(
        savings_median_usd=120.0,
        female_share=0.6,
        recruit_origin_probability=0.02,
        recruit_destination_probability=0.02,
        recruit_bondage_probability=0.05,
        victims_per_member=3.0,
        victim_debt_usd=100.0,
        victim_earning_share=0.5,  # debt falls by about 15 USD a review: kept, then released
        retrafficking_probability=0.5,
        retrafficking_days=60.0,
        victim_identification_rate_year=1.0,
        victim_escape_rate_year=0.5,
        victim_death_rate_year=0.3,
        drug_carry_probability=0.3,
        drug_carrier_arrest_probability=0.3,
        package_take_up=0.5,
        package_start_margin_usd_year=1e4,
        arrest_rate_week=0.001,  # the gang keeps its crossings longer (and sells packages)
        onward_rate_per_year=0.2,
        return_rate_per_year=0.05,
        plan_work_days=60.0,  # destinations beyond the cash, within reach of work
        better_off_share=0.3,
    )
    # Deadlier trochas so that deaths on links happen at a coarse scale; no trocha at Rumichaca,
    # so that the 2020 closure of Colombia leaves no way north from Ecuador (ODD 7.4 step 2).
    routes = [
        r.model_copy(update={"death_risk": r.death_risk * 30}) if r.death_risk > 0 else r
        for r in scenario.routes
        if not (r.from_ == "Ipiales" and r.crossing == "irregular")
    ]
    # Host policies (ODD 7.13): Peru meets and expels irregular entrants from Ecuador from 2019
    # and Colombia's migrants weigh staying with a protection premium from 2019.
    policies = [
        HostPolicyRow(
            date=dt.date(2019, 1, 1), country=c, policy=policy, value=v, source_id="ILLUSTRATIVE"
        )
        for c, policy, v in (
            ("PER", "apprehension", 0.8),
            ("PER", "expulsion", 0.5),
            ("COL", "protection", 0.5),
            ("COL", "parole", 3000.0),
        )
    ]
    # Drugs are carried across the first border (by the gang that controls its trochas, or for
    # the seller of a package) and across Ecuador's (for package clients only).
    drug_routes = [
        DrugRouteRow(**{"from": a, "to": b, "source_id": "ILLUSTRATIVE"})
        for a, b in (("San Antonio del Táchira", "Cúcuta"), ("Quito", "Tumbes"))
    ]
    return dataclasses.replace(
        scenario, routes=routes, host_policies=policies, drug_routes=drug_routes
    )


def test_kernels_match_the_odd_reference_over_the_whole_tiny_period():
    sim = trocha.Simulation(_tiny_with_every_mechanism(), seed=11, scale=500)
    tally = run_with_reference(sim)
    print(dict(tally))
    # The comparison covered every kind of event.
    for event in (
        ("recruited", ORIGIN),
        ("recruited", DESTINATION),
        ("recruited", BONDAGE),
        "victim_identified",
        "victim_escaped",
        "victim_died",
        "victim_kept",
        "package_sold",
        "package_leg_paid_by_seller",
        "package_client_arrived",
        "drug_carrying",
        "drug_carrier_arrested",
        "death_on_link",
        "stranding",
        "work_spell",
        "stranded_redraw",
        "leaves_stranding",
        "return_decision",
        "returned_home",
        "onward_move",
        "settled_stays",
        "reconsider",
        "fee_to_organisation",
        "fee_to_others",
        "recruited_on_the_way_home",
        "victim_moved",
        "victim_stays_put",
        "recruitment_damped_by_control",
        "victim_moved_on_link",
        "victim_released",
        "retrafficked",
        "not_retrafficked",
        "package_own_crossing",
        "no_way_on",
        "encounter",
        "expulsion",
        "savings",
        "settled_weighs_staying",
        "parole",
        "route_cheapest",
        "route_not_cheapest",
        "better_off",
        "budget",
    ):
        assert tally[event] > 0, event
    # Money is conserved (ODD 7.12).
    ledger = sim.economy.ledger
    held = col(sim.people, "money")[: n_agents(sim.people)].sum()
    money_in = ledger[:, [k.L_SAVINGS_IN, k.L_EARNINGS_IN]].sum()
    money_out = ledger[:, list(k.MIGRANT_OUT)].sum()
    assert money_in == pytest.approx(held + money_out, rel=1e-9)


def test_recruitment_ends_a_return_journey_as_the_odd_says():
    """With the ODD's rule the comparison stops at the first migrant recruited on the way home."""
    sim = trocha.Simulation(_tiny_with_every_mechanism(), seed=11, scale=500)
    run_with_reference(sim, odd_returning=True)


def test_a_freed_victim_who_moves_on_arrives_as_a_migrant_not_a_returnee():
    """ODD 7.5 and 7.9: a freed victim settles; moving on, it is not travelling home.

    The state the kernel leaves after recruiting a returning migrant who is later identified in a
    transit city (Quito): settled, returning=1, no money. It moves on (the return rate is 0), works
    its way to a destination abroad and, on arrival, the kernel counts it as returned there.
    """
    scenario = trocha.load_scenario("tiny").with_parameters(
        return_rate_per_year=0.0, onward_rate_per_year=1.0
    )
    sim = trocha.Simulation(scenario, seed=2, scale=100)
    for module in sim.modules:
        module.init(sim)
    w, people = sim.world, sim.people
    quito, caracas = w.location_index("Quito"), w.location_index("Caracas")
    people.reserve(1)
    a = n_agents(people)
    set_n_agents(people, a + 1)
    for name, value in (
        ("state", SETTLED),
        ("document", ID_CARD),
        ("returning", 1),
        ("origin", caracas),
        ("location", quito),
        ("destination", quito),
        ("money", 0.0),
        ("uid", rng.agent_uid(quito, -1, 999_999)),
        ("route_version", sim.routing_version),
        ("victim_org", -1),
        ("debt", 2000.0),
    ):
        col(people, name)[a] = value
    sim.current[k.PRESENT, w.location_country[quito]] += 1
    sim.location_counts[k.LOC_PRESENT, quito] += 1
    col(people, "queue_next")[a] = sim.queue_head[0]
    sim.queue_head[0] = a
    journeys = next(m for m in sim.modules if m.name == "journeys")
    returns = 0
    for day in range(sim.n_days):
        sim.daily[:] = 0
        journeys.step(sim, day)
        returns += int(sim.daily[k.RETURNS].sum())
        if col(people, "state")[a] in (SETTLED, RETURNED, DEAD) and day > 0:
            break
    here = col(people, "location")[a]
    assert w.location_country[here] != w.location_country[quito]  # it did move on
    assert returns == 0 and col(people, "state")[a] == SETTLED


@pytest.mark.slow
def test_kernels_match_the_odd_reference_on_the_default_scenario():
    """2014-2024 of the default scenario at a coarse scale: three organisations, an ally, air
    links, and Colombia's 2021 regularisation (which raises what the stranded earn there).
    Packages start when their expected margin and rent per client pass thresholds that no target
    informs; the rent's is lowered here so that this seed sells them well before the end."""
    scenario = trocha.load_scenario("venezuela").with_parameters(
        package_start_margin_usd_year=1e6, package_start_rent_usd=0.0
    )
    sim = trocha.Simulation(scenario, seed=2, scale=2000)
    tally = run_with_reference(sim)
    assert any(iv.kind == "regularisation" for iv in sim.interventions)
    for event in (
        "arrival",
        "stranding",
        "package_sold",
        "fee_to_organisation",
        "onward_move",
        "savings",
        "settled_weighs_staying",
        "parole",
    ):
        assert tally[event] > 0, event
