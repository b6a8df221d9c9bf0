"""The corridor on an offline base map, month by month, with a time slider.

Places are sized by the migrants present (and stranded) at the month's last weekly count. A
crossing's width is the people who set out on it that month, in either direction (links.parquet).
A run directory without links.parquet (written before it was recorded) gets an estimate instead:
the month's entries of that kind into each end's country, shared equally among that country's
crossings of the kind, and the legend says so. Routes inside a country are drawn thin and fixed.
Organisation cells appear at the month they open (`expansion` events) and go
at `cell_dismantled` or `cell_closed`; a gang's headquarters counts from its founding.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .geography import Geography, base_map
from .series import monthly
from .style import CELL, FONT, INTERNAL, IRREGULAR, OFFICIAL, PRESENT, STRANDED

WIDTHS = (1.0, 2.5, 5.0, 9.0)  # line widths of the four usage classes (class 0: no one)
# Official first, so the irregular crossing beside it (often the same two towns) is drawn on top.
KINDS = (("official", OFFICIAL), ("irregular", IRREGULAR))


def month_ends(locations: pd.DataFrame) -> list[pd.Timestamp]:
    """Months of the run, each represented by its last weekly place count."""
    days = pd.DatetimeIndex(sorted(pd.to_datetime(locations["date"]).unique()))
    return list(pd.Series(days, index=days).groupby(days.to_period("M")).last())


def place_values(locations: pd.DataFrame, metric: str, days: list) -> pd.DataFrame:
    """Weekly place counts on the chosen days: rows = day, columns = place."""
    rows = locations[locations["metric"] == metric]
    wide = rows.pivot_table(index="date", columns="location", values="value", aggfunc="sum")
    return wide.reindex(pd.DatetimeIndex(days)).fillna(0.0)


def recorded_usage(links: pd.DataFrame, geo: Geography, months: list) -> dict[str, np.ndarray]:
    """People per month on each crossing route, both directions, from links.parquet."""
    period = pd.DatetimeIndex(months).to_period("M")
    rows = links[links["value"] > 0]
    month = pd.DatetimeIndex(rows["date"]).to_period("M")
    pair = [tuple(sorted(p)) for p in zip(rows["from"], rows["to"], strict=True)]
    totals = (
        pd.DataFrame({"pair": pair, "crossing": rows["crossing"].to_numpy(), "month": month,
                      "value": rows["value"].to_numpy()})
        .groupby(["crossing", "pair", "month"])["value"].sum()
    )  # fmt: skip
    out = {}
    for kind, _ in KINDS:
        routes = geo.routes[geo.routes["crossing"] == kind]
        usage = np.zeros((len(routes), len(months)))
        for i, (a, b) in enumerate(zip(routes["from"], routes["to"], strict=True)):
            key = (kind, tuple(sorted((a, b))))
            if key in totals.index.droplevel("month"):
                usage[i] = totals.loc[key].reindex(period).fillna(0.0).to_numpy()
        out[kind] = usage
    return out


def crossing_usage(ts: pd.DataFrame, geo: Geography, months: list) -> dict[str, np.ndarray]:
    """Estimated people per month on each crossing route, for runs without links.parquet (see
    the module docstring)."""
    country = dict(zip(geo.places["name"], geo.places["country"], strict=True))
    period = pd.DatetimeIndex(months).to_period("M")
    out = {}
    for kind, _ in KINDS:
        routes = geo.routes[geo.routes["crossing"] == kind]
        ends: dict[str, int] = {}
        for a, b in zip(routes["from"], routes["to"], strict=True):
            for end in {country[a], country[b]}:
                ends[end] = ends.get(end, 0) + 1
        entries = {}
        for code in ends:
            s = monthly(ts, f"{kind}_crossings", code)
            entries[code] = s.groupby(s.index.to_period("M")).sum().reindex(period).fillna(0.0)
        usage = np.zeros((len(routes), len(months)))
        for i, (a, b) in enumerate(zip(routes["from"], routes["to"], strict=True)):
            for end in {country[a], country[b]}:
                usage[i] += entries[end].to_numpy() / ends[end]
        out[kind] = usage
    return out


def open_cells(events: pd.DataFrame, geo: Geography, days: list) -> list[list[str]]:
    """Places with an organisation cell at each of `days`."""
    changes: list[tuple[pd.Timestamp, str, bool]] = []
    for org in geo.organisations.itertuples():
        if org.kind == "gang" and org.headquarters:
            changes.append((org.founded, org.headquarters, True))
    for e in events.itertuples():
        if e.kind in ("expansion", "cell_dismantled", "cell_closed") and e.location:
            changes.append((pd.Timestamp(e.date), e.location, e.kind == "expansion"))
    changes.sort(key=lambda c: (c[0], c[1], c[2]))
    result, count, j = [], {}, 0
    for day in days:
        while j < len(changes) and changes[j][0] <= day:
            _, place, opened = changes[j]
            count[place] = count.get(place, 0) + (1 if opened else -1)
            j += 1
        result.append(sorted(p for p, n in count.items() if n > 0))
    return result


def _land(bounds: tuple[float, float, float, float]) -> tuple[list, list]:
    x0, x1, y0, y1 = bounds
    xs: list = []
    ys: list = []
    for feature in base_map()["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            ring = polygon[0]
            if not any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in ring):
                continue
            xs.extend([p[0] for p in ring] + [None])
            ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def _segments(routes: pd.DataFrame, where: dict, mask) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for a, b in zip(routes["from"][mask], routes["to"][mask], strict=True):
        xs += [where[a][0], where[b][0], None]
        ys += [where[a][1], where[b][1], None]
    return xs, ys


def _classes(usage: dict[str, np.ndarray]) -> tuple[float, float]:
    """Two thresholds splitting the nonzero usage into thirds (fixed over the months)."""
    values = np.concatenate([u[u > 0] for u in usage.values()] or [np.zeros(0)])
    if values.size == 0:
        return 1.0, 2.0
    low, high = np.quantile(values, [1 / 3, 2 / 3])
    return float(low), float(max(high, low))


def _size(values: np.ndarray, peak: float, least: float) -> list[float]:
    """Marker diameters: area proportional to people; `least` for a place with no one."""
    return [round(4 + 36 * math.sqrt(v / peak), 2) if peak > 0 and v > 0 else least for v in values]


def corridor_map(tables, geo: Geography, title: str = "The corridor, month by month"):
    """A Plotly map with one frame per month and a slider; the last month is shown first."""
    import plotly.graph_objects as go

    places = geo.places
    where = {
        n: (lon, lat)
        for n, lon, lat in zip(places["name"], places["lon"], places["lat"], strict=True)
    }
    days = month_ends(tables.locations)
    names = list(places["name"])
    present = place_values(tables.locations, "present", days).reindex(columns=names, fill_value=0)
    stranded = place_values(tables.locations, "stranded", days).reindex(columns=names, fill_value=0)
    victims = place_values(tables.locations, "victims", days).reindex(columns=names, fill_value=0)
    links = getattr(tables, "links", None)
    estimated = links is None or links.empty
    if estimated:
        usage = crossing_usage(tables.timeseries, geo, days)
    else:
        usage = recorded_usage(links, geo, days)
    low, high = _classes(usage)
    cells = open_cells(tables.events, geo, days)
    peak = float(present.to_numpy().max()) if len(days) else 0.0
    pad = 4.0
    bounds = (
        places["lon"].min() - pad,
        places["lon"].max() + pad,
        places["lat"].min() - pad,
        places["lat"].max() + pad,
    )

    def link_traces(m: int) -> list:
        traces = []
        for kind, color in KINDS:
            routes = geo.routes[geo.routes["crossing"] == kind].reset_index(drop=True)
            u = usage[kind][:, m] if len(routes) else np.zeros(0)
            klass = np.where(u <= 0, 0, np.where(u < low, 1, np.where(u < high, 2, 3)))
            for c, width in enumerate(WIDTHS):
                xs, ys = _segments(routes, where, klass == c)
                label = (
                    "no one",
                    f"under {low:,.0f}",
                    f"{low:,.0f} to {high:,.0f}",
                    f"{high:,.0f} or more",
                )[c]
                traces.append(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        mode="lines",
                        hoverinfo="skip",
                        name=f"{kind} crossing: {label} people/month"
                        + (" (estimate)" if estimated else ""),
                        line={"color": color, "width": width, "dash": "dot" if c == 0 else "solid"},
                        legendgroup=kind,
                    )
                )
        return traces

    def place_traces(m: int) -> list:
        p, s, v = (
            present.iloc[m].to_numpy(),
            stranded.iloc[m].to_numpy(),
            victims.iloc[m].to_numpy(),
        )
        text = [
            f"{n}<br>present {a:,.0f}<br>stranded {b:,.0f}<br>held in exploitation {c:,.0f}"
            for n, a, b, c in zip(names, p, s, v, strict=True)
        ]
        on = cells[m]
        return [
            go.Scatter(
                x=list(places["lon"]),
                y=list(places["lat"]),
                mode="markers",
                name="migrants present",
                text=text,
                hovertemplate="%{text}<extra></extra>",
                marker={
                    "size": _size(p, peak, 3.0),
                    "color": PRESENT,
                    "opacity": 0.6,
                    "line": {"color": "white", "width": 0.5},
                },
            ),
            go.Scatter(
                x=list(places["lon"]),
                y=list(places["lat"]),
                mode="markers",
                name="of whom stranded",
                hoverinfo="skip",
                marker={"size": _size(s, peak, 0.0), "color": STRANDED, "opacity": 0.9},
            ),
            go.Scatter(
                x=[where[c][0] for c in on if c in where],
                y=[where[c][1] for c in on if c in where],
                mode="markers",
                name="organisation cell",
                text=[c for c in on if c in where],
                hovertemplate="cell: %{text}<extra></extra>",
                marker={
                    "symbol": "x-thin",
                    "size": 14,
                    "color": CELL,
                    "line": {"color": CELL, "width": 3},
                },
            ),
        ]

    last = len(days) - 1
    land_x, land_y = _land(bounds)
    xs, ys = _segments(geo.routes, where, geo.routes["crossing"] == "none")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=land_x,
            y=land_y,
            mode="lines",
            fill="toself",
            hoverinfo="skip",
            fillcolor="#F2F2EE",
            line={"color": "#B5B5B5", "width": 0.7},
            name="countries (Natural Earth)",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="skip",
            name="route in a country",
            line={"color": INTERNAL, "width": 0.8},
        )
    )
    for trace in link_traces(last) + place_traces(last):
        fig.add_trace(trace)
    dynamic = list(range(2, len(fig.data)))
    labels = [d.strftime("%Y-%m") for d in days]
    fig.frames = [
        go.Frame(name=labels[m], data=link_traces(m) + place_traces(m), traces=dynamic)
        for m in range(len(days))
    ]
    steps = [
        {
            "label": labels[m],
            "method": "animate",
            "args": [
                [labels[m]],
                {
                    "mode": "immediate",
                    "frame": {"duration": 0, "redraw": True},
                    "transition": {"duration": 0},
                },
            ],
        }
        for m in range(len(days))
    ]
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        template="none",
        height=720,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        xaxis={
            "title": {"text": "longitude (degrees)"},
            "range": [bounds[0], bounds[1]],
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "title": {"text": "latitude (degrees)"},
            "range": [bounds[2], bounds[3]],
            "scaleanchor": "x",
            "scaleratio": 1,
            "showgrid": False,
            "zeroline": False,
        },
        legend={"orientation": "v", "x": 1.01, "y": 1, "font": {"size": 11}},
        sliders=[
            {
                "active": last,
                "steps": steps,
                "currentvalue": {"prefix": "month: "},
                "pad": {"t": 40},
                "x": 0.0,
                "len": 1.0,
            }
        ],
        plot_bgcolor="#DDEBF5",
    )
    return fig
