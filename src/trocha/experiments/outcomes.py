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
    # Flee runs (the flee ruleset records these instead of the economy's metrics)
    "displaced_end": ("people", "displaced_total at the end (flee runs)"),
    "in_camps_end": ("people", "in_camps at the end (flee runs)"),
}
# outcome -> (metric it is computed from, "sum" or "last", divisor)
_SOURCES: dict[str, tuple[str, str, float]] = {
    "people_trafficked": ("victims_new", "sum", 1.0),
    "exploited_person_years": ("victims_current", "sum", 365.0),
    "victims_identified": ("victims_identified", "sum", 1.0),
    "money_taken_from_migrants_usd": ("migrant_money_taken_usd", "sum", 1.0),
    "deaths": ("deaths_cumulative", "last", 1.0),
    "irregular_crossings": ("irregular_crossings", "sum", 1.0),
    "org_revenue_usd": ("org_revenue_usd", "sum", 1.0),
    "org_members_end": ("org_members", "last", 1.0),
    "org_countries_end": ("org_countries", "last", 1.0),
    "migrant_stock_end": ("migrant_stock", "last", 1.0),
    "displaced_end": ("displaced_total", "last", 1.0),
    "in_camps_end": ("in_camps", "last", 1.0),
}


def destination_countries(scenario: Scenario) -> list[str]:
    """Countries whose end-of-run migrant stock is an outcome: every host and transit country of
    the scenario (not the origin, whose 'stock' is the people back home)."""
    return [c.iso3 for c in scenario.countries if c.role != "origin"]


def outcomes_of(timeseries: pd.DataFrame, countries: list[str]) -> dict[str, float]:
    """Outcomes from one run's timeseries (as in timeseries.parquet), those whose metric the run
    records; a stock outcome `migrant_stock_end_<ISO3>` for each of `countries` (0 where the run
    has no row for it)."""
    ts = timeseries
    total = ts[ts["country"] == "ALL"]
    by_metric = total.groupby("metric")["value"]
    sums, lasts = by_metric.sum(), by_metric.last()
    # Only outcomes whose metric the run records: a flee run has no victims or organisations, and
    # reporting 0 for those would read as a finding.
    out = {
        name: (sums if how == "sum" else lasts)[metric] / divisor
        for name, (metric, how, divisor) in _SOURCES.items()
        if metric in sums.index
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
