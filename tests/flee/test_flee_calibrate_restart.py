"""A Flee scenario runs under Flee's rules, which have no restart from observed stocks:
`trocha calibrate --assimilate` refuses it instead of calibrating without the restart."""

from __future__ import annotations

import datetime as dt

import pytest

from trocha.experiments.calibration import CalibrationSettings, calibrate


def test_calibrate_refuses_a_restart_for_a_flee_scenario(imported, tmp_path):
    folder = imported("flee_test").folder
    settings = CalibrationSettings(
        scenario=str(folder), until=dt.date(2010, 1, 1), trials=1,
        assimilate=dt.date(2009, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"Flee scenario .* no restart"):
        calibrate(settings, tmp_path / "cal", workers=0, progress=False)
