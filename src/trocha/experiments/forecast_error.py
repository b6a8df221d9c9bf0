"""Predictive bands of a forecast: what would be observed, with an error that grows past the fit.

An ensemble (posterior draws x seeds) spreads over the parameters and the model's randomness
only. With a posterior as narrow as the venezuela fit (an effective sample of one or two draws)
its bands are a few percent wide three years out, while the backtest (validate.py) finds the
model's host stocks 40-80% off two years after its calibration's cut-off. A band meant to cover
what will be observed adds, to every member, the calibration's error model (likelihood.py
`ErrorModel`: measurement and model error at the fit) and a drift that grows with the years
past the cut-off:

    log-sd(t) = sqrt(base^2 + (drift x years after `until`)^2)

with base = `stock_log_sd` for levels (a minor host's own, `minor_stock_log_sd`) and
sqrt(log(1 + 1 / flow_dispersion)) for flows (the negative binomial's coefficient of variation for
large counts). `drift` (log-sd per year) is
measured by the backtest: calibrate to an earlier origin, forecast the host stocks observed after
it, and fit the squared log errors minus the base variance on the squared horizon
(`estimate_drift`), weighted by people; the total over countries ("ALL") has its own drift, from
the errors of the hosts' sum on each date (a total is known better than its split).

A flow is not a stock: a stock adds up years of arrivals and moves slowly, while the people
crossing a border in a year can double or fall by three quarters from one year to the next
(the Darién, 2017-2020: 6,780, 9,222, 22,102, 6,465). The backtest cannot measure a flow's forecast
error (the flows observed after its origin are mostly bounds), so a flow's drift is the
volatility of the observed flows themselves, a random walk on the log scale fitted to the
changes between consecutive periods of each flow series up to the backtest's horizon (the
calibration's cut-off; `flow_volatility`):

    flow log-sd(t) = sqrt(base^2 + flow_drift^2 x years after `until`)

It says how far a flow may move while the model is not told, not that the model has no skill;
without a measured flow drift (older drift files) flows drift as stocks do. It applies to counts
of people (units "people" and "people/day"); other metrics (money, members) have no error model
and no predictive band (NaN).

The predictive distribution of one (date, country, metric) is the mixture over members of
lognormals centred on each member's value (a member with nothing, below half an agent, predicts
0); its quantiles are found by bisection on the mixture's distribution function.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .likelihood import ErrorModel
from .targets import FLOW, Target

DRIFT_FILE = "forecast_drift.json"
PREDICTIVE_COLUMNS = ["p05", "p25", "p50", "p75", "p95"]
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BISECTION_STEPS = 60


@dataclass(frozen=True)
class ForecastError:
    stock_log_sd: float
    flow_dispersion: float
    drift_log_sd_per_year: float  # a country's count
    until: dt.date | None  # the calibration's cut-off: the drift grows from it
    drift_total_log_sd_per_year: float = 0.0  # the total over countries ("ALL")
    # Where the drift came from: "option" (given), the drift file's path, or "none" (no drift
    # file: the bands do not widen past the cut-off).
    drift_source: str = "none"
    minor_hosts: tuple[str, ...] = ()  # hosts whose stocks have their own sd (likelihood.py)
    minor_stock_log_sd: float | None = None
    # A flow's random-walk volatility, log-sd per square-root year (None: flows drift as stocks)
    flow_drift_log_sd_per_year: float | None = None
    flow_drift_source: str = "none"  # "option", the drift file's path, or "none"

    def log_sd(
        self,
        flow: np.ndarray,
        dates: pd.Series | np.ndarray,
        total: np.ndarray | None = None,
        countries: pd.Series | np.ndarray | None = None,
    ) -> np.ndarray:
        """Log-scale sd of an observation of each row (flow, total: bool per row; countries
        give the minor hosts' levels their own sd)."""
        flow = np.asarray(flow, dtype=bool)
        level = np.full(flow.shape, self.stock_log_sd**2)
        if countries is not None and self.minor_stock_log_sd is not None and self.minor_hosts:
            minor = np.isin(np.asarray(countries), list(self.minor_hosts))
            level = np.where(minor, self.minor_stock_log_sd**2, level)
        base = np.where(flow, math.log1p(1.0 / max(self.flow_dispersion, 1e-9)), level)
        return np.sqrt(base + self.drift_sd(flow, dates, total) ** 2)

    def drift_sd(
        self, flow: np.ndarray, dates: pd.Series | np.ndarray, total: np.ndarray | None = None
    ) -> np.ndarray:
        """The drift's part of each row's log-sd: 0 up to the cut-off; then drift x years for
        levels (a total's own drift), flow_drift x sqrt(years) for flows (a random walk)."""
        flow = np.asarray(flow, dtype=bool)
        if self.until is None:
            return np.zeros(flow.shape)
        days = (pd.to_datetime(dates) - pd.Timestamp(self.until)).to_numpy() / np.timedelta64(
            1, "D"
        )
        years = np.maximum(np.asarray(days, dtype=np.float64), 0.0) / 365.25
        drift = np.full(flow.shape, self.drift_log_sd_per_year)
        if total is not None:
            drift = np.where(np.asarray(total, dtype=bool), self.drift_total_log_sd_per_year, drift)
        out = drift * years
        if self.flow_drift_log_sd_per_year is not None:
            out = np.where(flow, self.flow_drift_log_sd_per_year * np.sqrt(years), out)
        return out


def load_forecast_error(
    calibration_dir: Path | str, drift: float | None = None, flow_drift: float | None = None
) -> ForecastError:
    """The calibration's error model and cut-off (calibration.json; the likelihood's defaults
    and no cut-off without one) with the drifts given, else those measured by a backtest and
    stored next to the calibration (forecast_drift.json), else none (a flow's: as a stock's)."""
    folder = Path(calibration_dir)
    path = folder / "calibration.json"
    summary = json.loads(path.read_text()) if path.is_file() else {}
    errors = ErrorModel(**summary.get("error_model", {}))
    until = dt.date.fromisoformat(summary["until"]) if summary.get("until") else None
    stored = folder / DRIFT_FILE
    measured = json.loads(stored.read_text()) if stored.is_file() else {}
    if drift is None:
        drift = float(measured.get("drift_log_sd_per_year", 0.0))
        total = float(measured.get("drift_total_log_sd_per_year", drift))
        source = str(stored) if stored.is_file() else "none"
    else:
        total = drift
        source = "option"
    # A flow's drift is its own: `drift` given as an option does not replace the file's.
    flow_source = "option" if flow_drift is not None else "none"
    if flow_drift is None and measured.get("drift_flow_log_sd_per_year") is not None:
        flow_drift = float(measured["drift_flow_log_sd_per_year"])
        flow_source = str(stored)
    for value in (drift, total, 0.0 if flow_drift is None else flow_drift):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"the drift (log-sd per year) must be a number >= 0, got {value!r}")
    return ForecastError(
        stock_log_sd=errors.stock_log_sd,
        flow_dispersion=errors.flow_dispersion,
        drift_log_sd_per_year=float(drift),
        until=until,
        drift_total_log_sd_per_year=float(total),
        drift_source=source,
        minor_hosts=errors.minor_hosts,
        minor_stock_log_sd=errors.minor_stock_log_sd,
        flow_drift_log_sd_per_year=None if flow_drift is None else float(flow_drift),
        flow_drift_source=flow_source,
    )


