"""A staged calibration: each stage starts where the previous one ended, the first from nothing
the scenario's own calibration learnt."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tomllib
from pathlib import Path

import optuna
import pytest

import trocha
from trocha.experiments.calibration import STUDY_NAME, CalibrationSettings
from trocha.experiments.staged import CHOICE_AND_EXODUS, Stage, staged_calibration
from trocha.scenario.loader import resolve_folder
from trocha.scenario.parameters import parameter_table

UNTIL = dt.date(2019, 12, 31)
STAGES = (
    Stage("rate", ("exodus_base_rate",), False, 0),
    Stage("rate and constants", ("exodus_base_rate",), True, 1),
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """tiny with stock targets made by the model at exodus_base_rate 0.008."""
    folder = tmp_path_factory.mktemp("staged") / "tiny-synthetic"
    shutil.copytree(resolve_folder("tiny"), folder)
    scenario = trocha.load_scenario("tiny").with_parameters(exodus_base_rate=0.008)
    ts = trocha.Simulation(scenario, seed=1, scale=100).run().timeseries
    day = ts["date"].dt.strftime("%Y-%m-%d")
    rows = ["date,country,metric,value,source_id,role,notes"]
    for date in ("2018-12-31", "2019-12-31"):
        for country in ("ALL", "COL", "PER"):
            value = ts[(ts.metric == "migrant_stock") & (ts.country == country) & (day == date)]
            rows.append(f"{date},{country},migrant_stock,{value.value.iloc[0]:.0f},ILLUSTRATIVE,,")
    (folder / "targets.csv").write_text("\n".join(rows) + "\n")
    (folder / "posterior.parquet").write_bytes(b"not read")  # a calibration's file: not copied
    return folder


def _settings(scenario: str, **extra) -> CalibrationSettings:
    return CalibrationSettings(
        **{"scenario": scenario, "until": UNTIL, "trials": 3, "seeds": 1, "scale": 500,
           "batch": 3, **extra}
    )  # fmt: skip


def _run(folder: Path, out: Path):
    return staged_calibration(
        _settings(str(folder), posterior_draws=2), STAGES, out, workers=0, progress=False
    )


def _trials(folder: Path) -> list:
    study = optuna.load_study(study_name=STUDY_NAME, storage=f"sqlite:///{folder / 'study.db'}")
    return study.trials


@pytest.fixture(scope="module")
def staged(synthetic, tmp_path_factory):
    out = tmp_path_factory.mktemp("staged-out")
    return out, _run(synthetic, out)


def test_each_stage_starts_from_the_last_and_the_first_from_the_table(staged):
    out, result = staged
    assert [s["name"] for s in result.stages] == ["rate", "rate and constants"]
    # The first stage knows nothing the scenario learnt: tiny sets 0.01, the table 0.004.
    first = _trials(out / "stage_1")[0]
    table_value = parameter_table()["exodus_base_rate"].value
    assert first.params["exodus_base_rate"] == pytest.approx(table_value)
    # The second stage's folder holds the first stage's best point, and starts from it.
    best = result.stages[0]["parameters"]["exodus_base_rate"]
    toml = tomllib.loads((out / "scenario_2" / "scenario.toml").read_text())
    assert toml["parameters"]["exodus_base_rate"] == pytest.approx(best)
    assert _trials(out / "stage_2")[0].params["exodus_base_rate"] == pytest.approx(best)
    assert result.scenario == out / "scenario_2"
    assert result.calibration.folder == (out / "stage_2").resolve()
    # Only the last stage draws a posterior; the copy left the scenario's calibration files out.
    assert result.calibration.summary["weights"] == "importance"
    assert not (out / "scenario_1" / "posterior.parquet").exists()
    assert (out / "scenario_2" / "calibration.json").is_file()  # stage 1's, as --apply writes


def test_a_resumed_procedure_reuses_its_stages(staged, synthetic):
    out, result = staged
    before = [len(_trials(out / f"stage_{n}")) for n in (1, 2)]
    again = _run(synthetic, out)
    assert [len(_trials(out / f"stage_{n}")) for n in (1, 2)] == before
    assert again.stages == result.stages


def test_a_changed_scenario_does_not_resume_an_old_procedure(synthetic, tmp_path):
    """A rerun into the same folder after the scenario changed would reuse its stale copy."""
    folder = tmp_path / "scenario"
    shutil.copytree(synthetic, folder)
    one = (Stage("rate", ("exodus_base_rate",), False, 0),)
    settings = _settings(str(folder), posterior_draws=0, trials=1)
    staged_calibration(settings, one, tmp_path / "out", workers=0, progress=False)
    with (folder / "scenario.toml").open("a") as toml:
        toml.write("# edited\n")
    with pytest.raises(ValueError, match="another version"):
        staged_calibration(settings, one, tmp_path / "out", workers=0, progress=False)


def test_a_scenario_with_a_base_or_no_stage_is_refused(tmp_path):
    with pytest.raises(ValueError, match="builds on another scenario"):
        staged_calibration(
            _settings("venezuela-open-border"), STAGES, tmp_path, workers=0, progress=False
        )
    with pytest.raises(ValueError, match="at least one stage"):
        staged_calibration(_settings("tiny"), (), tmp_path, workers=0, progress=False)


def test_calibrate_runs_the_shipped_procedure_and_applies_every_stage(synthetic, tmp_path):
    """`trocha calibrate --procedure shipped --apply` on a copy of the synthetic tiny scenario:
    the folder ends with the last stage's values where it fitted them and the earlier stages'
    elsewhere, its note naming the staged command."""
    from typer.testing import CliRunner

    from trocha.cli import app

    folder = tmp_path / "scenario"
    shutil.copytree(synthetic, folder)
    out = tmp_path / "cal"
    args = [
        "calibrate", str(folder), "--until", "2019-12-31", "--procedure", "shipped",
        "--trials", "2", "--seeds", "1", "--scale", "500", "--batch", "2",
        "--posterior-draws", "2", "--confirm-top", "1", "--confirm-seeds", "1",
        "--workers", "0", "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--apply"])
    assert result.exit_code == 0, result.output
    assert "shipped procedure, best log-likelihood by stage: everything" in result.output
    stages = json.loads((out / "procedure.json").read_text())["stages"]
    assert [s["name"] for s in stages] == ["everything", "parameters", "choice and exodus"]
    text = (folder / "scenario.toml").read_text()
    assert "--procedure shipped" in text and "--parameter" not in text
    values = tomllib.loads(text)["parameters"]
    last, middle = stages[2]["parameters"], stages[1]["parameters"]
    assert set(last) == set(CHOICE_AND_EXODUS)
    for name, value in {**middle, **last}.items():
        assert values[name] == pytest.approx(value)
    constants = {r["iso3"]: r for r in csv.DictReader((folder / "countries.csv").open())}
    for code, value in stages[2]["constants"].items():
        assert float(constants[code]["choice_constant"]) == pytest.approx(value, abs=1e-4)
    assert (folder / "calibration.json").read_text() == (
        out / "stage_3" / "calibration.json"
    ).read_text()
    refused = CliRunner().invoke(app, [*args, "--parameter", "exodus_base_rate"])
    assert refused.exit_code != 0 and "leave out --parameter" in refused.output
