"""Output tables of a run, in people (agents times scale), as long tables.

timeseries: date, country (ISO3 or "ALL"), metric, value   (daily)
locations:  date, location, metric, value                   (weekly)
links:      date, from, to, crossing, value                  (weekly: people who set out on the
                                                              link since the previous count)
events:     date, kind, location, country, detail
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..kernels import counters as k
from .result import Result

if TYPE_CHECKING:
    from ..simulation import Simulation

# metric -> (unit, description); the README lists the same.
METRICS: dict[str, tuple[str, str]] = {
    "migrant_stock": ("people", "emigrants alive in the country (ALL: abroad anywhere)"),
    "in_transit": ("people", "emigrants on the move or stranded in the country"),
    "stranded": ("people", "emigrants out of money and working to pay for the next leg"),
    "arrivals": ("people/day", "emigrants settling in the country"),
    "departures": ("people/day", "people leaving the origin country"),
    "irregular_crossings": ("people/day", "entries into the country through irregular crossings"),
    "official_crossings": ("people/day", "entries into the country through official crossings"),
    "air_entries": (
        "people/day",
        "entries into the country on international flights (part of official_crossings)",
    ),
    "encounters": (
        "people/day",
        "irregular entrants met by the border authorities (host_policies.csv apprehension)",
    ),
    "expulsions": ("people/day", "encountered irregular entrants expelled back across the border"),
    "paroles": ("people/day", "migrants abroad granted parole to fly into the country"),
    "deaths": ("people/day", "deaths on links entering the country"),
    "returns": ("people/day", "emigrants back home"),
    "return_departures": (
        "people/day",
        "settled migrants setting off home, by the host they leave (ALL: all hosts)",
    ),
    "emigrants_cumulative": (
        "people",
        "people who ever left, incl. those abroad at the start (ALL only)",
    ),
    "returned_cumulative": ("people", "people who came back (ALL only)"),
    "deaths_cumulative": ("people", "people who died on the way or in exploitation (ALL only)"),
    "trocha_fee_usd": ("USD", "mean fee at the irregular crossings into the country (ALL: all)"),
    "victims_current": ("people", "people held in exploitation in the country"),
    "victims_new": ("people/day", "people newly trafficked into exploitation in the country"),
    "victims_exited": (
        "people/day",
        "victims leaving exploitation (identified + escaped + died + released)",
    ),
    "victims_identified": ("people/day", "victims identified and rescued by the state"),
    "victims_detected": (
        "people/day",
        "victims the state detects (= identified; compare with reported detections)",
    ),
    "victims_released": ("people/day", "victims released once their debt is repaid"),
    "victims_escaped": ("people/day", "victims who escaped"),
    "victims_died": ("people/day", "victims who died in exploitation"),
    "recruitment_origin": ("people/day", "victims recruited by deceptive offers at origin"),
    "recruitment_destination": (
        "people/day",
        "victims recruited by deceptive job offers or online relationships on arrival",
    ),
    "recruitment_debt_bondage": ("people/day", "stranded migrants trapped by debt bondage"),
    "recruitment_again": ("people/day", "freed victims trafficked again by the same organisation"),
    "org_members": ("members", "members of criminal organisations (gangs) in the country"),
    "org_cells": ("cells", "cells of criminal organisations (gangs) in the country"),
    "org_countries": ("countries", "countries where a criminal organisation has a cell (ALL only)"),
    "org_arrests": ("members/day", "members arrested in the country"),
    "org_revenue_usd": ("USD/day", "revenue of criminal organisations, all streams (ALL only)"),
    "revenue_smuggling": ("USD/day", "trocha fees at crossings gangs control (ALL only)"),
    "revenue_packages": ("USD/day", "travel packages sold (ALL only)"),
    "revenue_exploitation": ("USD/day", "exploitation of victims, incl. money taken (ALL only)"),
    "revenue_extortion": ("USD/day", "extortion where cells operate (ALL only)"),
    "revenue_prison": ("USD/day", "taxes on inmates of a controlled prison (ALL only)"),
    "revenue_drugs": ("USD/day", "forced drug carrying by migrants (ALL only)"),
    "drug_carrier_arrests": (
        "people/day",
        "migrants forced to carry drugs and arrested on crossings into the country",
    ),
    "org_costs_usd": (
        "USD/day",
        "members, bribes, package transport and moving victims (ALL only)",
    ),
    "armed_group_revenue_usd": ("USD/day", "trocha fees taken by local armed groups (ALL only)"),
    "network_revenue_usd": (
        "USD/day",
        "exploitation by the other trafficking networks, incl. money taken (ALL only)",
    ),
    "migrant_money_taken_usd": (
        "USD/day",
        "migrants' money taken by criminal groups: fees, packages, confiscations (ALL only)",
    ),
}
LOCATION_METRICS = {
    "present": "people at the place",
    "stranded": "people stranded at the place",
    "victims": "people held in exploitation at the place",
}

_CURRENT = {
    "migrant_stock": k.PRESENT,
    "in_transit": k.MOVING,
    "stranded": k.STRANDED_NOW,
    "victims_current": k.VICTIMS_NOW,
}
_DAILY = {
    "victims_new": k.VICTIMS_NEW,
    "victims_identified": k.VICTIMS_IDENTIFIED,
    "victims_detected": k.VICTIMS_IDENTIFIED,
    "victims_released": k.VICTIMS_RELEASED,
    "victims_escaped": k.VICTIMS_ESCAPED,
    "victims_died": k.VICTIMS_DIED,
    "recruitment_origin": k.RECRUITED_ORIGIN,
    "recruitment_destination": k.RECRUITED_DESTINATION,
    "recruitment_debt_bondage": k.RECRUITED_BONDAGE,
    "recruitment_again": k.RECRUITED_AGAIN,
    "arrivals": k.ARRIVALS,
    "departures": k.DEPARTURES,
    "irregular_crossings": k.IRREGULAR,
    "official_crossings": k.OFFICIAL,
    "encounters": k.ENCOUNTERS,
    "expulsions": k.EXPULSIONS,
    "paroles": k.PAROLES,
    "deaths": k.DEATHS,
    "returns": k.RETURNS,
    "return_departures": k.RETURN_DEPARTURES,
    "drug_carrier_arrests": k.DRUG_ARRESTS,
}


def _economy_rows(sim, rec, rows: _Rows) -> None:
    """Fees, organisations' size and money: values are people, members or USD (not agents)."""
    from ..economy import STREAMS

    eco = sim.economy
    scale = float(sim.scale)

    def long(metric, by_country, total):
        if by_country is not None:
            rows.by_country(metric, np.asarray(by_country, dtype=np.float64), skip_nan=True)
        rows.total(metric, np.asarray(total, dtype=np.float64))

    if not np.isnan(rec.fees[:, -1]).all():
        long("trocha_fee_usd", rec.fees[:, :-1], rec.fees[:, -1])
    gang = eco.gangs()
    members = rec.members[:, gang, :].sum(axis=1)
    cells = rec.cells[:, gang, :].sum(axis=1)
    long("org_members", members, members.sum(axis=1))
    long("org_cells", cells, cells.sum(axis=1))
    long("org_countries", None, (cells > 0).sum(axis=1))
    arrests = np.diff(rec.arrests, axis=0, prepend=0.0)
    long("org_arrests", arrests, arrests.sum(axis=1))

    def per_day(cumulative):
        return np.diff(cumulative, axis=0, prepend=0.0)

    # The organisations book what migrants paid them (the ledger) the next morning; report each
    # dollar on the day it was paid, so the revenue streams add up to the ledger exactly.
    daily = _reported_on_the_day_paid(rec.revenue, rec.ledger, scale)
    revenue = daily[:, gang, :].sum(axis=1)
    for i, stream in enumerate(STREAMS[:6]):
        long(stream, None, revenue[:, i])
    long("org_revenue_usd", None, revenue[:, :6].sum(axis=1))
    long("org_costs_usd", None, revenue[:, 6:].sum(axis=1))
    armed = daily[:, ~(gang | eco.networks()), :].sum(axis=1)
    long("armed_group_revenue_usd", None, armed[:, :6].sum(axis=1))
    networks = daily[:, eco.networks(), :].sum(axis=1)
    long("network_revenue_usd", None, networks[:, :6].sum(axis=1))
    taken = per_day(rec.ledger[:, :-1, [k.L_FEES, k.L_PACKAGES, k.L_CONFISCATED]].sum(axis=(1, 2)))
    long("migrant_money_taken_usd", None, taken * scale)


