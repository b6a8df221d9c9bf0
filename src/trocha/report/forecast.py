"""The report of a `trocha forecast` folder: medians with 50% and 90% bands against observations
(the ensemble's bands shaded, the predictive band of what would be observed dotted).

Reads `forecast.json`, `bands.parquet` (monthly: stocks at month end, flows summed) and
`summary.csv`; observed stocks come from the scenario's targets.csv when the scenario loads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .figures_run import target_points
from .geography import geography_for
from .html import Section, figure_html, frame_html, table_html
from .series import dates
from .style import colour, layout

FLOWS = {
    "departures": "departures (people/month)",
    "victims_new": "people newly trafficked (people/month)",
    "deaths": "deaths on the way (people/month)",
    "irregular_crossings": "irregular crossings (people/month)",
}


def is_forecast(folder: Path) -> bool:
    path = Path(folder) / "forecast.json"
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "forecast"
    except (OSError, ValueError):
        return False


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def band_figure(bands: pd.DataFrame, metric: str, countries: list[str], title: str, unit: str):
    """Median lines with the ensemble's 50% and 90% bands and the 90% predictive band (dotted),
    one colour per country."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, country in enumerate(countries):
        rows = bands[(bands["metric"] == metric) & (bands["country"] == country)]
        if rows.empty:
            continue
        rows = rows.sort_values("date")
        x = dates(pd.DatetimeIndex(rows["date"]))
        c = colour(i)
        for low, high, alpha, label in (("q05", "q95", 0.15, "90%"), ("q25", "q75", 0.3, "50%")):
            fig.add_trace(
                go.Scatter(x=x, y=rows[high], mode="lines", line={"width": 0}, showlegend=False,
                           legendgroup=country, hoverinfo="skip")
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=rows[low],
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=_rgba(c, alpha),
                    name=f"{country} {label} band",
                    legendgroup=country,
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        if "p05" in rows and rows["p05"].notna().any():
            # The predictive band (what would be observed: forecast_error.py) as dotted edges.
            for edge in ("p05", "p95"):
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=rows[edge],
                        mode="lines",
                        line={"color": c, "width": 1, "dash": "dot"},
                        name=f"{country} 90% predictive band",
                        legendgroup=country,
                        showlegend=False,
                    )
                )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rows["q50"],
                mode="lines",
                name=f"{country} median",
                legendgroup=country,
                line={"color": c, "width": 2},
            )
        )
    fig.update_layout(layout(title, "date", unit))
    return fig


def _origin_country(scenario: str) -> str | None:
    """The scenario's origin (its 'stock' is the people back home), or None if it won't load."""
    from ..scenario.loader import load_scenario
    from ..scenario.problems import ScenarioError

    try:
        return load_scenario(scenario).spec.origin_country
    except (ScenarioError, OSError, ValueError, AttributeError):
        return None


def _observed(fig, targets: pd.DataFrame | None, countries: list[str]) -> None:
    """Observed stocks as points, in each country's colour (the run report's markers)."""
    import plotly.graph_objects as go

    for i, country in enumerate(countries):
        target_points(fig, go, targets, country, colour(i))


def forecast_page_parts(folder: Path, top: int = 6) -> tuple[str, str, list[Section]]:
    """Title, subtitle and sections of a forecast report."""
    folder = Path(folder)
    info = json.loads((folder / "forecast.json").read_text(encoding="utf-8"))
    bands = pd.read_parquet(folder / "bands.parquet")
    summary = pd.read_csv(folder / "summary.csv")
    geo = geography_for({"scenario": info.get("scenario", "")})
    targets = geo.targets if geo is not None else None
    stocks = bands[(bands["metric"] == "migrant_stock") & (bands["country"] != "ALL")]
    last = stocks[stocks["date"] == stocks["date"].max()]
    origin = _origin_country(info.get("scenario", ""))
    hosts = [c for c in last.sort_values("q50", ascending=False)["country"] if c != origin][:top]
    sections = [
        Section(
            "card",
            "Forecast card",
            "From forecast.json: posterior draws x seeds of the scenario.",
            table_html(sorted(info.items())),
        )
    ]
    world = band_figure(
        bands, "migrant_stock", ["ALL"], "People abroad: median, 50% and 90% bands", "people"
    )
    _observed(world, targets, ["ALL"])
    sections.append(
        Section(
            "world",
            "World total",
            "Median of the members with 50% and 90% bands; points: observed (targets.csv).",
            figure_html(world, "fig-forecast-world"),
        )
    )
    by_host = band_figure(bands, "migrant_stock", hosts, "Migrant stocks by host", "people")
    _observed(by_host, targets, hosts)
    sections.append(
        Section(
            "hosts",
            f"Stocks in the {len(hosts)} largest hosts",
            "Bands hold both parameter uncertainty (posterior draws) and the model's randomness "
            "(seeds).",
            figure_html(by_host, "fig-forecast-hosts"),
        )
    )
    for i, (metric, title) in enumerate(FLOWS.items()):
        if not ((bands["metric"] == metric) & (bands["country"] == "ALL")).any():
            continue
        fig = band_figure(bands, metric, ["ALL"], title, "people per month")
        sections.append(
            Section(f"flow-{i}", title, "Monthly sums.", figure_html(fig, f"fig-forecast-{i}"))
        )
    sections.append(
        Section(
            "summary",
            "summary.csv",
            "Median, the ensemble's 90% band (q05-q95) and the 90% predictive band of what "
            "would be observed (p05-p95) by year.",
            frame_html(summary),
        )
    )
    title = f"Trocha forecast {folder.name}"
    subtitle = f"{info.get('scenario', '')} · {info.get('members', '?')} members"
    return title, subtitle, sections
