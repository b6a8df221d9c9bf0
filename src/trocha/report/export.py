"""Run tables for spreadsheets. Excel holds at most 1,048,576 rows a sheet, so the daily
per-country table is exported monthly (month-end value for stocks, monthly total for flows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..results.tables import METRICS
from .data import RunData


def tables_for(run: RunData) -> dict[str, pd.DataFrame]:
    """The exported tables, by sheet / file name."""
    ts = run.timeseries
    world = ts[ts["country"] == "ALL"].pivot_table(index="date", columns="metric", values="value")
    world = world.reset_index()
    world["date"] = world["date"].dt.date
    months = []
    for metric, rows in ts.groupby("metric", sort=True):
        unit = METRICS.get(metric, ("", ""))[0]
        flow = unit.endswith("/day")
        grouped = rows.groupby(["country", rows["date"].dt.to_period("M")])["value"]
        values = (grouped.sum() if flow else grouped.last()).reset_index()
        values["metric"] = metric
        values["unit"] = unit.replace("/day", "/month") if flow else unit
        months.append(values)
    monthly = pd.concat(months, ignore_index=True)
    monthly["month"] = monthly.pop("date").astype(str)
    monthly = monthly[["month", "country", "metric", "unit", "value"]]
    places = run.locations.pivot_table(
        index=["date", "location"], columns="metric", values="value"
    ).reset_index()
    places["date"] = places["date"].dt.date
    events = run.events.copy()
    events["date"] = events["date"].dt.date
    card = pd.DataFrame(
        [(k, str(v)) for k, v in run.manifest.items() if k != "timings"], columns=["field", "value"]
    )
    units = pd.DataFrame(
        [(k, u, d) for k, (u, d) in METRICS.items()], columns=["metric", "unit", "meaning"]
    )
    return {
        "run": card,
        "world_daily": world,
        "countries_monthly": monthly,
        "places_weekly": places,
        "events": events,
        "metrics": units,
    }


def write_csv(run: RunData, folder: Path | str) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables_for(run).items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def write_xlsx(run: RunData, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables_for(run).items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path
