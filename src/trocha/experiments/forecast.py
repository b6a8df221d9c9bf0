"""`trocha forecast`: posterior draws x seeds of a scenario, summarised as bands per metric.

Each member of the ensemble is one parameter set drawn from a calibration's posterior table (by
weight, with a seeded generator) run with one seed, so the bands hold both the parameters'
uncertainty and the model's own randomness. The same draws and seeds serve any scenario built on
the calibrated one (a policy variant), so two forecasts compare like with like.

Members are reduced to months (end-of-month values of stocks, monthly sums of per-day flows)
before they leave the worker. Output folder: `members.parquet` (every member, monthly),
`bands.parquet` (date, country, metric, mean, q05, q25, q50, q75, q95: the ensemble's quantiles;
p05, p25, p50, p75, p95: the predictive quantiles of what would be observed, with the
calibration's error and a drift that grows past its cut-off, forecast_error.py), `summary.csv`
(year-end stocks and yearly flows with median, the ensemble's 90% band and the predictive one)
and `forecast.json`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..modules.assimilation import observed_stocks
from ..scenario.problems import ScenarioError
from .calibration import cached_scenario, is_flee, scenario_reference
from .forecast_error import ForecastError, load_forecast_error, predictive_bands
from .likelihood import count_floor
from .priors import split_point

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BAND_COLUMNS = ["date", "country", "metric", "mean", "q05", "q25", "q50", "q75", "q95", "members"]


@dataclass(frozen=True)
class Member:
    """One run of the ensemble (picklable for Dask)."""

    index: int
    scenario: str
    parameters: dict[str, float]
    constants: dict[str, float]
    seed: int
    scale: int | None
    end: dt.date | None
    assimilate: dt.date | None = None  # re-spread the settled by the stocks observed that day


@dataclass
class Forecast:
    folder: Path
    bands: pd.DataFrame
    summary: pd.DataFrame
    error: ForecastError
    assimilation_note: str | None = None  # why the members did not start from the observed state
    posterior_note: str | None = None  # when the posterior's draws are few points
    # the host stocks every member started from (people by host; empty when not assimilated)
    started_from: dict[str, float] = field(default_factory=dict)
    origin: dt.date | None = None  # the day they were observed by (the calibration's cut-off)


def posterior_draws(calibration_dir: Path | str, draws: int, seed: int = 0) -> pd.DataFrame:
    """`draws` rows of a calibration's posterior table, drawn by weight (with replacement)."""
    folder = Path(calibration_dir)
    path = folder / "posterior.parquet"
    if not path.is_file():
        raise ValueError(f"{folder} has no posterior.parquet; run trocha calibrate first")
    table = pd.read_parquet(path)
    weights = table["weight"].to_numpy(dtype=np.float64)
    if table.empty or not np.isfinite(weights).all() or weights.sum() <= 0:
        raise ValueError(f"{path} has no trial with a positive weight")
    rng = np.random.default_rng([seed, 0x70726564])
    rows = rng.choice(len(table), size=draws, replace=True, p=weights / weights.sum())
    return table.iloc[rows].reset_index(drop=True)


def point_columns(table: pd.DataFrame) -> list[str]:
    """The search-space columns of a posterior table (not its bookkeeping or derived columns)."""
    skip = {
        "trial", "phase", "draw", "round", "log_likelihood", "log_prior", "log_prior_search",
        "log_proposal", "loss", "weight", "weight_raw", "log_likelihood_smoothed",
        "minor_stock_log_sd",
    }  # fmt: skip
    return [c for c in table.columns if c not in skip and not c.startswith("constant_")]


def _flow_metrics() -> set[str]:
    from ..results.tables import METRICS

    return {name for name, (unit, _) in METRICS.items() if unit.endswith("/day")}