# Revenue streams an organisation books from the ledger (organisation module, `_account`): the
# first four only from it, exploitation also from the victims it holds.
LEDGER_STREAMS = {
    "revenue_smuggling": k.L_FEES,
    "revenue_packages": k.L_PACKAGES,
    "revenue_drugs": k.L_DRUGS,
    "cost_packages": k.L_PACKAGE_COSTS,
    "cost_trafficking": k.L_TRAFFICKING_COSTS,
    "revenue_exploitation": k.L_CONFISCATED,
}


def _reported_on_the_day_paid(revenue: np.ndarray, ledger: np.ndarray, scale: float) -> np.ndarray:
    """Daily revenue [day, organisation, stream] with what migrants paid reported on the day they
    paid it (the organisation books it the next morning): the ledger streams are the ledger's
    daily change; exploitation swaps yesterday's confiscations for today's."""
    from ..economy import STREAMS

    out = np.diff(revenue, axis=0, prepend=0.0)
    paid = np.diff(ledger[:, :-1, :], axis=0, prepend=0.0) * scale  # [day, org, ledger column]
    for stream, column in LEDGER_STREAMS.items():
        i = STREAMS.index(stream)
        if stream == "revenue_exploitation":
            booked = np.zeros_like(paid[:, :, column])
            booked[1:] = paid[:-1, :, column]
            # Booked today = paid yesterday: the difference is exact up to rounding, never < 0.
            out[:, :, i] = np.maximum(out[:, :, i] - booked + paid[:, :, column], 0.0)
        else:
            out[:, :, i] = paid[:, :, column]
    return out


