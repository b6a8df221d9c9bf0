"""Command-line verbs for calibration, forecasts and validation (registered in `trocha.cli`).

Bad input exits with code 2 and a one-line reason, never a traceback. Heavy libraries (Optuna,
pandas, Dask) are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from .cli_common import console, fail

WorkersOption = Annotated[
    int | None,
    typer.Option(help="Local Dask worker processes (default: one per core; 0: no Dask)", min=0),
]
SchedulerOption = Annotated[
    str | None, typer.Option(help="Address of a running Dask scheduler (tcp://HOST:PORT)")
]
# A calibration's (and each backtest stage's) confirmation of its best points.
ConfirmTopOption = Annotated[
    int,
    typer.Option(
        help="Best points re-run on fresh seeds before one is chosen (0: take the best trial as "
        "found)",
        min=0,
    ),
]
ConfirmSeedsOption = Annotated[int, typer.Option(help="Fresh seeds for each re-run point", min=0)]


def _minor_coverage(fit: dict) -> str:
    """The summary line's in-sample coverage of the minor hosts' stocks and of the rest (empty
    where the calibration names no minor host)."""
    minor = fit.get("coverage_90_in_sample_minor_host_stocks", float("nan"))
    if minor != minor:  # NaN: no minor host
        return ""
    rest = fit["coverage_90_in_sample_other_targets"]
    return f"; in sample, minor hosts' stocks {minor:.0%}, the other targets {rest:.0%}"


def _after_cut_off(fit: dict) -> str:
    """The summary line's coverage of the targets after the calibration's cut-off (empty where
    none is), whose bands widen with the drift."""
    after = fit.get("coverage_90_after_cut_off")
    if after is None:
        return ""
    return f"; after the cut-off {after:.0%}, drift from {fit['drift_source']}"


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{name} must be a date like 2020-12-31, got {value!r}") from None


def calibrate(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or scenario folder")],
    until: Annotated[str, typer.Option(help="Use only targets dated on or before this date")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the study and posterior")],
    trials: Annotated[int, typer.Option(help="Trials in total (a rerun resumes)", min=1)] = 100,
    seeds: Annotated[int, typer.Option(help="Seeds per trial", min=1)] = 3,
    scale: Annotated[int | None, typer.Option(help="People per agent", min=1)] = None,
    batch: Annotated[int, typer.Option(help="Trials evaluated together", min=1)] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the search", min=0)] = 0,
    parameter: Annotated[
        list[str] | None,
        typer.Option("--parameter", help="Fit only these parameters (repeatable)"),
    ] = None,
    constants: Annotated[
        bool, typer.Option(help="Also fit the countries' destination constants")
    ] = True,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    posterior_draws: Annotated[
        int,
        typer.Option(
            help="Importance-sampled posterior draws after the search (0: weight the search "
            "trials instead)",
            min=0,
        ),
    ] = 40,
    draws_per_round: Annotated[
        int,
        typer.Option(
            help="Posterior draws per adaptive round: each round re-centres and rescales the "
            "proposal on the draws so far",
            min=1,
        ),
    ] = 20,
    confirm_top: ConfirmTopOption = 5,
    confirm_seeds: ConfirmSeedsOption = 4,
    warm_start_rounds: Annotated[
        int,
        typer.Option(
            help="Fixed-point rounds moving the destination constants towards the observed "
            "stocks before the search (the first trial)",
            min=0,
        ),
    ] = 3,
    sampler: Annotated[
        str,
        typer.Option(
            help="Search sampler: tpe (global, Optuna's TPE) or cmaes (local: CMA-ES started at "
            "the warm-started first trial; for many dimensions)"
        ),
    ] = "tpe",
    cmaes_sigma: Annotated[
        float,
        typer.Option(help="CMA-ES's first step as a share of each prior's range", min=0.001, max=1),
    ] = 0.02,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Write the best point into the scenario folder (scenario.toml, countries.csv) "
            "and copy calibration.json and posterior.parquet there",
        ),
    ] = False,
    assimilate: Annotated[
        str | None,
        typer.Option(
            help="Restart every run on this date from the host stocks observed then (a date "
            "before --until with stocks in targets.csv): the targets after it score the flows "
            "from the observed state, as a forecast starts from it",
        ),
    ] = None,
    procedure: Annotated[
        str | None,
        typer.Option(
            help="Calibrate in stages from the parameter table's values (not the scenario's): "
            "'shipped', the stages that made the shipped scenario (everything; the parameters "
            "with the constants fixed; destination choice and exodus with the constants), each "
            "of --trials trials with its own warm start; 'single', one search over everything",
        ),
    ] = None,
) -> None:
    """Fit the calibrated parameters (parameters.csv) and country constants to the targets up to
    --until; resumable: rerun the same command to continue."""
    from .experiments.calibration import CalibrationSettings, command_line
    from .experiments.calibration import calibrate as run_calibration
    from .experiments.staged import PROCEDURES, apply_stages, stage_summary, staged_calibration
    from .scenario.problems import ScenarioError

    if procedure is not None:
        if procedure not in PROCEDURES:
            raise fail(f"--procedure must be one of {', '.join(sorted(PROCEDURES))}")
        if parameter or not constants:
            raise fail(
                "--procedure sets what each stage fits: leave out --parameter and --no-constants"
            )

    settings = CalibrationSettings(
        scenario=scenario,
        until=_date(until, "--until"),
        trials=trials,
        seeds=seeds,
        scale=scale,
        batch=batch,
        seed=seed,
        parameters=parameter or None,
        constants=constants,
        posterior_draws=posterior_draws,
        warm_start_rounds=warm_start_rounds,
        draws_per_round=draws_per_round,
        confirm_top=confirm_top,
        confirm_seeds=confirm_seeds,
        sampler=sampler,
        cmaes_sigma=cmaes_sigma,
        assimilate=_date(assimilate, "--assimilate") if assimilate else None,
    )
    staged = None
    try:
        if procedure is None:
            result = run_calibration(settings, out_dir, workers=workers, scheduler=scheduler)
        else:
            staged = staged_calibration(
                settings, PROCEDURES[procedure], out_dir, workers=workers, scheduler=scheduler
            )
            result = staged.calibration
    except ScenarioError as error:
        raise fail("; ".join(str(p) for p in error.problems)) from None
    except ValueError as problem:
        raise fail(str(problem)) from None
    best = result.summary["best"]
    console().print(
        f"{result.summary['scenario']}: {result.summary['trials']} trials, best loss "
        f"{best['loss']:,.2f} (trial {best['trial']}), effective sample size "
        f"{result.summary['effective_sample_size']:.1f} (raw log-likelihoods: "
        f"{result.summary['smoothing']['effective_sample_size_raw']:.1f}); "
        f"{len(result.summary['targets_used'])} targets used, "
        f"{result.summary['targets_held_back']} held back. Output: {result.folder}",
        highlight=False,
        soft_wrap=True,
    )
    for name, value in best["parameters"].items():
        console().print(f"  {name} = {value:.6g}", highlight=False, soft_wrap=True)
    if staged is not None:
        console().print(
            f"{procedure} procedure, best log-likelihood by stage: "
            f"{stage_summary(staged.stages)}; the last stage's folder: {staged.scenario}",
            highlight=False,
            soft_wrap=True,
        )
    if apply:
        from .experiments.apply import apply_calibration
        from .scenario.loader import resolve_folder

        folder = resolve_folder(scenario)
        try:
            if staged is None:
                apply_calibration(result.folder, folder)
            else:
                apply_stages(staged, folder, command_line(settings, procedure))
        except (OSError, ValueError) as problem:
            raise fail(f"--apply: {problem}") from None
        console().print(f"Applied the best point to {folder}", highlight=False, soft_wrap=True)


def forecast(
    scenario: Annotated[str, typer.Argument(help="Scenario (the calibrated one or a variant)")],
    calibration: Annotated[Path, typer.Option(help="Folder written by trocha calibrate")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the forecast")] = Path(
        "forecasts"
    ),
    draws: Annotated[int, typer.Option(help="Posterior draws", min=1)] = 20,
    seeds: Annotated[int, typer.Option(help="Seeds per draw", min=1)] = 2,
    scale: Annotated[int | None, typer.Option(help="People per agent", min=1)] = None,
    end: Annotated[str | None, typer.Option(help="Last day (default: the scenario's)")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the posterior draws", min=0)] = 0,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    drift: Annotated[
        float | None,
        typer.Option(
            help="Growth of the stocks' predictive bands past the calibration's cut-off, log-sd "
            "per year, and the flows' where no flow drift is known (default: "
            "forecast_drift.json in the calibration folder, written by trocha validate "
            "--backtest; else 0)",
            min=0.0,
        ),
    ] = None,
    flow_drift: Annotated[
        float | None,
        typer.Option(
            help="A flow's random-walk volatility past the cut-off, log-sd per square-root year "
            "(default: forecast_drift.json's, measured on the observed flows; else flows "
            "drift as stocks)",
            min=0.0,
        ),
    ] = None,
    assimilate: Annotated[
        bool,
        typer.Option(
            help="Start from the observed state: on the calibration's cut-off, move settled "
            "migrants between hosts so that their shares match the host stocks observed then "
            "(the model's total is kept)",
        ),
    ] = True,
) -> None:
    """Run posterior draws x seeds and write median and 50%/90% bands for every metric (the
    ensemble's, and the predictive bands of what would be observed)."""
    from .experiments.forecast import forecast as run_forecast
    from .scenario.problems import ScenarioError

    end_date = _date(end, "--end") if end else None
    try:
        result = run_forecast(
            scenario,
            calibration,
            out_dir,
            draws,
            seeds,
            scale,
            end_date,
            seed,
            workers,
            scheduler,
            drift=drift,
            flow_drift=flow_drift,
            assimilate=assimilate,
        )
    except ScenarioError as error:
        raise fail("; ".join(str(p) for p in error.problems)) from None
    except ValueError as problem:
        raise fail(str(problem)) from None
    if result.error.drift_source == "none":
        from .experiments.forecast_error import DRIFT_FILE

        console(stderr=True).print(
            f"note: {calibration} has no {DRIFT_FILE}: the predictive bands do not widen past "
            "the calibration's cut-off. Measure the drift with trocha validate --backtest and "
            f"copy its {DRIFT_FILE} there, or pass --drift.",
            highlight=False,
            soft_wrap=True,
        )
    for note in (result.assimilation_note, result.posterior_note):
        if note:
            console(stderr=True).print(f"note: {note}", highlight=False, soft_wrap=True)
    if result.started_from:
        console().print(
            f"Started from the observed state: the stocks of {len(result.started_from)} hosts "
            f"observed up to {result.origin} (the model's total over them kept)",
            highlight=False,
            soft_wrap=True,
        )
    summary = result.summary
    stocks = summary[summary["metric"] == "migrant_stock"]
    last = stocks[stocks["year"] == stocks["year"].max()].sort_values("median", ascending=False)
    console().print(
        "Migrant stocks: median (ensemble 90% band; 90% predictive band of what would be observed)",
        highlight=False,
        soft_wrap=True,
    )
    for row in last.head(8).itertuples():
        console().print(
            f"  {row.year} {row.country}: {row.median:,.0f} ({row.q05:,.0f} - {row.q95:,.0f}; "
            f"{row.p05:,.0f} - {row.p95:,.0f})",
            highlight=False,
            soft_wrap=True,
        )
    for line in route_north_lines(summary, result.error.until):
        console().print(line, highlight=False, soft_wrap=True)
    console().print(f"Forecast: {result.folder}", highlight=False, soft_wrap=True)


ROUTE_NORTH = (  # in the order migrants meet them
    ("irregular_crossings", "PAN", "Darién crossings"),
    ("encounters", "USA", "US encounters"),
)


def route_north_lines(summary, until: dt.date | None) -> list[str]:
    """The forecast's yearly Darién crossings (irregular entries into Panama) and US encounters
    after the calibration's cut-off (every year without one), as the stocks are printed; none
    where the scenario has neither."""
    lines = []
    for metric, country, name in ROUTE_NORTH:
        rows = summary[(summary["metric"] == metric) & (summary["country"] == country)]
        if until is not None:
            rows = rows[rows["year"] > until.year]
        lines += [
            f"  {row.year} {name}: {row.median:,.0f} ({row.q05:,.0f} - {row.q95:,.0f}; "
            f"{row.p05:,.0f} - {row.p95:,.0f})"
            for row in rows.sort_values("year").itertuples()
        ]
    if not lines:
        return []
    return ["Route north, calendar years: median (ensemble 90% band; 90% predictive band)", *lines]


def validate(
    scenario: Annotated[str, typer.Argument(help="Shipped scenario name or scenario folder")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report")] = Path(
        "validation"
    ),
    calibration: Annotated[
        Path | None, typer.Option(help="Calibration folder: report the fit of every target")
    ] = None,
    backtest: Annotated[
        bool, typer.Option(help="Rolling-origin backtest: calibrate to --origin, forecast")
    ] = False,
    origin: Annotated[str, typer.Option(help="Backtest origin")] = "2018-12-31",
    horizon: Annotated[str, typer.Option(help="Backtest horizon")] = "2020-12-31",
    trials: Annotated[
        int, typer.Option(help="Backtest calibration trials (per stage of --procedure)", min=1)
    ] = 40,
    procedure: Annotated[
        str,
        typer.Option(
            help="How the backtest calibrates: 'shipped' (the stages that made the shipped "
            "scenario, docs/calibration.md) or 'single' (one search over everything)",
        ),
    ] = "shipped",
    posterior_draws: Annotated[
        int, typer.Option(help="Backtest calibration's importance-sampled draws", min=0)
    ] = 20,
    confirm_top: ConfirmTopOption = 5,
    confirm_seeds: ConfirmSeedsOption = 4,
    draws: Annotated[int, typer.Option(help="Posterior draws", min=1)] = 10,
    seeds: Annotated[int, typer.Option(help="Seeds per trial and draw", min=1)] = 2,
    scale: Annotated[int | None, typer.Option(help="People per agent", min=1)] = None,
    seed: Annotated[
        int,
        typer.Option(
            help="Seed of the backtest's search and draws (the first, with --repeats)", min=0
        ),
    ] = 0,
    repeats: Annotated[
        int,
        typer.Option(
            help="Backtests with consecutive search seeds: scores averaged, median drift", min=1
        ),
    ] = 1,
    assimilate: Annotated[
        bool,
        typer.Option(
            help="Members start from the host stocks observed at the cut-off (the fit report's "
            "targets after it) and at the backtest's origin, as trocha forecast does",
        ),
    ] = True,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Fit report per target (with --calibration) and/or a backtest against persistence and
    gravity baselines (with --backtest)."""
    from .experiments import validate as v
    from .experiments.staged import stage_summary
    from .scenario.problems import ScenarioError

    if calibration is None and not backtest:
        raise fail("give --calibration DIR for a fit report, --backtest, or both")
    try:
        if calibration is not None:
            _, fit = v.fit_report(
                scenario, calibration, out_dir, draws, seeds, scale,
                workers=workers, scheduler=scheduler, assimilate=assimilate,
            )  # fmt: skip
            held = fit["targets"] - fit["targets_in_sample"]
            console().print(
                f"fit: {fit['targets']} targets, 90% predictive bands cover "
                f"{fit['coverage_90']:.0%} (model-only bands {fit['coverage_90_model_only']:.0%}; "
                f"{fit['coverage_90_in_sample']:.0%} of the {fit['targets_in_sample']} used in "
                f"calibration, {held} held back{_minor_coverage(fit)}{_after_cut_off(fit)}); "
                f"host-stock MAPE 2019-2020 {fit['mape_main_hosts_2019_2020']:.1%} (main hosts), "
                f"{fit['mape_all_hosts_2019_2020']:.1%} (all)",
                highlight=False,
                soft_wrap=True,
            )
            if fit["below_resolution"]:
                console().print(
                    f"{len(fit['below_resolution'])} targets are under half an agent at scale "
                    f"{fit['scale']:,} (fewer than {fit['count_floor']:,.0f} people) and are "
                    "compared at that floor (a band that covers one shows only that the model is "
                    "not far above it): "
                    + "; ".join(fit["below_resolution"])
                    + ". A finer --scale tests them.",
                    highlight=False,
                    soft_wrap=True,
                )
        if backtest:
            _, bt = v.backtest(
                scenario,
                out_dir / "backtest",
                _date(origin, "--origin"),
                _date(horizon, "--horizon"),
                trials,
                seeds,
                draws,
                scale,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                posterior_draws=posterior_draws,
                repeats=repeats,
                assimilate=assimilate,
                procedure=procedure,
                confirm_top=confirm_top,
                confirm_seeds=confirm_seeds,
            )
            for subset in ("main_hosts", "all_hosts"):
                parts = [
                    f"{m} {bt[f'mape_{m}_{subset}']:.1%}"
                    for m in ("trocha", "trocha_shares", "persistence", "gravity")
                    if bt.get(f"mape_{m}_{subset}") is not None
                ]
                by_search = bt.get(f"mape_trocha_{subset}_by_search")
                if by_search:
                    parts.append("Trocha by search " + " ".join(f"{e:.1%}" for e in by_search))
                console().print(
                    f"backtest MAPE ({subset}): " + ", ".join(parts),
                    highlight=False,
                    soft_wrap=True,
                )
            if bt["world_total"]:
                several = len(bt["searches"]) > 1
                ratios = ", ".join(
                    f"{w['date']} {w['ratio']:.2f}"
                    + (f" (search {w['search']})" if several else "")
                    for w in bt["world_total"]
                )
                console().print(
                    f"backtest world total, Trocha / observed: {ratios}",
                    highlight=False,
                    soft_wrap=True,
                )
            for search, stages in zip(bt["searches"], bt["stages_by_search"], strict=True):
                if len(stages) > 1:
                    console().print(
                        f"search {search}, best log-likelihood by stage: {stage_summary(stages)}",
                        highlight=False,
                        soft_wrap=True,
                    )
            sizes = bt.get("posterior_effective_sample_size_by_search", [])
            one = [str(k) for k, n in zip(bt["searches"], sizes, strict=False) if n < 2]
            if one:
                console().print(
                    f"note: the posterior of search {', '.join(one)} has an effective sample "
                    "size under 2: its forecasts rest on one parameter set (by search: "
                    + ", ".join(f"{n:.1f}" for n in sizes)
                    + ")",
                    highlight=False,
                    soft_wrap=True,
                )
            verdict = "beats" if bt["trocha_beats_baselines"] else "does NOT beat"
            shared = "beat" if bt["trocha_shares_beat_baselines"] else "do NOT beat"
            console().print(
                f"Trocha {verdict} the baselines in this backtest; its shares of the observed "
                f"total (as the baselines are given) {shared} them.",
                highlight=False,
                soft_wrap=True,
            )
    except ScenarioError as error:
        raise fail("; ".join(str(p) for p in error.problems)) from None
    except ValueError as problem:
        raise fail(str(problem)) from None
    console().print(f"Report: {out_dir}", highlight=False, soft_wrap=True)