def flow_volatility(targets: list[Target], until: dt.date) -> tuple[float, list[dict]]:
    """Random-walk volatility of the observed flows up to `until`: log-sd per square-root year
    d with d^2 the mean of log(next / previous)^2 / years apart over the consecutive periods of
    each flow series that do not overlap. A series is one country, metric, period length (in
    months), first month (calendar and fiscal years apart) and kind of bound: a series of
    bounds moves as the count it bounds does (venezuela's Darién rows are upper bounds, counts of
    every nationality, so its volatility is that of all crossers). A period with nothing
    observed has no log; its neighbours are compared across it (over the years between them).
    Returns d and the changes it is measured on; ValueError without two such periods."""
    series: dict[tuple, list[Target]] = {}
    for t in targets:
        if t.kind == FLOW and t.start_date is not None and t.date <= until and t.value > 0:
            months = round((t.date - t.start_date).days / 30.44)
            key = (t.country, t.metric, months, t.start_date.month, t.lower_bound, t.upper_bound)
            series.setdefault(key, []).append(t)
    changes = []
    for rows in series.values():
        rows.sort(key=lambda t: t.date)
        for a, b in itertools.pairwise(rows):
            if b.start_date <= a.date:  # overlapping periods share their people
                continue
            years = (b.date - a.date).days / 365.25
            change = math.log(b.value / a.value)
            changes.append({"from": a.label, "to": b.label, "log_change": change, "years": years})
    if not changes:
        raise ValueError(f"no two consecutive periods of one flow up to {until} to measure from")
    d2 = float(np.mean([c["log_change"] ** 2 / c["years"] for c in changes]))
    return math.sqrt(d2), changes


