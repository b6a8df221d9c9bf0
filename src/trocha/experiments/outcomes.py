"""The outcomes of a run that policy comparisons report: harm, money, flows, organisations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..scenario.loader import Scenario

# outcome -> (unit, how it is computed from the daily timeseries)
OUTCOMES: dict[str, tuple[str, str]] = {
    "people_trafficked": ("people", "sum of victims_new"),
    "exploited_person_years": ("person-years", "sum of victims_current / 365"),
    "victims_identified": ("people", "sum of victims_identified"),
    "money_taken_from_migrants_usd": ("USD", "sum of migrant_money_taken_usd"),
    "deaths": ("people", "deaths_cumulative at the end"),
    "irregular_crossings": ("crossings", "sum of irregular_crossings"),
    "org_revenue_usd": ("USD", "sum of org_revenue_usd"),
    "org_members_end": ("members", "org_members at the end"),
    "org_countries_end": ("countries", "org_countries at the end"),
    "migrant_stock_end": ("people", "migrant_stock at the end, ALL"),
}


def destination_countries(scenario: Scenario) -> list[str]:
    """Countries whose end-of-run migrant stock is an outcome: every host and transit country of
    the scenario (not the origin, whose 'stock' is the people back home)."""
    return [c.iso3 for c in scenario.countries if c.role != "origin"]


def outcomes_of(timeseries: pd.DataFrame, countries: list[str]) -> dict[str, float]:
    """Outcomes from one run's timeseries (as in timeseries.parquet); a stock outcome
    `migrant_stock_end_<ISO3>` for each of `countries` (0 where the run has no row for it)."""
    ts = timeseries
    total = ts[ts["country"] == "ALL"]
    by_metric = total.groupby("metric")["value"]
    sums, lasts = by_metric.sum(), by_metric.last()
    out = {
        "people_trafficked": sums.get("victims_new", 0.0),
        "exploited_person_years": sums.get("victims_current", 0.0) / 365.0,
        "victims_identified": sums.get("victims_identified", 0.0),
        "money_taken_from_migrants_usd": sums.get("migrant_money_taken_usd", 0.0),
        "deaths": lasts.get("deaths_cumulative", 0.0),
        "irregular_crossings": sums.get("irregular_crossings", 0.0),
        "org_revenue_usd": sums.get("org_revenue_usd", 0.0),
        "org_members_end": lasts.get("org_members", 0.0),
        "org_countries_end": lasts.get("org_countries", 0.0),
        "migrant_stock_end": lasts.get("migrant_stock", 0.0),
    }
    stock = ts[(ts["metric"] == "migrant_stock") & (ts["date"] == ts["date"].max())]
    stock = stock.set_index("country")["value"]
    for code in countries:
        out[f"migrant_stock_end_{code}"] = float(stock.get(code, 0.0))
    return {k: float(v) for k, v in out.items()}


def unit_of(outcome: str) -> str:
    return "people" if outcome.startswith("migrant_stock_end_") else OUTCOMES[outcome][0]


def outcomes_from_run(folder: Path, countries: list[str]) -> dict[str, float]:
    return outcomes_of(pd.read_parquet(Path(folder) / "timeseries.parquet"), countries)
