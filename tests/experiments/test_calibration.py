"""Calibration, forecast and validation on the tiny scenario with targets the model itself made."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

import trocha
from trocha.experiments.calibration import CalibrationSettings, calibrate, seed_noise
from trocha.experiments.forecast import forecast, posterior_draws
from trocha.experiments.likelihood import ErrorModel, minor_hosts
from trocha.experiments.priors import calibration_priors
from trocha.experiments.surrogate import smooth_log_likelihood
from trocha.experiments.targets import calibration_targets, held_back
from trocha.scenario.loader import resolve_folder

TRUE_RATE = 0.008  # tiny's exodus_base_rate is 0.01: the calibration must find this one
SCALE = 500
UNTIL = dt.date(2019, 12, 31)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """tiny with targets.csv written from a run with exodus_base_rate = TRUE_RATE: calibration
    rows up to 2019, a validation row in 2020 and a calibration row after the cut-off."""
    folder = tmp_path_factory.mktemp("synthetic") / "tiny-synthetic"
    shutil.copytree(resolve_folder("tiny"), folder)
    scenario = trocha.load_scenario("tiny").with_parameters(exodus_base_rate=TRUE_RATE)
    ts = trocha.Simulation(scenario, seed=1, scale=100).run().timeseries
    day = ts["date"].dt.strftime("%Y-%m-%d")
    rows = ["date,country,metric,value,source_id,role,notes"]
    for date in ("2017-12-31", "2018-12-31", "2019-12-31", "2020-12-30"):
        for country in ("ALL", "COL", "PER"):
            value = ts[(ts.metric == "migrant_stock") & (ts.country == country) & (day == date)]
            role = "validation" if date.startswith("2020") and country != "PER" else "calibration"
            rows.append(
                f"{date},{country},migrant_stock,{value.value.iloc[0]:.0f},ILLUSTRATIVE,{role},"
            )
    (folder / "targets.csv").write_text("\n".join(rows) + "\n")
    return folder


def _settings(folder: Path, trials: int, **extra) -> CalibrationSettings:
    return CalibrationSettings(
        scenario=str(folder),
        until=UNTIL,
        trials=trials,
        seeds=2,
        scale=SCALE,
        batch=4,
        parameters=["exodus_base_rate"],
        constants=False,
        **extra,
    )


def test_targets_after_the_cut_off_are_never_read(synthetic):
    scenario = trocha.load_scenario(synthetic)
    used = calibration_targets(scenario, UNTIL)
    assert len(used) == 9 and all(t.date <= UNTIL for t in used)
    later = held_back(scenario, UNTIL)
    # The three 2020 rows: two marked validation and one calibration row after the cut-off.
    assert sorted(t.country for t in later) == ["ALL", "COL", "PER"]
    with pytest.raises(ValueError, match="no calibration targets dated on or before 2016-12-31"):
        calibration_targets(scenario, dt.date(2016, 12, 31))


def test_priors_follow_the_parameter_table(synthetic):
    scenario = trocha.load_scenario(synthetic)
    priors = {p.name: p for p in calibration_priors(scenario)}
    rate = priors["exodus_base_rate"]
    assert (rate.low, rate.high, rate.log) == (0.001, 0.02, True)  # parameters.csv prior range
    # Country constants are pooled: a mean, a spread and one standard-normal z per host.
    assert {"choice_constant_mean", "choice_constant_spread"} <= set(priors)
    assert {n for n in priors if n.startswith("choice_z_")} == {"choice_z_COL", "choice_z_PER"}
    assert priors["choice_z_COL"].log_density(0.0) == 0.0 > priors["choice_z_COL"].log_density(1)
    with pytest.raises(ValueError, match="not marked calibrated"):
        calibration_priors(scenario, ["walk_speed_km_day"])


@pytest.fixture(scope="module")
def calibrated(synthetic, tmp_path_factory):
    """One calibration shared by the tests that read its output."""
    folder = tmp_path_factory.mktemp("calibration")
    settings = _settings(
        synthetic, trials=16, posterior_draws=16, draws_per_round=8, confirm_top=3, confirm_seeds=4
    )
    return calibrate(settings, folder, workers=0, progress=False)


@pytest.mark.slow
def test_calibration_recovers_a_known_parameter(calibrated):
    result = calibrated
    best = result.summary["best"]["parameters"]["exodus_base_rate"]
    assert abs(best - TRUE_RATE) / TRUE_RATE < 0.1
    # The first trial is the scenario as shipped (rate 0.01): the fit improves on it.
    table = result.posterior
    assert table.loc[table["trial"] == 0, "exodus_base_rate"].item() == pytest.approx(0.01)
    assert table["loss"].min() < table.loc[table["trial"] == 0, "loss"].item()
    # Every trial and every draw of the posterior lies inside the prior.
    assert table["exodus_base_rate"].between(0.001, 0.02).all()
    draws = posterior_draws(result.folder, 50, seed=3)
    assert draws["exodus_base_rate"].between(0.001, 0.02).all()
    assert set(draws["trial"]) <= set(table["trial"])
    assert abs(table["weight"].sum() - 1) < 1e-12
    # The weights are importance weights over the posterior phase's draws; the search weighs 0.
    drawn = table[table["phase"] == "posterior"]
    assert sorted(drawn["draw"]) == list(range(16))
    assert (table.loc[table["phase"] == "search", "weight"] == 0).all()
    assert set(draws["phase"]) == {"posterior"}
    mean = (drawn["weight"] * drawn["exodus_base_rate"]).sum()
    assert abs(mean - TRUE_RATE) / TRUE_RATE < 0.15
    assert result.summary["weights"] == "importance"
    # Two adaptive rounds: the second proposal is centred on the best point evaluated before it,
    # best on the smoothed log posterior (the seeds' noise measured before the rounds).
    assert sorted(drawn["round"].unique()) == [0, 1]
    study = optuna.load_study(
        study_name="trocha-calibration", storage=f"sqlite:///{result.folder / 'study.db'}"
    )
    noise = study.user_attrs["noise"]
    assert len(noise) == 3 and all(len(v["replicates"]) == 2 for v in noise.values())
    first_round = table[(table["phase"] == "search") | (table["round"] == 0)]
    log_rate = np.log(first_round[["exodus_base_rate"]].to_numpy())
    smoothed = smooth_log_likelihood(
        log_rate, -first_round["loss"].to_numpy(), np.log([0.001]), np.log([0.02]), seed=0,
        noise_sd=seed_noise(noise.values())[0],
    ).log_likelihood  # fmt: skip
    best_before = first_round["exodus_base_rate"].to_numpy()[np.argmax(smoothed)]
    second = study.user_attrs["proposals"][1]
    assert np.exp(second["mean"][0]) == pytest.approx(best_before)
    # The three best points were re-run on seeds 3-6; the applied one is the best on all six.
    confirmed = result.summary["confirmed"]
    assert len(confirmed) == 3 and all(c["seeds"] == 6 for c in confirmed)
    # Seeds 3-4 and 5-6 score each confirmed point twice more: the seeds' noise, which the
    # smoothed log-likelihood of the weights uses as its nugget.
    assert all(len(c["replicates"]) == 2 for c in confirmed)
    smoothing = result.summary["smoothing"]
    # With the noise phase's 3 points x 2 replicates: 6 degrees of freedom in all.
    assert smoothing["noise_measured"] and smoothing["noise_dof"] == 6
    assert smoothing["fitted"] and smoothing["noise_sd"] > 0
    assert abs(table["weight_raw"].sum() - 1) < 1e-12
    assert result.summary["effective_sample_size"] >= 1
    top3 = table.nsmallest(3, "loss")["trial"].tolist()
    assert sorted(c["trial"] for c in confirmed) == sorted(top3)
    chosen = max(confirmed, key=lambda c: c["log_likelihood"] + c["log_prior"])
    assert result.summary["best"]["trial"] == chosen["trial"]
    assert result.summary["best"]["log_likelihood"] == pytest.approx(chosen["log_likelihood"])
    # The summary says what was used and what was held back.
    assert len(result.summary["targets_used"]) == 9 and result.summary["targets_held_back"] == 3
    assert (result.folder / "posterior.parquet").is_file()


@pytest.mark.slow
def test_minor_hosts_stock_sd_is_estimated_at_every_point_and_reported(synthetic, tmp_path):
    # Peru's figures up to 2019 stay below 600,000 (Colombia's do not): with that threshold Peru
    # is a minor host, whose stocks' sd each trial estimates; calibration.json gives the sd of
    # the point applied, which validate and forecast then use.
    settings = _settings(
        synthetic, trials=4, posterior_draws=0, confirm_top=2, confirm_seeds=2,
        warm_start_rounds=0, errors=ErrorModel(minor_host_people=600_000.0),
    )  # fmt: skip
    result = calibrate(settings, tmp_path / "cal", workers=0, progress=False)
    errors = result.summary["error_model"]
    used = calibration_targets(trocha.load_scenario(str(synthetic)), UNTIL)
    assert list(errors["minor_hosts"]) == ["PER"] == list(minor_hosts(used, 600_000.0))
    table = result.posterior
    assert table["minor_stock_log_sd"].between(errors["stock_log_sd"], 3.0).all()
    best = result.summary["best"]["trial"]
    chosen = next(c for c in result.summary["confirmed"] if c["trial"] == best)
    assert errors["minor_stock_log_sd"] == pytest.approx(chosen["minor_stock_log_sd"])
    stored = ErrorModel(
        **json.loads((result.folder / "calibration.json").read_text())["error_model"]
    )
    peru = next(t for t in used if t.country == "PER")
    colombia = next(t for t in used if t.country == "COL")
    assert stored.level_sd(peru) == pytest.approx(errors["minor_stock_log_sd"])
    assert stored.level_sd(colombia) == 0.15


def test_cmaes_searches_around_the_first_trial_and_improves_on_it(synthetic, tmp_path):
    """The local sampler starts at the scenario's value (0.01) with a step of a tenth of the
    prior's log range (log 0.001..0.02): its trials stay near it and the best moves towards the
    rate that made the targets (0.008)."""
    settings = _settings(
        synthetic, trials=12, sampler="cmaes", cmaes_sigma=0.1, posterior_draws=0,
        confirm_top=0, warm_start_rounds=0,
    )  # fmt: skip
    table = calibrate(settings, tmp_path, workers=0, progress=False).posterior
    rate = table.sort_values("trial")["exodus_base_rate"].to_numpy()
    assert rate[0] == pytest.approx(0.01)
    step = np.abs(np.log(rate[1:] / 0.01)) / np.log(0.02 / 0.001)
    assert step.max() < 0.5 and step.mean() < 0.2  # local: tenths of the range, not all of it
    best = table.loc[table["loss"].idxmin(), "exodus_base_rate"]
    assert table["loss"].min() < table.loc[table["trial"] == 0, "loss"].item()
    assert abs(best - TRUE_RATE) < abs(0.01 - TRUE_RATE)
    with pytest.raises(ValueError, match="sampler"):
        _settings(synthetic, trials=2, sampler="random").check()


@pytest.mark.slow
def test_interrupted_calibration_resumes_to_the_same_study(synthetic, tmp_path):
    whole = calibrate(
        _settings(synthetic, trials=8, posterior_draws=4, draws_per_round=2), tmp_path / "a",
        workers=0, progress=False,
    )  # fmt: skip

    def stop_after_first_batch(batch: int) -> None:
        if batch == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calibrate(
            _settings(synthetic, trials=8, posterior_draws=4, draws_per_round=2),
            tmp_path / "b",
            workers=0,
            progress=False,
            on_batch=stop_after_first_batch,
        )
    resumed = calibrate(
        _settings(synthetic, trials=8, posterior_draws=4, draws_per_round=2), tmp_path / "b",
        workers=0, progress=False,
    )  # fmt: skip
    columns = ["exodus_base_rate", "log_likelihood", "phase", "weight"]
    pd.testing.assert_frame_equal(whole.posterior[columns], resumed.posterior[columns])
    # Other settings in the same folder are refused rather than mixed into the study.
    with pytest.raises(ValueError, match="holds a calibration with other settings"):
        calibrate(_settings(synthetic, trials=8, seed=1), tmp_path / "b", workers=0, progress=False)


@pytest.mark.slow
def test_forecast_bands_contain_the_median_and_widen_with_horizon(synthetic, calibrated, tmp_path):
    cal = calibrated
    result = forecast(
        str(synthetic), cal.folder, tmp_path / "fc", draws=3, seeds=2, scale=SCALE, workers=0,
        progress=False,
    )  # fmt: skip
    bands = result.bands
    # Every member records every metric, except the package price, recorded only while an
    # organisation sells packages (which starts when a closure pays, in some members only).
    daily = bands["metric"] != "package_price_usd"
    assert (bands.loc[daily, "members"] == 6).all()
    assert bands.loc[~daily, "members"].between(1, 6).all()
    ordered = bands[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(ordered, axis=1) >= 0).all()
    world = bands[(bands.metric == "migrant_stock") & (bands.country == "ALL")].sort_values("date")
    width = (world["q95"] - world["q05"]).to_numpy()
    assert width[-1] > width[11] > width[1] > 0  # months 2, 12 and 48
    members = pd.read_parquet(result.folder / "members.parquet")
    assert members["member"].nunique() == 6
    # Predictive bands (forecast_error.py) for counts of people: ordered, around the ensemble's
    # median, wider than the ensemble's own band; none for money.
    people = bands[bands["p50"].notna()]
    assert set(people["metric"]) >= {"migrant_stock", "departures"}
    assert bands.loc[bands["metric"] == "revenue_smuggling", "p50"].isna().all()
    predictive = people[["p05", "p25", "p50", "p75", "p95"]].to_numpy()
    assert (np.diff(predictive, axis=1) >= 0).all()
    assert ((people["p05"] <= people["q50"]) & (people["q50"] <= people["p95"])).all()
    assert (world["p95"] - world["p05"] >= world["q95"] - world["q05"]).all()
    assert {"p05", "p95"} <= set(result.summary.columns)
    # With a drift the predictive band of the world's stock widens past the cut-off, by the
    # drift's growth on top of the ensemble's spread.
    drifting = forecast(
        str(synthetic), cal.folder, tmp_path / "fc3", draws=3, seeds=2, scale=SCALE, workers=0,
        progress=False, drift=0.3,
    )  # fmt: skip
    w = drifting.bands
    w = w[(w.metric == "migrant_stock") & (w.country == "ALL")].sort_values("date")
    until = pd.Timestamp(json.loads((cal.folder / "calibration.json").read_text())["until"])
    after = w[pd.to_datetime(w["date"]) > until]
    log_width = np.log(after["p95"] / after["p05"]).to_numpy()
    assert len(log_width) == 12 and log_width[-1] > log_width[0] + 0.4
    # The same call gives the same bands.
    again = forecast(
        str(synthetic), cal.folder, tmp_path / "fc2", draws=3, seeds=2, scale=SCALE, workers=0,
        progress=False,
    )  # fmt: skip
    pd.testing.assert_frame_equal(bands, again.bands)
    # Its report: bands for the world and the hosts, the same bytes twice.
    from trocha.report.build import report_html

    page = report_html(result.folder)
    assert 'id="fig-forecast-world"' in page and 'id="fig-forecast-hosts"' in page
    assert page == report_html(result.folder)


def test_validate_reports_coverage_in_sample_and_held_back(synthetic, calibrated, tmp_path):
    """`trocha validate --calibration` gives the coverage of all targets and of those the
    calibration used; the synthetic scenario holds back its 2020 validation rows."""
    from typer.testing import CliRunner

    from trocha.cli import app

    out = tmp_path / "val"
    result = CliRunner().invoke(
        app,
        [
            "validate", str(synthetic), "--calibration", str(calibrated.folder), "--draws", "2",
            "--seeds", "1", "--scale", str(SCALE), "--workers", "0", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    fit = json.loads((out / "fit.json").read_text())
    table = pd.read_csv(out / "fit.csv")
    assert fit["targets"] == len(table) == 12
    assert fit["targets_in_sample"] == int(table["used_in_calibration"].sum()) == 9
    # Every target here is a stock: one kind, whose coverage is the in-sample coverage.
    assert set(table["kind"]) == {"level"}
    by_kind = fit["coverage_90_in_sample_by_kind"]
    assert list(by_kind) == ["level"] and by_kind["level"]["targets"] == 9
    assert by_kind["level"]["coverage_90"] == pytest.approx(fit["coverage_90_in_sample"])
    text = result.output.replace("\n", " ")
    assert f"of the 9 used in calibration, {fit['targets'] - 9} held back" in text
