"""Figures of one run: stocks against observed targets, flows, fees, the criminal economy.

Each function takes anything with `timeseries` and `events` tables (a RunData or a Result) and
returns a plotly Figure; none of them reads files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .series import countries_by, dates, monthly, series
from .style import IRREGULAR, colour, layout

if TYPE_CHECKING:
    import plotly.graph_objects as go

REVENUE_STREAMS = {
    "revenue_exploitation": "exploitation",
    "revenue_smuggling": "smuggling (trocha fees)",
    "revenue_packages": "travel packages",
    "revenue_extortion": "extortion",
    "revenue_prison": "prison taxes",
    "revenue_drugs": "forced drug carrying",
}


def _figure():
    import plotly.graph_objects as go

    return go.Figure(), go


def line(go, s: pd.Series, name: str, color: str, width: float = 2, style: dict | None = None,
         **trace):  # fmt: skip
    """A line trace of a date-indexed series (`style`: more line properties, e.g. dash)."""
    return go.Scatter(
        x=dates(s.index),
        y=s.to_numpy(),
        name=name,
        mode="lines",
        line={"color": color, "width": width, **(style or {})},
        **trace,
    )


def hosts_of(ts: pd.DataFrame, origin: str | None) -> list[str]:
    """Host countries by migrant stock over the run, largest first."""
    return [c for c in countries_by(ts, "migrant_stock", ("ALL", origin or "")) if c]


def stocks(
    ts: pd.DataFrame,
    targets: pd.DataFrame | None,
    origin: str | None,
    top: int = 8,
    first: int = 0,
):
    """Migrant stock in host countries `first` to `first + top` (by size), with the observed
    figures as points."""
    fig, go = _figure()
    hosts = hosts_of(ts, origin)[first : first + top]
    for i, code in enumerate(hosts):
        s = series(ts, "migrant_stock", code)
        # Okabe-Ito has eight colours: the next eight hosts are dashed.
        dash = {"dash": "solid" if i < 8 else "dash"}
        fig.add_trace(line(go, s, code, colour(i), style=dash, legendgroup=code))
        target_points(fig, go, targets, code, colour(i))
    which = "by host country" if first == 0 else "in the smaller host countries"
    fig.update_layout(
        layout(
            f"Migrant stock {which} (lines: simulated; points: observed)",
            "date",
            "people",
            height=420 if len(hosts) <= 8 else 520,
        )
    )
    return fig


def world(ts: pd.DataFrame, targets: pd.DataFrame | None):
    """The world total abroad against observed totals, with everyone who left, returned or died."""
    fig, go = _figure()
    names = {
        "migrant_stock": "abroad (migrant stock, all hosts)",
        "emigrants_cumulative": "ever left",
        "returned_cumulative": "returned",
        "deaths_cumulative": "died",
    }
    for i, (metric, label) in enumerate(names.items()):
        fig.add_trace(line(go, series(ts, metric), label, colour(i)))
    target_points(fig, go, targets, "ALL", colour(0))
    fig.update_layout(layout("World total (points: observed, with sources)", "date", "people"))
    return fig


def target_points(fig, go, targets, country: str, color: str) -> None:
    """The observed stocks of `country` (targets.csv) as points, with source and note on hover."""
    if targets is None or targets.empty:
        return
    rows = targets[(targets["metric"] == "migrant_stock") & (targets["country"] == country)]
    if rows.empty:
        return
    rows = rows.sort_values(["date", "source_id"])
    text = [f"{s}: {n}" if n else s for s, n in zip(rows["source_id"], rows["notes"], strict=True)]
    fig.add_trace(
        go.Scatter(
            x=dates(pd.DatetimeIndex(rows["date"])),
            y=rows["value"].to_numpy(),
            name="observed world total" if country == "ALL" else f"{country} observed",
            mode="markers",
            legendgroup=country,
            marker={
                "color": color,
                "size": 9,
                "symbol": "diamond",
                "line": {"color": "black", "width": 1},
            },
            text=text,
            hovertemplate="%{y:,.0f} (%{text})<extra>observed</extra>",
        )
    )


def flows(ts: pd.DataFrame):
    """Departures, returns and deaths per month, worldwide."""
    fig, go = _figure()
    for i, (metric, label) in enumerate(
        (("departures", "departures"), ("returns", "returns"), ("deaths", "deaths"))
    ):
        fig.add_trace(line(go, monthly(ts, metric), label, colour(i)))
    fig.update_layout(layout("Departures, returns and deaths", "month", "people per month"))
    return fig


def fees(ts: pd.DataFrame, events: pd.DataFrame, top: int = 5):
    """Mean trocha fee at the irregular crossings into the busiest countries, with the border
    regime changes marked on the time axis."""
    fig, go = _figure()
    # Countries with irregular crossings into them (a fee series), the busiest first.
    used = countries_by(ts, "irregular_crossings")
    with_fee = sorted(set(ts[ts["metric"] == "trocha_fee_usd"]["country"]) - {"ALL"})
    busiest = sorted(with_fee, key=lambda c: (used.index(c) if c in used else len(used), c))[:top]
    for i, code in enumerate(busiest):
        s = monthly(ts, "trocha_fee_usd", code, how="last").dropna()
        if s.empty:
            continue
        fig.add_trace(line(go, s, f"into {code}", colour(i)))
    regimes = events[events["kind"] == "border_regime"].sort_values(["date", "country", "detail"])
    if not regimes.empty:
        peak = max((max(t.y) for t in fig.data if len(t.y)), default=1.0)
        fig.add_trace(
            go.Scatter(
                x=dates(pd.DatetimeIndex(regimes["date"])),
                y=[peak * 1.05] * len(regimes),
                mode="markers",
                name="border regime change",
                text=list(regimes["detail"]),
                marker={"symbol": "triangle-down", "size": 11, "color": "black"},
                hovertemplate="%{x}: %{text}<extra></extra>",
            )
        )
        for day in sorted(set(dates(pd.DatetimeIndex(regimes["date"])))):
            fig.add_shape(
                type="line",
                x0=day,
                x1=day,
                y0=0,
                y1=1,
                yref="paper",
                line={"color": "#777777", "width": 1, "dash": "dot"},
            )
    fig.update_layout(
        layout(
            "Fees at the irregular crossings (dotted: border regime changes)",
            "month",
            "USD per crossing (mean, month end)",
        )
    )
    return fig


def revenue(ts: pd.DataFrame):
    """The organisations' revenue by stream, stacked."""
    fig, go = _figure()
    for i, (metric, label) in enumerate(REVENUE_STREAMS.items()):
        s = monthly(ts, metric)
        if s.empty:
            continue
        fig.add_trace(line(go, s, label, colour(i), width=0.5, stackgroup="revenue"))
    # The other trafficking networks are not the gangs: a line of their own, not in the stack.
    networks = monthly(ts, "network_revenue_usd")
    if not networks.empty and networks.sum() > 0:
        label = "other trafficking networks (exploitation, not stacked)"
        style = {"dash": "dot"}
        fig.add_trace(line(go, networks, label, colour(len(REVENUE_STREAMS)), style=style))
    fig.update_layout(
        layout("Criminal organisations' revenue by stream (stacked)", "month", "USD per month")
    )
    return fig