class _Rows:
    """The timeseries rows, gathered in runs of (day index, country code, metric, value) and made
    into the long table once (`frame`). Codes instead of dates and label objects keep the rows
    compact: at a few million rows, the table's construction set a run's peak memory."""

    def __init__(self, dates: pd.DatetimeIndex, countries: list[str]) -> None:
        self.dates, self.n_days = dates.to_numpy(), len(dates)
        self.labels: dict[str, int] = {}
        self.countries = np.array([self.code(c) for c in countries], dtype=np.int32)
        self.runs: list[tuple[np.ndarray, np.ndarray | int, str, np.ndarray]] = []

    def code(self, label: str) -> int:
        return self.labels.setdefault(label, len(self.labels))

    def by_country(self, metric: str, data: np.ndarray, skip_nan: bool = False) -> None:
        """data[day, country] (the world's countries), row-major: day, then country."""
        n_days, nc = data.shape
        day = np.repeat(np.arange(n_days, dtype=np.int32), nc)
        country = np.tile(self.countries, n_days)
        value = data.reshape(-1).astype(np.float64)
        if skip_nan:
            kept = ~np.isnan(value)
            day, country, value = day[kept], country[kept], value[kept]
        self.runs.append((day, country, metric, value))

    def total(self, metric: str, value: np.ndarray) -> None:
        """One value a day for "ALL"."""
        self.runs.append((np.arange(self.n_days, dtype=np.int32), self.code("ALL"), metric, value))

    def at(self, metric: str, days, where, values) -> None:
        """Rows on given days at given labels (a module's recorded metric)."""
        country = np.array([self.code(str(x)) for x in where], dtype=np.int32)
        self.runs.append((np.asarray(days, dtype=np.int32), country, metric, np.asarray(values)))

    def frame(self) -> pd.DataFrame:
        """The rows sorted by metric, country and date, stably (ties keep the order of the runs).
        Sorted in NumPy before the frame is made: pandas sorting its Arrow-backed string columns
        cost a second a run. The runs are used up."""
        runs, self.runs = self.runs, []
        metrics = sorted({r[2] for r in runs})
        labels = list(self.labels)  # in code order
        by_name = np.argsort(np.array(labels, dtype=object))
        countries = [labels[i] for i in by_name]
        rank_of_code = np.argsort(by_name).astype(np.int64)
        # one int64 key: metric, then country, then day (a stable sort keeps ties in run order)
        key = np.concatenate(
            [np.full(len(r[0]), metrics.index(r[2]), dtype=np.int64) for r in runs]
        )
        key *= len(countries)
        key += np.concatenate(
            [
                rank_of_code[r[1]] if np.ndim(r[1]) else np.full(len(r[0]), rank_of_code[r[1]])
                for r in runs
            ]
        )
        key *= self.n_days
        key += np.concatenate([r[0] for r in runs])
        order = np.argsort(key, kind="stable")
        value = np.concatenate([np.asarray(r[3], dtype=np.float64) for r in runs])[order]
        del runs
        key = key[order]
        del order
        key, day = np.divmod(key, self.n_days)
        metric_rank, country_rank = np.divmod(key, len(countries))
        del key
        # each column made, then its codes let go: the peak is one column's codes at a time
        date = self.dates[day]
        del day
        country = _strings(country_rank, countries)
        del country_rank
        metric = _strings(metric_rank, metrics)
        del metric_rank
        frame = {"date": date, "country": country, "metric": metric, "value": value}
        return pd.DataFrame(frame, copy=False)


def _strings(index: np.ndarray, labels) -> pd.Series:
    """labels[index] as a string column, converted once per label rather than once per row."""
    labels = pd.array([str(x) for x in labels], dtype=str)
    return pd.Series(labels.take(index))


