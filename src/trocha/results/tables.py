"""Output tables of a run, in people (agents times scale), as long tables.

timeseries: date, country (ISO3 or "ALL"), metric, value   (daily)
locations:  date, location, metric, value                   (weekly)
events:     date, kind, location, country, detail
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..kernels import counters as k

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
    "deaths": ("people/day", "deaths on links entering the country"),
    "returns": ("people/day", "emigrants back home"),
    "emigrants_cumulative": (
        "people",
        "people who ever left, incl. those abroad at the start (ALL only)",
    ),
    "returned_cumulative": ("people", "people who came back (ALL only)"),
    "deaths_cumulative": ("people", "people who died on the way (ALL only)"),
}
LOCATION_METRICS = {"present": "people at the place", "stranded": "people stranded at the place"}

_CURRENT = {"migrant_stock": k.PRESENT, "in_transit": k.MOVING, "stranded": k.STRANDED_NOW}
_DAILY = {
    "arrivals": k.ARRIVALS,
    "departures": k.DEPARTURES,
    "irregular_crossings": k.IRREGULAR,
    "official_crossings": k.OFFICIAL,
    "deaths": k.DEATHS,
    "returns": k.RETURNS,
}


@dataclass
class Result:
    """What a run produced: three long tables and the manifest."""

    timeseries: pd.DataFrame
    locations: pd.DataFrame
    events: pd.DataFrame
    manifest: dict = field(default_factory=dict)

    def metric(self, name: str, country: str = "ALL") -> pd.Series:
        """One metric of one country (or ALL) as a daily series indexed by date."""
        ts = self.timeseries
        rows = ts[(ts["metric"] == name) & (ts["country"] == country)]
        if rows.empty:
            raise KeyError(f"no metric {name!r} for {country!r}; metrics: {sorted(METRICS)}")
        return rows.set_index("date")["value"]

    def stocks_at(self, date: dt.date) -> pd.Series:
        """migrant_stock by country on `date`."""
        ts = self.timeseries
        rows = ts[(ts["metric"] == "migrant_stock") & (ts["date"] == pd.Timestamp(date))]
        return rows.set_index("country")["value"]


def build_result(sim: Simulation, timings: dict) -> Result:
    from ..results.manifest import manifest_for

    rec = next(m for m in sim.modules if m.name == "recorder")
    w = sim.world
    scale = float(sim.scale)
    dates = pd.date_range(sim.start, periods=sim.n_days, freq="D")
    abroad = np.ones(w.n_countries, dtype=bool)
    abroad[w.origin_country] = False
    codes = np.array(w.country_codes, dtype=object)
    frames = []

    def add(metric: str, by_country: np.ndarray | None, total: np.ndarray) -> None:
        if by_country is not None:
            n_days, nc = by_country.shape
            frames.append(
                pd.DataFrame(
                    {
                        "date": np.repeat(dates, nc),
                        "country": np.tile(codes, n_days),
                        "metric": metric,
                        "value": by_country.reshape(-1) * scale,
                    }
                )
            )
        frames.append(
            pd.DataFrame(
                {"date": dates, "country": "ALL", "metric": metric, "value": total * scale}
            )
        )

    for metric, row in _CURRENT.items():
        data = rec.current[:, row, :]
        total = data[:, abroad].sum(axis=1) if metric == "migrant_stock" else data.sum(axis=1)
        add(metric, data, total)
    for metric, row in _DAILY.items():
        data = rec.daily[:, row, :]
        add(metric, data, data.sum(axis=1))
    departed = rec.daily[:, k.DEPARTURES, :].sum(axis=1).cumsum() + sim.initial_emigrants
    add("emigrants_cumulative", None, departed)
    add("returned_cumulative", None, rec.daily[:, k.RETURNS, :].sum(axis=1).cumsum())
    add("deaths_cumulative", None, rec.daily[:, k.DEATHS, :].sum(axis=1).cumsum())
    timeseries = pd.concat(frames, ignore_index=True)
    timeseries["country"] = timeseries["country"].astype(str)
    timeseries["metric"] = timeseries["metric"].astype(str)
    timeseries = timeseries.sort_values(["metric", "country", "date"], kind="stable").reset_index(
        drop=True
    )

    weeks = dates[rec.location_days]
    names = np.array(w.location_names, dtype=object)
    loc_frames = []
    for metric, row in (("present", k.LOC_PRESENT), ("stranded", k.LOC_STRANDED)):
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
            "date": pd.to_datetime([sim.start + dt.timedelta(days=max(0, e[0])) for e in events]),
            "kind": [e[1] for e in events],
            "location": [e[2] for e in events],
            "country": [e[3] for e in events],
            "detail": [e[4] for e in events],
        }
    )
    result = Result(timeseries=timeseries, locations=locations, events=events_df)
    result.manifest = manifest_for(sim, timings)
    return result
