"""Applying a calibration writes its best point into the scenario folder, and only there."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from trocha.experiments.apply import apply_calibration, set_parameters
from trocha.scenario.loader import load_scenario


def _tiny_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(Path(str(resources.files("trocha").joinpath("data/scenarios/tiny"))), folder)
    return folder


def _calibration(tmp_path: Path, parameters: dict, constants: dict) -> Path:
    cal = tmp_path / "cal"
    cal.mkdir()
    summary = {
        "scenario": "tiny",
        "until": "2019-12-31",
        "command": "trocha calibrate tiny --until 2019-12-31 --trials 8 --seeds 1",
        "best": {"trial": 3, "loss": 1.0, "parameters": parameters, "constants": constants},
    }
    (cal / "calibration.json").write_text(json.dumps(summary))
    (cal / "posterior.parquet").write_bytes(b"PAR1")
    return cal


def test_best_point_becomes_the_scenarios_values(tmp_path):
    folder = _tiny_copy(tmp_path)
    cal = _calibration(
        tmp_path, {"exodus_base_rate": 0.0123456789, "exodus_gdp_weight": 3.25}, {"PER": 1.5}
    )
    assert not (folder / "forecast_drift.json").exists()
    (cal / "forecast_drift.json").write_text('{"drift_log_sd_per_year": 0.2}')
    apply_calibration(cal, folder)
    scenario = load_scenario(folder)
    assert (folder / "forecast_drift.json").read_text() == '{"drift_log_sd_per_year": 0.2}'
    assert scenario.parameters["exodus_base_rate"] == pytest.approx(0.0123456789, rel=1e-12)
    assert scenario.parameters["exodus_gdp_weight"] == 3.25
    constants = {c.iso3: c.choice_constant for c in scenario.countries}
    assert constants == {"VEN": 0.0, "COL": 0.0, "ECU": 0.0, "PER": 1.5}
    assert (folder / "calibration.json").is_file() and (folder / "posterior.parquet").is_file()
    text = (folder / "scenario.toml").read_text()
    assert text.startswith("# A small corridor")  # comments kept
    assert "trial 3 of `trocha calibrate tiny" in text


def test_applying_twice_changes_nothing_more(tmp_path):
    folder = _tiny_copy(tmp_path)
    cal = _calibration(tmp_path, {"exodus_base_rate": 0.02}, {"COL": -1.0})
    apply_calibration(cal, folder)
    once = [(folder / n).read_text() for n in ("scenario.toml", "countries.csv")]
    apply_calibration(cal, folder)
    twice = [(folder / n).read_text() for n in ("scenario.toml", "countries.csv")]
    assert once == twice
    assert once[0].count("exodus_base_rate") == 1


def test_parameters_table_is_added_before_interventions():
    text = '[scenario]\nname = "x"\n\n[[interventions]]\ntype = "raid"\n'
    out = set_parameters(text, {"a": 1.0}, "calibrated: test")
    assert out.index("[parameters]") < out.index("[[interventions]]")
    assert "a = 1.0" in out


def test_unknown_country_and_missing_study_are_refused(tmp_path):
    folder = _tiny_copy(tmp_path)
    with pytest.raises(ValueError, match=r"calibration\.json: missing"):
        apply_calibration(tmp_path / "nothing", folder)
    cal = _calibration(tmp_path, {}, {"ZZZ": 1.0})
    with pytest.raises(ValueError, match="ZZZ"):
        apply_calibration(cal, folder)


def test_comments_above_the_next_table_stay_with_it():
    text = "[parameters]\na = 1.0\n\n# about the intervention\n[[interventions]]\ntype = 'x'\n"
    out = set_parameters(text, {"a": 2.0, "b": 3.0}, "calibrated: test")
    assert out.index("b = 3.0") < out.index("# about the intervention")
    assert out.count("a = ") == 1 and "a = 2.0" in out