def build_result(sim: Simulation, timings: dict) -> Result:
    from ..results.manifest import manifest_for

    rec = next(m for m in sim.modules if m.name == "recorder")
    w = sim.world
    scale = float(sim.scale)
    dates = pd.date_range(sim.calendar.start, periods=sim.n_days, freq="D")
    abroad = np.ones(w.n_countries, dtype=bool)
    abroad[w.origin_country] = False
    rows = _Rows(dates, list(w.country_codes))

    def add(metric: str, by_country: np.ndarray | None, total: np.ndarray) -> None:
        if by_country is not None:
            rows.by_country(metric, by_country * scale)
        rows.total(metric, total * scale)

    for metric, row in _CURRENT.items():
        data = rec.current[:, row, :]
        total = data[:, abroad].sum(axis=1) if metric == "migrant_stock" else data.sum(axis=1)
        add(metric, data, total)
    for metric, row in _DAILY.items():
        data = rec.daily[:, row, :]
        add(metric, data, data.sum(axis=1))
    departed = rec.daily[:, k.DEPARTURES, :].sum(axis=1).cumsum() + sim.initial_emigrants
    add("air_entries", rec.air_entries, rec.air_entries.sum(axis=1))
    add("emigrants_cumulative", None, departed)
    add("returned_cumulative", None, rec.daily[:, k.RETURNS, :].sum(axis=1).cumsum())
    add("deaths_cumulative", None, rec.daily[:, k.DEATHS, :].sum(axis=1).cumsum())
    exits = [k.VICTIMS_IDENTIFIED, k.VICTIMS_ESCAPED, k.VICTIMS_DIED, k.VICTIMS_RELEASED]
    exited = rec.daily[:, exits, :].sum(axis=1)
    add("victims_exited", exited, exited.sum(axis=1))
    _economy_rows(sim, rec, rows)
    for metric, recorded in sim.recorded.items():
        days, where, values = zip(*recorded, strict=True)
        rows.at(str(metric), days, where, values)
    timeseries = rows.frame()

    weeks = dates[rec.location_days]
    names = np.array(w.location_names, dtype=object)
    loc_frames = []
    for metric, row in (
        ("present", k.LOC_PRESENT),
        ("stranded", k.LOC_STRANDED),
        ("victims", k.LOC_VICTIMS),
    ):
        data = rec.locations[:, row, :]
        loc_frames.append(
            pd.DataFrame(
                {
                    "date": np.repeat(weeks, w.n_locations),
                    "location": np.tile(names, len(weeks)),
                    "metric": metric,
                    "value": data.reshape(-1) * scale,
                }
            )
        )
    locations = pd.concat(loc_frames, ignore_index=True)
    locations["location"] = locations["location"].astype(str)

    events = list(sim.events)
    arrivals = rec.daily[:, k.ARRIVALS, :]
    for c in np.flatnonzero(arrivals.sum(axis=0) > 0):
        first = int(np.argmax(arrivals[:, c] > 0))
        events.append(
            (
                first,
                "first_arrival",
                "",
                w.country_codes[c],
                f"first simulated emigrants settle in {w.country_codes[c]}",
            )
        )
    events.sort(key=lambda e: (e[0], e[1], e[3], e[4]))
    events_df = pd.DataFrame(
        {
            "date": pd.to_datetime([sim.calendar.date_of(max(0, e[0])) for e in events]),
            "kind": [e[1] for e in events],
            "location": [e[2] for e in events],
            "country": [e[3] for e in events],
            "detail": [e[4] for e in events],
        }
    )
    result = Result(
        timeseries=timeseries,
        locations=locations,
        events=events_df,
        links=_links_table(sim, rec, dates, scale),
    )
    result.manifest = manifest_for(sim, timings)
    return result


def _links_table(sim, rec, dates, scale: float) -> pd.DataFrame:
    """People who set out on each link in the days up to each weekly count (and the last day),
    with the link's crossing kind and mode (so entries by air and by land can be told apart)."""
    from ..codes import CROSSINGS
    from ..world.graph import MODES

    w = sim.world
    use = np.diff(rec.link_use, axis=0, prepend=0) * scale  # [count, link]
    n_links = len(w.link_from)
    names = np.array(w.location_names, dtype=object)
    kinds = np.array(CROSSINGS, dtype=object)[w.link_crossing]
    modes = np.array(MODES, dtype=object)[w.link_mode]
    n = len(rec.link_days)
    return pd.DataFrame(
        {
            "date": np.repeat(dates[rec.link_days], n_links),
            "from": np.tile(names[w.link_from], n),
            "to": np.tile(names[w.link_to], n),
            "crossing": np.tile(kinds, n),
            "mode": np.tile(modes, n),
            "value": use.reshape(-1).astype(np.float64),
        }
    )
