"""`trocha validate`: how well a calibrated scenario fits its targets, and a backtest.

Fit report: an ensemble of posterior draws x seeds gives, for every target of the scenario (used
in the calibration or held back), the median, the relative error of the median, the model's 90%
band (parameters and seeds) and the 90% posterior predictive band (the same members with the
calibration's measurement and model error added, predictive.py), whether each covers the
observation, and the CRPS of the predictive ensemble. Coverage of observations is judged on the
predictive band: the model band alone leaves out the error the calibration allowed for.

Rolling-origin backtest on the shipped data: calibrate to data up to `origin` only, forecast to
`horizon`, and score the host stocks observed after the origin against two baselines
(persistence and gravity, `baselines.py`) by mean absolute percentage error. The baselines are
told the observed total of the hosts, so the model is also scored on its own shares times that
total ("trocha_shares": where people went, like the baselines) and on the world total alone (how
many left), which splits its error into distribution and size.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.loader import load_scenario
from .baselines import Gravity, host_stock_targets, persistence, stocks_on
from .calibration import CalibrationSettings, build_trial_simulation
from .forecast import Member, changes_before, ensemble_members
from .forecast_error import (
    DRIFT_FILE,
    ForecastError,
    estimate_drift,
    flow_volatility,
    load_forecast_error,
)
from .likelihood import ErrorModel, count_floor, crps_ensemble
from .predictive import observed_at_resolution, predictive_draws
from .staged import PROCEDURES, staged_calibration
from .targets import (
    FLOW,
    LEVEL,
    Target,
    calibration_targets,
    scenario_targets,
    simulated_values,
)

MAIN_HOSTS = ("COL", "PER", "ECU", "CHL", "BRA", "ARG")
STAGE_KEYS = ("stage", "name", "log_likelihood")
FIT_COLUMNS = [
    "row",
    "target",
    "date",
    "country",
    "metric",
    "kind",
    "observed",
    "median",
    "q05",
    "q95",
    "q05_model",
    "q95_model",
    "error",
    "covered",
    "covered_model",
    "crps",
    "used_in_calibration",
    "below_resolution",
]


@dataclass(frozen=True)
class MemberTargets:
    member: Member
    targets: tuple[Target, ...]


def member_targets(task: MemberTargets) -> np.ndarray:
    """Executed on a worker: one member's simulated value of every target."""
    m = task.member
    sim = build_trial_simulation(
        m.scenario, m.parameters, m.constants, m.seed, m.scale, m.end, m.assimilate
    )
    return simulated_values(sim.run().timeseries, list(task.targets))


def ensemble_targets(
    members: list[Member], targets: list[Target], workers: int | None, scheduler: str | None
) -> np.ndarray:
    """[member, target] simulated values."""
    from .dask_runner import map_in_order, optional_client

    tasks = [MemberTargets(m, tuple(targets)) for m in members]
    with optional_client(workers, scheduler) as client:
        rows = map_in_order(client, member_targets, tasks)
    return np.vstack(rows)


def covers(target: Target, low: float, high: float, observed: float) -> bool:
    """Does the band [low, high] cover the observation (bounds and intervals as in targets.py)?"""
    if target.lower_bound:
        return high >= observed
    if target.upper_bound:
        return low <= observed
    if target.value_high is not None:  # an interval: the band overlaps it
        return low <= target.value_high and high >= observed
    return low <= observed <= high