def organisation(ts: pd.DataFrame, metric: str = "org_members"):
    """Members (or cells) of the criminal organisations by country."""
    fig, go = _figure()
    for i, code in enumerate(countries_by(ts, metric)):
        s = monthly(ts, metric, code, how="last")
        fig.add_trace(line(go, s, code, colour(i), style={"shape": "hv"}))
    unit = "members" if metric == "org_members" else "cells"
    fig.update_layout(layout(f"Organisations' {unit} by country", "month", unit))
    return fig


def victims(ts: pd.DataFrame):
    """Trafficking victims held now (left axis) and newly trafficked / exited per month (right)."""
    fig, go = _figure()
    held = monthly(ts, "victims_current", how="last")
    fig.add_trace(line(go, held, "held (month end)", colour(3), width=3))
    for i, (metric, label) in enumerate(
        (("victims_new", "newly trafficked"), ("victims_exited", "exited"))
    ):
        s = monthly(ts, metric)
        fig.add_trace(line(go, s, label, colour(i), style={"dash": "dot"}, yaxis="y2"))
    fig.update_layout(
        layout(
            "Trafficking victims: held, new and exited",
            "month",
            "people held",
            yaxis2={
                "title": {"text": "people per month"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "automargin": True,
            },
            margin={"l": 70, "r": 80, "t": 50, "b": 40},
        )
    )
    return fig


def money_taken(ts: pd.DataFrame):
    """Migrants' money taken by criminal groups (fees, packages, confiscations) per month."""
    fig, go = _figure()
    s = monthly(ts, "migrant_money_taken_usd")
    fig.add_trace(line(go, s, "money taken", IRREGULAR, fill="tozeroy"))
    armed = monthly(ts, "armed_group_revenue_usd")
    if not armed.empty:
        fig.add_trace(line(go, armed, "of which local armed groups' fees", colour(0)))
    fig.update_layout(layout("Money taken from migrants", "month", "USD per month"))
    return fig


def run_figures(tables, targets: pd.DataFrame | None) -> dict[str, go.Figure]:
    """Every chart of a run report, keyed by a stable id (the HTML element id)."""
    ts, events = tables.timeseries, tables.events
    origin = tables.manifest.get("origin_country")
    figures = {"stocks": stocks(ts, targets, origin)}
    if len(hosts_of(ts, origin)) > 8:
        figures["stocks-more"] = stocks(ts, targets, origin, top=12, first=8)
    figures |= {
        "world": world(ts, targets),
        "flows": flows(ts),
        "fees": fees(ts, events),
    }
    if series(ts, "org_members").sum() > 0 or series(ts, "org_revenue_usd").sum() > 0:
        figures.update(
            {
                "revenue": revenue(ts),
                "members": organisation(ts, "org_members"),
                "cells": organisation(ts, "org_cells"),
                "victims": victims(ts),
                "money": money_taken(ts),
            }
        )
    return figures
