"""The Result of a run: three long tables (results/tables.py documents them) and the manifest.

Importing this module costs no pandas: a ruleset may hand its tables over as columns (a dict of
NumPy arrays, dates as datetime64), which `save_run` writes to Parquet as they are and which turn
into DataFrames only when read through `timeseries`, `locations` or `events`. The Flee path
(`trocha run` on a Flee scenario) so never loads pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("timeseries", "locations", "events")


class Result:
    """What a run produced: three long tables and the manifest (and, from a ruleset that has
    them, text files to write with the run, e.g. Flee's out.csv as flee_out.csv)."""

    def __init__(
        self,
        timeseries: pd.DataFrame | dict[str, np.ndarray],
        locations: pd.DataFrame | dict[str, np.ndarray],
        events: pd.DataFrame | dict[str, np.ndarray],
        manifest: dict | None = None,
        files: dict[str, str] | None = None,
        links: pd.DataFrame | dict[str, np.ndarray] | None = None,
    ):
        self._tables: dict[str, Any] = {
            "timeseries": timeseries,
            "locations": locations,
            "events": events,
        }
        if links is not None:  # the migration ruleset records use per link; Flee's does not
            self._tables["links"] = links
        self.manifest = {} if manifest is None else manifest
        self.files = dict(files or {})

    def table(self, name: str) -> Any:
        """The table as held: a DataFrame, or columns not yet turned into one (for writing)."""
        return self._tables[name]

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def _frame(self, name: str) -> pd.DataFrame:
        table = self._tables[name]
        if isinstance(table, dict):
            import pandas as pd

            table = pd.DataFrame(
                {k: (pd.to_datetime(v) if k == "date" else v) for k, v in table.items()}
            )
            self._tables[name] = table
        return table

    @property
    def timeseries(self) -> pd.DataFrame:
        return self._frame("timeseries")

    @timeseries.setter
    def timeseries(self, value: pd.DataFrame) -> None:
        self._tables["timeseries"] = value

    @property
    def locations(self) -> pd.DataFrame:
        return self._frame("locations")

    @locations.setter
    def locations(self, value: pd.DataFrame) -> None:
        self._tables["locations"] = value

    @property
    def events(self) -> pd.DataFrame:
        return self._frame("events")

    @property
    def links(self) -> pd.DataFrame | None:
        """Weekly people per link (date, from, to, crossing, value); None for a Flee run."""
        return self._frame("links") if "links" in self._tables else None

    @events.setter
    def events(self, value: pd.DataFrame) -> None:
        self._tables["events"] = value

    def metric(self, name: str, country: str = "ALL") -> pd.Series:
        """One metric of one country (or ALL) as a daily series indexed by date."""
        ts = self.timeseries
        rows = ts[(ts["metric"] == name) & (ts["country"] == country)]
        if rows.empty:
            known = sorted(set(ts["metric"]))
            raise KeyError(f"no metric {name!r} for {country!r}; metrics of this run: {known}")
        return rows.set_index("date")["value"]

    @property
    def plot(self):
        """Figures of this run (`result.plot.stocks()`, `result.plot.map()`; needs Plotly).

        (main's report package, merged after this branch was cut, provides ResultPlots.)"""
        from ..report.plot import ResultPlots

        return ResultPlots(self)

    def stocks_at(self, date: dt.date) -> pd.Series:
        """migrant_stock by country on `date`."""
        import pandas as pd

        ts = self.timeseries
        rows = ts[(ts["metric"] == "migrant_stock") & (ts["date"] == pd.Timestamp(date))]
        return rows.set_index("country")["value"]
