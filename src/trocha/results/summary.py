"""The end-of-run summary: simulated migrant stock by host country and year beside observed data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from rich.table import Table

from ..scenario.targets import Target
from .tables import Result


def stock_comparison(result: Result, targets: list[Target]) -> pd.DataFrame:
    """Year-end simulated stocks by country with the observed figure where the data has one."""
    ts = result.timeseries
    stock = ts[ts["metric"] == "migrant_stock"]
    year_end = stock[(stock["date"].dt.month == 12) & (stock["date"].dt.day == 31)]
    table = year_end.assign(year=year_end["date"].dt.year).pivot(
        index="country", columns="year", values="value"
    )
    # An observation counts for a year end if it falls within the last two months of the year
    # (R4V world totals are snapshots, e.g. 5 Nov 2020); the latest one wins.
    observed = {}
    for t in sorted(targets, key=lambda t: t.date):
        if t.metric == "migrant_stock" and (t.date.month, t.date.day) >= (11, 1):
            observed[(t.country, t.date.year)] = t.value
    rows = []
    for country in table.index:
        for year in table.columns:
            rows.append(
                {
                    "country": country,
                    "year": int(year),
                    "simulated": float(table.loc[country, year]),
                    "observed": observed.get((country, int(year))),
                }
            )
    return pd.DataFrame(rows)


def _fmt(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def summary_table(result: Result, targets: list[Target], top: int = 6) -> Table:
    """Rows are year ends, columns the largest host countries; cells: simulated over (observed)."""
    data = stock_comparison(result, targets)
    if data.empty:
        return Table(title="no complete calendar year simulated")
    last_year = data["year"].max()
    last = data[data["year"] == last_year].set_index("country")["simulated"]
    origin = result.manifest.get("origin_country")
    countries = [c for c in last.sort_values(ascending=False).index if c not in ("ALL", origin)]
    order = ["ALL", *countries[:top]]
    table = Table(
        title="Migrant stock at year end: simulated (observed)",
        caption="observed: targets.csv (UNHCR end-year stocks; ALL: R4V/IOM totals from November)",
    )
    table.add_column("year")
    for country in order:
        table.add_column(country, justify="right")
    cells = data.set_index(["country", "year"])
    for year in sorted(data["year"].unique()):
        row = [str(year)]
        for country in order:
            sim = cells.loc[(country, year), "simulated"]
            obs = cells.loc[(country, year), "observed"]
            has_obs = obs is not None and not pd.isna(obs)
            row.append(f"{_fmt(sim)}\n({_fmt(obs)})" if has_obs else _fmt(sim))
        table.add_row(*row)
    return table


def headline(result: Result) -> dict[str, float]:
    """A few totals at the end date, in people."""
    ts = result.timeseries
    end = ts["date"].max()
    at_end = ts[(ts["date"] == end) & (ts["country"] == "ALL")].set_index("metric")["value"]
    return {
        "end_date": dt.date.fromisoformat(str(end.date())).isoformat(),
        "emigrants_cumulative": float(at_end["emigrants_cumulative"]),
        "migrant_stock": float(at_end["migrant_stock"]),
        "in_transit": float(at_end["in_transit"]),
        "returned_cumulative": float(at_end["returned_cumulative"]),
        "deaths_cumulative": float(at_end["deaths_cumulative"]),
    }


def economy_lines(result: Result) -> list[str]:
    """A few sentences on the harm the criminal economy did, or none if the scenario has none."""
    ts = result.timeseries
    totals = ts[ts["country"] == "ALL"].groupby("metric")["value"]
    total = totals.sum()
    last = totals.last()
    if total.get("victims_new", 0) == 0 and total.get("migrant_money_taken_usd", 0) == 0:
        return []
    revenue = {
        name.removeprefix("revenue_"): total.get(name, 0.0)
        for name in (
            "revenue_exploitation",
            "revenue_smuggling",
            "revenue_packages",
            "revenue_extortion",
            "revenue_prison",
            "revenue_drugs",
        )
    }
    streams = ", ".join(f"{k} ${v / 1e6:,.1f}M" for k, v in revenue.items() if v > 0)
    networks = total.get("network_revenue_usd", 0.0)
    others = (
        f" Other trafficking networks' exploitation: ${networks / 1e6:,.1f}M." if networks else ""
    )
    return [
        f"Trafficking: {total.get('victims_new', 0):,.0f} people trafficked, "
        f"{total.get('victims_identified', 0):,.0f} identified, "
        f"{total.get('victims_escaped', 0):,.0f} escaped, "
        f"{total.get('victims_died', 0):,.0f} died, "
        f"{last.get('victims_current', 0):,.0f} still held.",
        f"Money taken from migrants: ${total.get('migrant_money_taken_usd', 0) / 1e6:,.1f}M. "
        f"Gangs' revenue: {streams}.{others}",
        f"Organisations at the end: {last.get('org_members', 0):,.0f} members, "
        f"{last.get('org_cells', 0):,.0f} cells in {last.get('org_countries', 0):,.0f} countries; "
        f"{total.get('org_arrests', 0):,.0f} members arrested in all.",
    ]
