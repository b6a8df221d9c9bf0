"""Small reshaping helpers over the long timeseries table (date, country, metric, value)."""

from __future__ import annotations

import pandas as pd


def series(ts: pd.DataFrame, metric: str, country: str = "ALL") -> pd.Series:
    """A daily series indexed by date (empty if the run has no such row)."""
    rows = ts[(ts["metric"] == metric) & (ts["country"] == country)]
    return rows.set_index(pd.to_datetime(rows["date"]))["value"].sort_index()


def monthly(ts: pd.DataFrame, metric: str, country: str = "ALL", how: str = "sum") -> pd.Series:
    """Monthly totals (flows, `sum`) or month-end values (stocks, `last`), dated by month start."""
    daily = series(ts, metric, country)
    if daily.empty:
        return daily
    grouped = daily.resample("MS")
    return grouped.sum() if how == "sum" else grouped.last()


def countries_by(ts: pd.DataFrame, metric: str, exclude: tuple[str, ...] = ("ALL",)) -> list[str]:
    """Countries ordered by the metric's total over the run (largest first), zeros dropped."""
    rows = ts[(ts["metric"] == metric) & ~ts["country"].isin(exclude)]
    totals = rows.groupby("country")["value"].sum()
    totals = totals[totals > 0]
    return sorted(totals.index, key=lambda c: (-totals[c], c))


def last_value(ts: pd.DataFrame, metric: str, country: str = "ALL") -> float:
    s = series(ts, metric, country)
    return float(s.iloc[-1]) if not s.empty else 0.0


def dates(index: pd.Index) -> list[str]:
    """ISO dates for Plotly (plain strings keep the HTML identical across pandas versions)."""
    return [d.strftime("%Y-%m-%d") for d in index]