def estimate_drift(
    log_errors: np.ndarray,
    years: np.ndarray,
    base_log_sd: float | np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Drift d (log-sd per year) such that e ~ N(0, base^2 + d^2 h^2): weighted least squares of
    e^2 - base^2 on h^2 through the origin, d^2 = sum(w (e^2 - base^2) h^2) / sum(w h^4), at
    least 0 (base: one sd, or each error's own). Weighted by people (the observed counts), it is
    the error of the count a typical migrant is in, not of the smallest hosts'."""
    e = np.asarray(log_errors, dtype=np.float64)
    h = np.asarray(years, dtype=np.float64)
    w = np.ones_like(e) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = np.isfinite(e) & (h > 0) & np.isfinite(w) & (w > 0)
    if not keep.any():
        raise ValueError("no forecast error after the origin to measure the drift from")
    base = np.broadcast_to(np.asarray(base_log_sd, dtype=np.float64), e.shape)[keep]
    e, h, w = e[keep], h[keep], w[keep]
    d2 = float(np.sum(w * (e * e - base**2) * h * h) / np.sum(w * h**4))
    return math.sqrt(max(d2, 0.0))


def mixture_quantiles(
    values: np.ndarray, log_sd: np.ndarray, floor: float, quantiles=QUANTILES
) -> np.ndarray:
    """[row, quantile] of the mixture over a row's members (NaN: absent) of lognormals centred
    on each value with the row's log-sd; a member below `floor` (half an agent: nothing at the
    run's resolution) predicts 0."""
    v = np.asarray(values, dtype=np.float64)
    present = np.isfinite(v)
    counted = present & (np.where(present, v, 0.0) >= floor)
    logs = np.log(np.where(counted, v, 1.0))
    n = present.sum(axis=1)
    zeros = (present & ~counted).sum(axis=1)
    sd = np.maximum(np.asarray(log_sd, dtype=np.float64), 1e-12)[:, None]
    lo = np.where(counted, logs, np.inf).min(axis=1) - 9.0 * sd[:, 0]
    hi = np.where(counted, logs, -np.inf).max(axis=1) + 9.0 * sd[:, 0]
    out = np.full((v.shape[0], len(quantiles)), np.nan)
    for j, q in enumerate(quantiles):
        nothing = (n > 0) & (zeros >= q * n)  # the quantile falls on the members with nothing
        out[nothing, j] = 0.0
        rows = (n > 0) & ~nothing
        a, b = lo[rows].copy(), hi[rows].copy()
        m, s, c = logs[rows], sd[rows], counted[rows]
        k, z = n[rows], zeros[rows]
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (a + b)
            cdf = (np.where(c, ndtr((mid[:, None] - m) / s), 0.0).sum(axis=1) + z) / k
            below = cdf < q
            a = np.where(below, mid, a)
            b = np.where(below, b, mid)
        out[rows, j] = np.exp(0.5 * (a + b))
    return out


def people_metrics() -> tuple[set[str], set[str]]:
    """(levels, flows): the metrics that count people, by their unit."""
    from ..results.tables import METRICS

    levels = {name for name, (unit, _) in METRICS.items() if unit == "people"}
    flows = {name for name, (unit, _) in METRICS.items() if unit == "people/day"}
    return levels, flows


def predictive_bands(members: pd.DataFrame, error: ForecastError, floor: float) -> pd.DataFrame:
    """Predictive quantiles (PREDICTIVE_COLUMNS) of every (date, country, metric) whose metric
    counts people; `members` has those columns, member and value."""
    levels, flows = people_metrics()
    counted = members[members["metric"].isin(levels | flows)]
    keys = ["date", "country", "metric"]
    if counted.empty:
        return pd.DataFrame(columns=[*keys, *PREDICTIVE_COLUMNS])
    wide = counted.pivot_table(index=keys, columns="member", values="value", aggfunc="first")
    index = wide.index.to_frame(index=False)
    is_flow = index["metric"].isin(flows).to_numpy()
    sd = error.log_sd(
        is_flow, index["date"], (index["country"] == "ALL").to_numpy(), index["country"]
    )
    quantiles = mixture_quantiles(wide.to_numpy(dtype=np.float64), sd, floor)
    out = index.copy()
    for j, name in enumerate(PREDICTIVE_COLUMNS):
        out[name] = quantiles[:, j]
    return out
