"""Calibration targets: the observations a scenario is fitted to, and what the model says of them.

A target row (targets.csv) is one of four kinds:
- a **level** (a stock on a date, e.g. `migrant_stock` in Peru on 2019-12-31): compared with the
  simulated value on that date;
- a **flow** (rows with `start_date`, e.g. Darién crossings in 2019): compared with the simulated
  daily metric summed from `start_date` to `date`;
- an **interval** (rows with `value_high`, e.g. a trocha fee between 20 and 50 USD): the simulated
  mean over the period (or the value on the date) should fall inside;
- a **share** (a metric in `SHARES`, e.g. `air_entry_share`: the entries into a country by air
  over all its entries, from `start_date` to `date`): the ratio of the two daily metrics' sums
  over the period.
`bound = lower` marks an observation that counts only part of the people (UNHCR's asylum-only
counts for the USA and Spain, detected crossings): the model may exceed it freely. `bound = upper`
marks one that counts more than the model's people (Darién crossings of all nationalities): the
model may fall below it freely.

Only rows with role `calibration` dated on or before the cut-off are ever read for fitting; rows
after it, and rows marked `validation`, are held back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.loader import Scenario

LEVEL, FLOW, INTERVAL, SHARE = "level", "flow", "interval", "share"
# A share target's numerator and denominator: daily metrics summed over its period.
SHARES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "air_entry_share": (("air_entries",), ("official_crossings", "irregular_crossings")),
}


@dataclass(frozen=True)
class Target:
    """One observation to fit, with what is needed to read the model's value for it."""

    row: int  # the row of targets.csv (header = row 1), for messages and reports
    date: dt.date
    country: str
    metric: str
    value: float
    kind: str  # LEVEL, FLOW, INTERVAL or SHARE
    start_date: dt.date | None = None
    value_high: float | None = None
    lower_bound: bool = False
    upper_bound: bool = False
    source_id: str = ""

    @property
    def label(self) -> str:
        period = f"{self.start_date}..{self.date}" if self.start_date else str(self.date)
        return f"{self.metric} {self.country} {period}"


def scenario_targets(scenario: Scenario) -> list[Target]:
    """Every target row of the scenario, whatever its role or date."""
    targets = []
    for i, row in enumerate(scenario.targets, start=2):
        start = getattr(row, "start_date", None)
        high = getattr(row, "value_high", None)
        kind = INTERVAL if high is not None else (FLOW if start is not None else LEVEL)
        if row.metric in SHARES:
            kind = SHARE
        targets.append(
            Target(
                row=i,
                date=row.date,
                country=row.country,
                metric=row.metric,
                value=float(row.value),
                kind=kind,
                start_date=start,
                value_high=None if high is None else float(high),
                lower_bound=getattr(row, "bound", "estimate") == "lower",
                upper_bound=getattr(row, "bound", "estimate") == "upper",
                source_id=row.source_id,
            )
        )
    return targets


def calibration_targets(scenario: Scenario, until: dt.date) -> list[Target]:
    """The targets a calibration to data up to `until` may read: role calibration, dated (and,
    for flows, started) on or before `until`. Raises ValueError when none is left."""
    rows = [
        t
        for t, row in zip(scenario_targets(scenario), scenario.targets, strict=True)
        if row.role == "calibration" and t.date <= until
    ]
    if not rows:
        raise ValueError(
            f"{scenario.name} has no calibration targets dated on or before {until} "
            "(targets.csv, role = calibration)"
        )
    return rows


def held_back(scenario: Scenario, until: dt.date) -> list[Target]:
    """Targets a calibration to `until` must not read: later ones and validation rows."""
    used = {t.row for t in calibration_targets(scenario, until)}
    return [t for t in scenario_targets(scenario) if t.row not in used]


def simulated_values(timeseries: pd.DataFrame, targets: list[Target]) -> np.ndarray:
    """The model's value for each target from one run's daily long table (NaN where the run does
    not reach the target's date or has no such metric). Only the targets' metrics and countries
    are read, with dates as NumPy days: a calibration calls this once per seed of every trial."""
    out = np.full(len(targets), np.nan)
    if not targets:
        return out
    metrics = {t.metric for t in targets}
    for metric in metrics & set(SHARES):
        metrics |= {*SHARES[metric][0], *SHARES[metric][1]}
    wanted = timeseries["metric"].isin(metrics) & timeseries["country"].isin(
        {t.country for t in targets}
    )
    frame = timeseries.loc[wanted]
    days = frame["date"].to_numpy().astype("datetime64[D]")
    values = frame["value"].to_numpy(dtype=np.float64)
    rows = frame.groupby(["metric", "country"], sort=False).indices
    for i, target in enumerate(targets):
        if target.kind == SHARE:
            out[i] = _share(target, rows, days, values)
            continue
        at = rows.get((target.metric, target.country))
        if at is None or len(at) == 0:
            continue
        day, value = days[at], values[at]  # in date order, as the table is sorted
        end = np.datetime64(target.date, "D")
        if end > day[-1] or end < day[0]:
            continue
        if target.kind == FLOW or (target.kind == INTERVAL and target.start_date is not None):
            window = value[(day >= np.datetime64(target.start_date, "D")) & (day <= end)]
            window = window[~np.isnan(window)]  # as pandas' sum and mean skip NaN
            if target.kind == FLOW:
                out[i] = window.sum()
            elif len(window):
                out[i] = window.mean()
        else:
            out[i] = value[day <= end][-1]
    return out


def _share(target: Target, rows: dict, days: np.ndarray, values: np.ndarray) -> float:
    """Sum of the numerator's daily metrics over sum of the denominator's, from `start_date` to
    `date` (NaN where the run does not cover the period, lacks a metric or has no events)."""
    start, end = np.datetime64(target.start_date, "D"), np.datetime64(target.date, "D")

    def total(metrics: tuple[str, ...]) -> float:
        out = 0.0
        for metric in metrics:
            at = rows.get((metric, target.country))
            if at is None or len(at) == 0 or days[at][0] > start or days[at][-1] < end:
                return np.nan
            window = values[at][(days[at] >= start) & (days[at] <= end)]
            out += float(np.nansum(window))
        return out

    numerator, denominator = (total(m) for m in SHARES[target.metric])
    return numerator / denominator if denominator > 0 else np.nan