def monthly(timeseries: pd.DataFrame) -> pd.DataFrame:
    """A daily long table reduced to months: stocks at the month's last day, flows summed."""
    ts = timeseries.copy()
    ts["date"] = pd.to_datetime(ts["date"])
    ts["month"] = ts["date"].dt.to_period("M").dt.to_timestamp("M")
    flows = ts["metric"].isin(_flow_metrics())
    keys = ["month", "country", "metric"]
    summed = ts[flows].groupby(keys, sort=False)["value"].sum()
    last = ts[~flows].sort_values("date").groupby(keys, sort=False)["value"].last()
    out = pd.concat([summed, last]).reset_index().rename(columns={"month": "date"})
    return out.sort_values(["date", "country", "metric"]).reset_index(drop=True)


def run_member(member: Member) -> pd.DataFrame:
    """Executed on a worker: one member's monthly table."""
    from .calibration import build_trial_simulation

    sim = build_trial_simulation(
        member.scenario,
        member.parameters,
        member.constants,
        member.seed,
        member.scale,
        member.end,
        member.assimilate,
    )
    table = monthly(sim.run().timeseries)
    table.insert(0, "member", member.index)
    return table


def ensemble_members(
    scenario: str,
    calibration_dir: Path | str,
    draws: int,
    seeds: int,
    scale: int | None,
    end: dt.date | None,
    seed: int = 0,
    assimilate: dt.date | None = None,
) -> list[Member]:
    """Every (draw, seed) member, in a fixed order; with `assimilate`, each starts from the
    host stocks observed on that date (modules/assimilation.py)."""
    for name, value in (("draws", draws), ("seeds", seeds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    table = posterior_draws(calibration_dir, draws, seed)
    columns = point_columns(table)
    reference = scenario_reference(scenario)
    members = []
    for d in range(draws):
        parameters, constants = split_point({c: float(table.loc[d, c]) for c in columns})
        for s in range(1, seeds + 1):
            members.append(
                Member(len(members), reference, parameters, constants, s, scale, end, assimilate)
            )
    return members


def run_members(
    members: list[Member], workers: int | None, scheduler: str | None, progress: bool
) -> pd.DataFrame:
    """All members' monthly tables (in member order); `workers=0` runs in this process."""
    from .dask_runner import map_in_order, optional_client

    with optional_client(workers, scheduler) as client:
        if client is None or not progress:
            frames = map_in_order(client, run_member, members)
        else:
            futures = client.map(run_member, members, pure=False, retries=2)
            frames = _gather(client, futures)
    return pd.concat(frames, ignore_index=True)


def _gather(client, futures) -> list[pd.DataFrame]:
    """Gather with a progress bar (members done, ETA)."""
    from distributed import as_completed
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[bold]members[/]",
        BarColumn(),
        MofNCompleteColumn(),
        "ETA",
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("members", total=len(futures))
        for _ in as_completed(futures):
            bar.advance(task)
    return client.gather(futures)


def bands_of(members: pd.DataFrame) -> pd.DataFrame:
    """Mean and quantiles of every (date, country, metric) across members."""
    grouped = members.groupby(["date", "country", "metric"], sort=True)["value"]
    table = grouped.quantile(list(QUANTILES)).unstack()
    table.columns = ["q05", "q25", "q50", "q75", "q95"]
    table["mean"] = grouped.mean()
    table["members"] = grouped.size()
    return table.reset_index()[BAND_COLUMNS]


ROUTE_FLOWS = ("irregular_crossings", "encounters")  # yearly by country in summary.csv


def summary_of(
    members: pd.DataFrame, error: ForecastError | None = None, floor: float = 1.0
) -> pd.DataFrame:
    """Year-end stocks by country, yearly totals of harm, and yearly irregular crossings and
    encounters by country, with median and 90% band of the ensemble (q05, q95) and, with
    `error`, the 90% predictive band (p05, p95)."""
    m = members.copy()
    m["year"] = pd.to_datetime(m["date"]).dt.year
    stocks = m[m["metric"] == "migrant_stock"].sort_values("date")
    year_end = stocks.groupby(["member", "year", "country"])["value"].last().reset_index()
    year_end["metric"] = "migrant_stock"
    yearly = [year_end]
    # Totals over all countries; the flows the route north is observed by (irregular entries,
    # into Panama the Darién, and encounters at the US border) by country as well.
    for metric in ("victims_new", "deaths", "departures", *ROUTE_FLOWS):
        flows = m[m["metric"] == metric]
        if metric not in ROUTE_FLOWS:
            flows = flows[flows["country"] == "ALL"]
        per_year = flows.groupby(["member", "year", "country"])["value"].sum().reset_index()
        per_year["metric"] = metric
        yearly.append(per_year)
    table = pd.concat(yearly, ignore_index=True)
    rows = [
        _summary_row(year, country, metric, g["value"])
        for (metric, year, country), g in table.groupby(["metric", "year", "country"], sort=False)
    ]
    out = pd.DataFrame(rows)
    if error is not None and not out.empty:
        table["date"] = pd.to_datetime(table["year"].astype(str) + "-12-31")
        bands = predictive_bands(table, error, floor)
        bands["year"] = pd.to_datetime(bands["date"]).dt.year
        out = out.merge(
            bands[["year", "country", "metric", "p05", "p95"]],
            on=["year", "country", "metric"],
            how="left",
        )
    return out


def _summary_row(year, country, metric, values: pd.Series) -> dict:
    v = values.to_numpy(dtype=np.float64)
    return {
        "year": int(year),
        "country": country,
        "metric": metric,
        "median": float(np.median(v)),
        "q05": float(np.quantile(v, 0.05)),
        "q95": float(np.quantile(v, 0.95)),
    }


def forecast(
    scenario: str,
    calibration_dir: Path | str,
    out_dir: Path | str,
    draws: int = 20,
    seeds: int = 2,
    scale: int | None = None,
    end: dt.date | str | None = None,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    drift: float | None = None,
    flow_drift: float | None = None,
    assimilate: bool = True,
) -> Forecast:
    """Run the ensemble and write its bands; returns them. `drift`: log-sd per year of the
    predictive bands' growth past the calibration's cut-off, `flow_drift` a flow's random-walk
    volatility (default: the calibration folder's forecast_drift.json, else 0 and as a stock's;
    forecast_error.py). `assimilate`: start every member from the host stocks observed on the
    calibration's cut-off (modules/assimilation.py; needs a cut-off in calibration.json)."""
    end_date = dt.date.fromisoformat(end) if isinstance(end, str) else end
    error = load_forecast_error(calibration_dir, drift, flow_drift)
    origin = error.until if assimilate else None
    if assimilate and origin is None:
        raise ValueError(
            f"{calibration_dir}'s calibration.json gives no cut-off (until) to start the forecast "
            "from; pass --no-assimilate"
        )
    loaded = cached_scenario(scenario_reference(scenario))
    note = None
    if origin is not None and is_flee(loaded):
        origin = None  # an imported Flee scenario has no host stocks to start from
    if origin is not None:
        early = changes_before(scenario, calibration_dir, origin)
        if early:
            note = (
                f"{scenario} changes the world before the calibration's cut-off ({origin}): "
                + "; ".join(early)
                + ". Its state there is not the observed one, so its members run without "
                "starting from the observed state; compare it with a forecast of the calibrated "
                "scenario made with --no-assimilate"
            )
            origin = None
    members = ensemble_members(
        scenario, calibration_dir, draws, seeds, scale, end_date, seed, origin
    )
    ess = posterior_effective_size(calibration_dir)
    posterior_note = None
    if ess is not None and ess < FEW_DRAWS:
        posterior_note = (
            f"the posterior's effective sample size is {ess:.1f} (calibration.json): its "
            "weight sits on a few parameter sets, so the ensemble's bands show mostly the seeds' "
            "spread; the predictive bands add the calibration's error and the backtest's drift"
        )
    stocks = observed_stocks(loaded, origin) if origin is not None else {}
    key = hashlib.sha256(
        json.dumps(
            [scenario, loaded.content_hash, str(Path(calibration_dir).resolve()), draws, seeds,
             scale, str(end_date), seed, error.drift_log_sd_per_year,
             error.drift_total_log_sd_per_year, error.flow_drift_log_sd_per_year, __version__,
             str(origin)],
        ).encode()
    ).hexdigest()[:10]  # fmt: skip
    folder = Path(out_dir).resolve() / f"forecast_{loaded.name}_{key}"
    folder.mkdir(parents=True, exist_ok=True)
    table = run_members(members, workers, scheduler, progress)
    floor = count_floor(scale or loaded.spec.default_scale)
    bands = bands_of(table).merge(
        predictive_bands(table, error, floor), on=["date", "country", "metric"], how="left"
    )
    summary = summary_of(table, error, floor)
    table.to_parquet(folder / "members.parquet", index=False)
    bands.to_parquet(folder / "bands.parquet", index=False)
    summary.to_csv(folder / "summary.csv", index=False)
    (folder / "forecast.json").write_text(
        json.dumps(
            {
                "kind": "forecast",
                "scenario": loaded.name,
                "scenario_hash": loaded.content_hash,
                "calibration": str(Path(calibration_dir).resolve()),
                "draws": draws,
                "seeds": seeds,
                "scale": scale,
                "end": str(end_date or loaded.spec.end),
                "seed": seed,
                "members": len(members),
                "posterior_effective_sample_size": ess,
                "assimilated": (
                    {"date": str(origin), "stocks": stocks} if origin else {"not": note}
                ),
                "predictive_error": {
                    "stock_log_sd": error.stock_log_sd,
                    "minor_hosts": list(error.minor_hosts),
                    "minor_stock_log_sd": error.minor_stock_log_sd,
                    "flow_dispersion": error.flow_dispersion,
                    "drift_log_sd_per_year": error.drift_log_sd_per_year,
                    "drift_total_log_sd_per_year": error.drift_total_log_sd_per_year,
                    "drift_flow_log_sd_per_year": error.flow_drift_log_sd_per_year,
                    "flow_drift_source": error.flow_drift_source,
                    "from": str(error.until) if error.until else None,
                    "drift_source": error.drift_source,
                },
                "version": __version__,
            },
            indent=2,
        )
        + "\n"
    )
    return Forecast(
        folder=folder,
        bands=bands,
        summary=summary,
        error=error,
        assimilation_note=note,
        posterior_note=posterior_note,
        started_from=stocks,
        origin=origin,
    )


FEW_DRAWS = 10  # below this effective sample size a posterior is a few points (calibration.md)


def posterior_effective_size(calibration_dir: Path | str) -> float | None:
    """The importance-weighted posterior's effective sample size from calibration.json (None
    when it gives none, or when its weights are the search's, not a posterior's)."""
    path = Path(calibration_dir) / "calibration.json"
    if not path.is_file():
        return None
    info = json.loads(path.read_text())
    value = info.get("effective_sample_size")
    if info.get("weights") != "importance" or not isinstance(value, int | float):
        return None
    return float(value)


def changes_before(scenario: str, calibration_dir: Path | str, origin: dt.date) -> list[str]:
    """What `scenario` changes, against the calibrated scenario, from on or before `origin`: its
    own interventions starting then, and parameters it sets otherwise (a variant that changes
    the world before the cut-off cannot start from the stocks observed there). Changed data
    tables are not compared: a variant with its own tables is run with --no-assimilate."""
    loaded = cached_scenario(scenario_reference(scenario))
    path = Path(calibration_dir) / "calibration.json"
    calibrated = json.loads(path.read_text()).get("scenario") if path.is_file() else None
    base = loaded
    if calibrated and calibrated != loaded.name:
        try:
            base = cached_scenario(scenario_reference(calibrated))
        except (ScenarioError, ValueError, OSError):
            base = None
    own = list(base.interventions) if base is not None else []
    changes = [iv.describe() for iv in loaded.interventions if iv not in own and iv.start <= origin]
    if base is not None:
        changes += [
            f"parameter {name} = {value:g} (calibrated scenario: "
            + (f"{base.parameters[name]:g})" if name in base.parameters else "unset)")
            for name, value in sorted(loaded.overrides.items())
            if base.overrides.get(name) != value
        ]
    return changes