def fit_table(
    targets: list[Target],
    values: np.ndarray,
    used: set[int],
    errors: ErrorModel | None = None,
    floor: float = 1.0,
    seed: int = 0,
    drift: ForecastError | None = None,
) -> pd.DataFrame:
    """One row per target: median, model and predictive 90% bands, coverage, CRPS. With
    `drift`, a count of people dated after its cut-off is drawn with the forecast's drift too
    (forecast_error.py), as `trocha forecast` draws it."""
    errors = errors or ErrorModel()
    rng = np.random.default_rng(seed)
    rows = []
    for j, t in enumerate(targets):
        sims = values[:, j]
        sims = sims[np.isfinite(sims)]
        if sims.size == 0:
            continue
        median = float(np.median(sims))
        q05_model, q95_model = (float(q) for q in np.quantile(sims, [0.05, 0.95]))
        predicted = predictive_draws(t, sims, errors, floor, rng)
        if drift is not None and t.kind in (LEVEL, FLOW):
            sd = drift.drift_sd(
                np.array([t.kind == FLOW]), [t.date], np.array([t.country == "ALL"])
            )
            if sd[0] > 0:  # its own stream: the other targets' draws stay as they were
                noise = np.random.default_rng([seed, t.row]).standard_normal(predicted.size)
                predicted = predicted * np.exp(sd[0] * noise)
        q05, q95 = (float(q) for q in np.quantile(predicted, [0.05, 0.95]))
        observed = t.value
        at_resolution = observed_at_resolution(t, floor)
        rows.append(
            {
                "row": t.row,
                "target": t.label,
                "date": t.date,
                "country": t.country,
                "metric": t.metric,
                "kind": t.kind,
                "observed": observed,
                "median": median,
                "q05": q05,
                "q95": q95,
                "q05_model": q05_model,
                "q95_model": q95_model,
                "error": (median - observed) / observed if observed else np.nan,
                "covered": covers(t, q05, q95, at_resolution),
                "covered_model": covers(t, q05_model, q95_model, observed),
                "crps": crps_ensemble(at_resolution, predicted),
                "used_in_calibration": t.row in used,
                # A count the run cannot resolve (under half an agent): compared at the floor,
                # so its band says nothing about the model; a finer --scale tests it.
                "below_resolution": t.kind in (LEVEL, FLOW) and observed < floor,
            }
        )
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def mape(table: pd.DataFrame, countries: tuple[str, ...] | None, years: tuple[int, int]) -> float:
    """Mean absolute percentage error of the median over host stocks in `years` (inclusive)."""
    t = table[(table["metric"] == "migrant_stock") & (table["country"] != "ALL")]
    year = pd.to_datetime(t["date"]).dt.year
    t = t[(year >= years[0]) & (year <= years[1])]
    if countries is not None:
        t = t[t["country"].isin(countries)]
    return float((t["error"].abs()).mean()) if len(t) else float("nan")


def fit_report(
    scenario: str,
    calibration_dir: Path | str,
    out_dir: Path | str,
    draws: int = 20,
    seeds: int = 2,
    scale: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    assimilate: bool = True,
) -> tuple[pd.DataFrame, dict]:
    """Fit of every target; writes fit.csv and fit.json into `out_dir`. With `assimilate` the
    members start from the stocks observed at the cut-off, as a forecast does (targets up to
    the cut-off are unchanged; those after it are scored as the forecast would be)."""
    loaded = load_scenario(scenario)
    targets = [t for t in scenario_targets(loaded) if loaded.spec.start <= t.date]
    if not targets:
        raise ValueError(f"{loaded.name} has no targets (targets.csv)")
    summary_in = json.loads((Path(calibration_dir) / "calibration.json").read_text())
    until = dt.date.fromisoformat(summary_in["until"])
    used = {t.row for t in calibration_targets(loaded, until)}
    end = min(max(t.date for t in targets), loaded.spec.end)
    origin = until if assimilate and not changes_before(scenario, calibration_dir, until) else None
    members = ensemble_members(scenario, calibration_dir, draws, seeds, scale, end, seed, origin)
    values = ensemble_targets(members, targets, workers, scheduler)
    errors = ErrorModel(**summary_in.get("error_model", {}))
    floor = count_floor(scale or loaded.spec.default_scale)
    # Past the cut-off a band widens as the forecast's does (the calibration folder's drift).
    drift = load_forecast_error(calibration_dir)
    table = fit_table(targets, values, used, errors, floor, seed, drift)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "scenario": loaded.name,
        "calibrated_until": until.isoformat(),
        "assimilated": origin is not None,
        "members": len(members),
        "targets": len(table),
        "targets_in_sample": int(table["used_in_calibration"].sum()),
        "coverage_90": float(table["covered"].mean()) if len(table) else float("nan"),
        "coverage_90_model_only": float(table["covered_model"].mean())
        if len(table)
        else float("nan"),
        "coverage_90_in_sample": float(table[table["used_in_calibration"]]["covered"].mean()),
        # The minor hosts' stocks have a wider measurement error (likelihood.py): their coverage
        # apart from the rest's, so a wide band there does not hide a miss elsewhere.
        "coverage_90_in_sample_minor_host_stocks": _coverage(table, errors, minor=True),
        "coverage_90_in_sample_other_targets": _coverage(table, errors, minor=False),
        # by kind of target (level, flow, interval, share): where the misses are
        "coverage_90_in_sample_by_kind": _coverage_by_kind(table),
        "error_model": asdict(errors),
        "scale": scale or loaded.spec.default_scale,
        "count_floor": floor,
        "below_resolution": table.loc[table["below_resolution"], "target"].tolist(),
        "mape_main_hosts_2019_2020": mape(table, MAIN_HOSTS, (2019, 2020)),
        "mape_all_hosts_2019_2020": mape(table, None, (2019, 2020)),
        "mean_crps_in_sample": float(table[table["used_in_calibration"]]["crps"].mean()),
        "coverage_90_after_cut_off": _after_cut_off(table, until),
        "drift_source": drift.drift_source,
        "drift_flow_log_sd_per_year": drift.flow_drift_log_sd_per_year,
    }
    table.to_csv(out / "fit.csv", index=False)
    (out / "fit.json").write_text(json.dumps(summary, indent=2) + "\n")
    return table, summary


