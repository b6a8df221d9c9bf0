"""`trocha calibrate --assimilate`: every run restarts from the stocks observed on a date, so the
targets after it score the model's flows from the observed state (as a forecast starts)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

import trocha
from trocha.cli import app
from trocha.experiments.calibration import CalibrationSettings, calibrate, command_line
from trocha.experiments.targets import calibration_targets
from trocha.scenario.loader import resolve_folder

UNTIL = dt.date(2019, 12, 31)
RESTART = dt.date(2018, 12, 31)


@pytest.fixture(scope="module")
def swapped(tmp_path_factory) -> Path:
    """tiny with stocks from its own run, except that Colombia and Peru trade places at the end
    of 2018: a state the model does not reach by itself."""
    folder = tmp_path_factory.mktemp("assimilate") / "tiny-swapped"
    shutil.copytree(resolve_folder("tiny"), folder)
    ts = trocha.Simulation(trocha.load_scenario("tiny"), seed=1, scale=100).run().timeseries
    day = ts["date"].dt.strftime("%Y-%m-%d")

    def stock(country: str, date: str) -> float:
        rows = ts[(ts.metric == "migrant_stock") & (ts.country == country) & (day == date)]
        return float(rows.value.iloc[0])

    rows = ["date,country,metric,value,source_id,role,notes"]
    for date in ("2017-12-31", "2018-12-31", "2019-12-31"):
        for country, other in (("COL", "PER"), ("PER", "COL")):
            value = stock(other if date == "2018-12-31" else country, date)
            rows.append(f"{date},{country},migrant_stock,{value:.0f},ILLUSTRATIVE,calibration,")
    (folder / "targets.csv").write_text("\n".join(rows) + "\n")
    return folder


def _settings(folder: Path, **extra) -> CalibrationSettings:
    return CalibrationSettings(
        scenario=str(folder), until=UNTIL, trials=1, seeds=2, scale=500, batch=1,
        parameters=["exodus_base_rate"], constants=False, posterior_draws=0, confirm_top=0,
        warm_start_rounds=0, **extra,
    )  # fmt: skip


def _colombia_share_2019(folder: Path, out: Path) -> float:
    """Colombia's share of the two hosts at the end of 2019 in the first trial (the scenario's
    own values), from the simulated values the study stores."""
    study = optuna.load_study(study_name="trocha-calibration", storage=f"sqlite:///{out}/study.db")
    simulated = study.trials[0].user_attrs["simulated"]
    targets = calibration_targets(trocha.load_scenario(str(folder)), UNTIL)
    late = {t.country: v for t, v in zip(targets, simulated, strict=True) if t.date.year == 2019}
    return late["COL"] / (late["COL"] + late["PER"])


def test_runs_restart_from_the_observed_state_and_the_study_records_it(swapped, tmp_path):
    observed = {
        t.country: t.value
        for t in calibration_targets(trocha.load_scenario(str(swapped)), UNTIL)
        if t.date == RESTART
    }
    observed_share = observed["COL"] / (observed["COL"] + observed["PER"])
    calibrate(_settings(swapped), tmp_path / "own", workers=0, progress=False)
    restarted = _settings(swapped, assimilate=RESTART)
    result = calibrate(restarted, tmp_path / "restart", workers=0, progress=False)
    own = _colombia_share_2019(swapped, tmp_path / "own")
    restart = _colombia_share_2019(swapped, tmp_path / "restart")
    # A year after the restart, Colombia's share still carries the swapped state; the model's
    # own run is far from it.
    assert abs(restart - observed_share) < abs(own - observed_share) / 2
    assert result.summary["command"].endswith(f"--assimilate {RESTART}")
    assert command_line(restarted).endswith("--assimilate 2018-12-31")
    # The restart date is part of the study: the same folder refuses another one.
    with pytest.raises(ValueError, match="holds a calibration with other settings"):
        calibrate(_settings(swapped), tmp_path / "restart", workers=0, progress=False)


def test_a_restart_needs_a_date_before_until_with_observed_stocks(swapped, tmp_path):
    with pytest.raises(ValueError, match=r"assimilate \(2019-12-31\) must be before until"):
        calibrate(_settings(swapped, assimilate=UNTIL), tmp_path / "a", workers=0, progress=False)
    with pytest.raises(ValueError, match="no host stock observed in the year up to that day"):
        calibrate(
            _settings(swapped, assimilate=dt.date(2016, 6, 30)), tmp_path / "b", workers=0,
            progress=False,
        )  # fmt: skip


def test_the_cli_passes_the_restart_date_and_explains_a_bad_one(swapped, tmp_path):
    common = [
        "calibrate", str(swapped), "--until", "2019-12-31", "--out", str(tmp_path / "cal"),
        "--trials", "1", "--seeds", "1", "--scale", "500", "--no-constants",
        "--parameter", "exodus_base_rate", "--posterior-draws", "0", "--confirm-top", "0",
        "--warm-start-rounds", "0", "--workers", "0",
    ]  # fmt: skip
    late = CliRunner().invoke(app, [*common, "--assimilate", "2020-06-30"])
    assert late.exit_code != 0 and "must be before until" in late.output
    assert "Traceback" not in late.output
    result = CliRunner().invoke(app, [*common, "--assimilate", "2018-12-31"])
    assert result.exit_code == 0, result.output
    command = json.loads((tmp_path / "cal" / "calibration.json").read_text())["command"]
    assert command.endswith("--assimilate 2018-12-31")
