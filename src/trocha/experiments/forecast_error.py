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
the errors of the hosts' sum on each date (a total is known better than its split). It applies
to counts of people (units "people" and "people/day"); other metrics (money, members) have no
error model and no predictive band (NaN).

The predictive distribution of one (date, country, metric) is the mixture over members of
lognormals centred on each member's value (a member with nothing, below half an agent, predicts
0); its quantiles are found by bisection on the mixture's distribution function.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .likelihood import ErrorModel

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
        drift = np.full(flow.shape, self.drift_log_sd_per_year)
        if total is not None:
            drift = np.where(np.asarray(total, dtype=bool), self.drift_total_log_sd_per_year, drift)
        if self.until is None or not (drift > 0.0).any():
            return np.sqrt(base)
        days = (pd.to_datetime(dates) - pd.Timestamp(self.until)).to_numpy() / np.timedelta64(
            1, "D"
        )
        years = np.maximum(days.astype(np.float64), 0.0) / 365.25
        return np.sqrt(base + (drift * years) ** 2)


def load_forecast_error(calibration_dir: Path | str, drift: float | None = None) -> ForecastError:
    """The calibration's error model and cut-off (calibration.json; the likelihood's defaults
    and no cut-off without one) with the drift given, else the one measured by a backtest and
    stored next to the calibration (forecast_drift.json), else none."""
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
    for value in (drift, total):
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
    )


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