def _after_cut_off(table: pd.DataFrame, until: dt.date) -> float | None:
    """Coverage of the targets dated after the calibration's cut-off (None if there are none)."""
    after = table[pd.to_datetime(table["date"]) > pd.Timestamp(until)]
    return float(after["covered"].mean()) if len(after) else None


def _coverage(table: pd.DataFrame, errors: ErrorModel, minor: bool) -> float:
    """In-sample coverage of the minor hosts' stocks (or of every other target)."""
    inside = table[table["used_in_calibration"]]
    is_minor = (inside["metric"] == "migrant_stock") & inside["country"].isin(errors.minor_hosts)
    chosen = inside[is_minor if minor else ~is_minor]
    return float(chosen["covered"].mean()) if len(chosen) else float("nan")


def _coverage_by_kind(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """In-sample coverage and number of targets of each kind present."""
    inside = table[table["used_in_calibration"]]
    return {
        str(kind): {"coverage_90": float(group["covered"].mean()), "targets": len(group)}
        for kind, group in inside.groupby("kind", sort=True)
    }


def world_stock_targets(targets: list[Target]) -> list[Target]:
    """Observed world totals of the people abroad (country ALL)."""
    return [
        t for t in targets if t.metric == "migrant_stock" and t.country == "ALL" and t.kind == LEVEL
    ]


def backtest(
    scenario: str,
    out_dir: Path | str,
    origin: dt.date = dt.date(2018, 12, 31),
    horizon: dt.date = dt.date(2020, 12, 31),
    trials: int = 40,
    seeds: int = 2,
    draws: int = 10,
    scale: int | None = None,
    batch: int = 4,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    posterior_draws: int = 20,
    repeats: int = 1,
    assimilate: bool = True,
    procedure: str = "shipped",
    confirm_top: int = 5,
    confirm_seeds: int = 4,
) -> tuple[pd.DataFrame, dict]:
    """Calibrate to `origin`, forecast to `horizon`, score host stocks against the baselines.

    With `repeats` > 1 the whole backtest runs that many times with the search seeds `seed`,
    `seed` + 1, ...: a calibration of a few dozen trials is a short search whose result moves
    from one seed to the next, so the scores are means over the searches and the drift is the
    median of the searches' drifts (column `search` of backtest.csv). With `assimilate` the
    forecasts start from the host stocks observed on `origin`, as `trocha forecast` does.

    `procedure` is how each search calibrates (staged.py): "shipped", the stages that made the
    shipped scenario, each of `trials` trials; "single", one search over everything. Each
    stage re-runs its `confirm_top` best points on `confirm_seeds` fresh seeds before it
    chooses one (`trocha calibrate`'s options of the same names)."""
    if procedure not in PROCEDURES:
        raise ValueError(f"procedure must be one of {sorted(PROCEDURES)}, got {procedure!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    loaded = load_scenario(scenario)
    out = Path(out_dir)
    all_targets = scenario_targets(loaded)
    later = [t for t in host_stock_targets(all_targets) if origin < t.date <= horizon]
    world = [t for t in world_stock_targets(all_targets) if origin < t.date <= horizon]
    at_origin = stocks_on(all_targets, origin)
    if not later or not at_origin:
        raise ValueError(
            f"a backtest from {origin} needs host stocks observed on {origin} and after it up to "
            f"{horizon} in {loaded.name}'s targets.csv"
        )
    gravity = Gravity(loaded)
    gravity_ok = gravity.fit(at_origin, origin.year)
    end = min(horizon, loaded.spec.end)
    tables, world_rows, bases, minor_sds, sizes, stage_rows = [], [], [], [], [], []
    for search in range(seed, seed + repeats):
        template = CalibrationSettings(
            scenario=scenario, until=origin, trials=trials, seeds=seeds, scale=scale, batch=batch,
            seed=search, posterior_draws=posterior_draws,
            draws_per_round=max(1, posterior_draws // 2), confirm_top=confirm_top,
            confirm_seeds=confirm_seeds,
        )  # fmt: skip
        staged = staged_calibration(
            template, PROCEDURES[procedure],
            out / ("calibration" if repeats == 1 else f"calibration_{search}"),
            workers, scheduler, progress,
        )  # fmt: skip
        calibrated = staged.calibration
        stage_rows.append([{k: v for k, v in s.items() if k in STAGE_KEYS} for s in staged.stages])
        members = ensemble_members(
            str(staged.scenario), calibrated.folder, draws, seeds, scale, end, search,
            origin if assimilate else None,
        )  # fmt: skip
        values = ensemble_targets(members, later + world, workers, scheduler)
        medians = np.nanmedian(values, axis=0)
        table = _scored_table(later, medians[: len(later)], at_origin, gravity, gravity_ok)
        table.insert(0, "search", search)
        tables.append(table)
        world_rows += [
            {
                "search": search,
                "date": str(t.date),
                "observed": t.value,
                "trocha": float(m),
                "ratio": float(m / t.value),
            }
            for t, m in zip(world, medians[len(later) :], strict=True)
        ]
        # Each stock's own measurement error at the fit (a minor host's is wider) is not drift.
        fitted = ErrorModel(**calibrated.summary["error_model"])
        bases.append(np.array([fitted.country_sd(c) for c in table["country"]]))
        minor_sds.append(fitted.minor_stock_log_sd)
        sizes.append(float(calibrated.summary.get("effective_sample_size", float("nan"))))
    table = pd.concat(tables, ignore_index=True)
    summary: dict = {
        "scenario": loaded.name, "origin": str(origin), "horizon": str(horizon),
        "searches": list(range(seed, seed + repeats)), "assimilated": assimilate,
        # the effective sample size of each search's posterior: near 1, its forecasts rest on
        # one parameter set (docs/calibration.md)
        "posterior_effective_sample_size_by_search": sizes,
        # how each search calibrated, and the best log-likelihood each stage reached
        "procedure": procedure, "stages_by_search": stage_rows,
    }  # fmt: skip
    for subset, countries in (("main_hosts", MAIN_HOSTS), ("all_hosts", None)):
        t = table if countries is None else table[table["country"].isin(countries)]
        for method in ("trocha", "trocha_shares", "persistence", "gravity"):
            err = ((t[method] - t["observed"]) / t["observed"]).abs()
            summary[f"mape_{method}_{subset}"] = float(err.mean()) if err.notna().any() else None
        if repeats > 1:
            summary[f"mape_trocha_{subset}_by_search"] = [
                float(((g["trocha"] - g["observed"]) / g["observed"]).abs().mean())
                for _, g in t.groupby("search", sort=True)
            ]
    summary["gravity_fitted"] = gravity_ok
    summary["world_total"] = world_rows
    summary["mape_trocha_world_total"] = (
        float(np.mean([abs(w["ratio"] - 1.0) for w in world_rows])) if world_rows else None
    )
    # How fast the model's error grows past the origin: the forecast's predictive bands
    # (forecast_error.py) widen at this rate past a calibration's cut-off.
    # Compared at the run's resolution (half an agent), as the likelihood compares them.
    floor = count_floor(scale or loaded.spec.default_scale)
    years = (pd.to_datetime(table["date"]) - pd.Timestamp(origin)).dt.days.to_numpy() / 365.25
    log_errors = np.log(
        np.maximum(table["observed"].to_numpy(float), floor)
        / np.maximum(table["trocha"].to_numpy(float), floor)
    )
    observed = table["observed"].to_numpy(float)
    base = np.concatenate(bases)
    searches = table["search"].to_numpy()
    by_search, total_by_search = [], []
    for search in summary["searches"]:
        rows = searches == search
        by_search.append(estimate_drift(log_errors[rows], years[rows], base[rows], observed[rows]))
        total_by_search.append(_total_drift(table[rows], origin))
    # One search whose posterior draws went astray (a short search's draws can) would set a
    # pooled drift alone: the median over the searches is robust to it.
    drift = float(np.median(by_search))
    drift_total = float(np.median(total_by_search))
    summary["drift_log_sd_per_year"] = drift
    summary["drift_total_log_sd_per_year"] = drift_total
    # A flow's drift is the observed flows' own volatility up to the horizon (forecast_error.py).
    try:
        flow_drift, flow_changes = flow_volatility(calibration_targets(loaded, horizon), horizon)
    except ValueError:
        flow_drift, flow_changes = None, []
    summary["drift_flow_log_sd_per_year"] = flow_drift
    summary["flow_changes"] = flow_changes
    if len(by_search) > 1:
        summary["drift_log_sd_per_year_by_search"] = by_search
        summary["drift_total_log_sd_per_year_by_search"] = total_by_search
        summary["drift_log_sd_per_year_pooled"] = estimate_drift(
            log_errors, years, base, weights=observed
        )
    key = "main_hosts" if table["country"].isin(MAIN_HOSTS).any() else "all_hosts"
    trocha_err = summary[f"mape_trocha_{key}"]
    baseline_errs = [
        summary[f"mape_{m}_{key}"]
        for m in ("persistence", "gravity")
        if summary[f"mape_{m}_{key}"] is not None
    ]
    summary["trocha_beats_baselines"] = bool(
        trocha_err is not None and all(trocha_err < e for e in baseline_errs)
    )
    shares_err = summary[f"mape_trocha_shares_{key}"]
    summary["trocha_shares_beat_baselines"] = bool(
        shares_err is not None and all(shares_err < e for e in baseline_errs)
    )
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "backtest.csv", index=False)
    (out / "backtest.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out / DRIFT_FILE).write_text(
        json.dumps(
            {
                "drift_log_sd_per_year": drift,
                "drift_total_log_sd_per_year": drift_total,
                "drift_flow_log_sd_per_year": flow_drift,
                "flow_changes": flow_changes,
                "measured_by": "trocha validate --backtest",
                "scenario": loaded.name,
                "origin": str(origin),
                "horizon": str(horizon),
                "searches": repeats,
                "assimilated": assimilate,
                "host_stocks": int(np.isfinite(log_errors).sum()),
                "base_log_sd": ErrorModel().stock_log_sd,
                "minor_hosts": list(fitted.minor_hosts),
                "minor_base_log_sd_by_search": minor_sds,
            },
            indent=2,
        )
        + "\n"
    )
    return table, summary


def _total_drift(table: pd.DataFrame, origin: dt.date) -> float:
    """Drift of the error of the hosts' sum on each date (the forecast's `ALL` rows)."""
    totals = table.groupby("date")[["observed", "trocha"]].sum()
    return estimate_drift(
        np.log(totals["observed"].to_numpy(float) / totals["trocha"].to_numpy(float)),
        (pd.to_datetime(totals.index) - pd.Timestamp(origin)).days.to_numpy() / 365.25,
        ErrorModel().stock_log_sd,
    )


def _scored_table(
    later: list[Target],
    medians: np.ndarray,
    at_origin: dict[str, float],
    gravity: Gravity,
    gravity_ok: bool,
) -> pd.DataFrame:
    """One row per host stock after the origin: the model's median, its shares of the observed
    total, and the two baselines (each sharing out the observed total of the hosts it predicts)."""
    rows = []
    for date in sorted({t.date for t in later}):
        on_date = [(j, t) for j, t in enumerate(later) if t.date == date]
        observed = {t.country: t.value for _, t in on_date}
        hosts = sorted(set(observed) & set(at_origin))
        kept = persistence({c: at_origin[c] for c in hosts}, sum(observed[c] for c in hosts))
        simulated = {t.country: float(medians[j]) for j, t in on_date}
        shares = persistence(simulated, sum(observed.values()))
        grav = {}
        if gravity_ok:
            usable = gravity.usable(hosts, date.year)
            grav = gravity.predict(usable, date.year, sum(observed[c] for c in usable))
        for j, t in on_date:
            rows.append(
                {
                    "date": t.date,
                    "country": t.country,
                    "observed": t.value,
                    "trocha": float(medians[j]),
                    "trocha_shares": shares.get(t.country, np.nan),
                    "persistence": kept.get(t.country, np.nan),
                    "gravity": grav.get(t.country, np.nan),
                }
            )
    return pd.DataFrame(rows)
