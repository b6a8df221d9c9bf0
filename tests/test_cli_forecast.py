"""`trocha forecast` on the command line: both bands printed, and a note when no drift is known."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from trocha.cli import app
from trocha.experiments.forecast import FEW_DRAWS
from trocha.experiments.forecast_error import DRIFT_FILE

runner = CliRunner()


def _calibration(folder):
    """A calibration folder whose posterior is the scenario's own values (one trial)."""
    folder.mkdir()
    pd.DataFrame({"trial": [0], "weight": [1.0]}).to_parquet(folder / "posterior.parquet")
    (folder / "calibration.json").write_text(
        json.dumps({"until": "2017-12-31", "error_model": {"stock_log_sd": 0.15}})
    )
    return folder


def _forecast(cal, out, *extra):
    return runner.invoke(
        app,
        ["forecast", "tiny", "--calibration", str(cal), "--draws", "1", "--seeds", "2",
         "--scale", "2000", "--end", "2018-12-31", "--workers", "0", "--out", str(out), *extra],
    )  # fmt: skip


def test_forecast_prints_both_bands_and_notes_a_missing_drift(tmp_path):
    cal = _calibration(tmp_path / "cal")
    result = _forecast(cal, tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert f"has no {DRIFT_FILE}" in result.output
    assert "90% predictive band" in result.output
    (folder,) = (tmp_path / "a").iterdir()
    info = json.loads((folder / "forecast.json").read_text())
    assert info["predictive_error"]["drift_log_sd_per_year"] == 0.0
    assert info["predictive_error"]["from"] == "2017-12-31"
    # With the backtest's file next to the calibration: no note, and its drift is used.
    (cal / DRIFT_FILE).write_text(json.dumps({"drift_log_sd_per_year": 0.2}))
    again = _forecast(cal, tmp_path / "b")
    assert again.exit_code == 0, again.output
    assert DRIFT_FILE not in again.output
    (folder,) = (tmp_path / "b").iterdir()
    assert (
        json.loads((folder / "forecast.json").read_text())["predictive_error"][
            "drift_log_sd_per_year"
        ]
        == 0.2
    )
    summary = pd.read_csv(folder / "summary.csv")
    stocks = summary[(summary["metric"] == "migrant_stock") & (summary["year"] == 2018)]
    assert (stocks["p05"] <= stocks["median"]).all() and (stocks["median"] <= stocks["p95"]).all()
    # A negative drift is refused by the option.
    refused = _forecast(cal, tmp_path / "c", "--drift", "-1")
    assert refused.exit_code != 0
    # A flow's own drift (a random walk): recorded, and the flows' bands a year past the
    # cut-off wider than when they drift as stocks; the stocks' bands as they were.
    flows = _forecast(cal, tmp_path / "d", "--flow-drift", "0.9")
    assert flows.exit_code == 0, flows.output
    (wide,) = (tmp_path / "d").iterdir()
    error = json.loads((wide / "forecast.json").read_text())["predictive_error"]
    assert error["drift_flow_log_sd_per_year"] == 0.9 and error["drift_log_sd_per_year"] == 0.2
    wider = pd.read_csv(wide / "summary.csv").merge(
        summary, on=["year", "country", "metric"], suffixes=("", "_stock_drift")
    )
    wider = wider[wider["year"] == 2018]
    crossings = wider[(wider["metric"] == "departures") & (wider["median"] > 0)]
    assert len(crossings) and (crossings["p95"] > crossings["p95_stock_drift"]).all()
    same = wider[wider["metric"] == "migrant_stock"]
    assert (same["p95"] == same["p95_stock_drift"]).all()
    # Irregular crossings by country too (the route north's flows), summing to the total.
    crossings = pd.read_csv(wide / "summary.csv")
    crossings = crossings[crossings["metric"] == "irregular_crossings"]
    assert {"ALL"} < set(crossings["country"])


def test_the_route_north_is_printed_past_the_cut_off():
    """The yearly Darién crossings (irregular entries into Panama) and US encounters after the
    cut-off, in the same form as the stocks; nothing for a scenario without them."""
    import datetime as dt

    from trocha.cli_forecast import route_north_lines

    def row(year, country, metric, median):
        return {"year": year, "country": country, "metric": metric, "median": median,
                "q05": median / 2, "q95": median * 2, "p05": median / 4, "p95": median * 4}  # fmt: skip

    summary = pd.DataFrame(
        [row(2020, "PAN", "irregular_crossings", 4000.0), row(2021, "PAN", "irregular_crossings",
         9000.0), row(2021, "USA", "encounters", 5000.0), row(2021, "COL", "irregular_crossings",
         1.0), row(2021, "ALL", "irregular_crossings", 2.0)]
    )  # fmt: skip
    lines = route_north_lines(summary, dt.date(2020, 12, 31))
    assert lines[1:] == [  # the Darién first, then the US border, as migrants meet them
        "  2021 Darién crossings: 9,000 (4,500 - 18,000; 2,250 - 36,000)",
        "  2021 US encounters: 5,000 (2,500 - 10,000; 1,250 - 20,000)",
    ]
    assert len(route_north_lines(summary, None)) == 4  # every year without a cut-off
    assert route_north_lines(summary[summary["country"] == "COL"], None) == []


def test_forecast_of_a_variant_that_changes_the_past_says_it_does_not_start_from_the_data(
    tmp_path,
):
    from pathlib import Path

    import trocha

    calibration = Path(trocha.__file__).parent / "data" / "scenarios" / "venezuela"
    result = runner.invoke(
        app,
        ["forecast", "venezuela-open-border", "--calibration", str(calibration), "--draws", "1",
         "--seeds", "1", "--scale", "8000", "--end", "2021-01-31", "--workers", "0", "--out",
         str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "changes the world before the calibration's cut-off" in result.output
    assert "border_regime from 2014-01-01" in result.output
    assert "--no-assimilate" in result.output
    ess = json.loads((calibration / "calibration.json").read_text())["effective_sample_size"]
    noted = f"effective sample size is {ess:.1f}" in result.output
    assert noted == (ess < FEW_DRAWS)  # a posterior of a few draws is pointed out
    assert "Started from the observed state" not in result.output
    baseline = runner.invoke(
        app,
        ["forecast", "venezuela", "--calibration", str(calibration), "--draws", "1", "--seeds",
         "1", "--scale", "8000", "--end", "2021-01-31", "--workers", "0", "--out",
         str(tmp_path / "baseline")],
    )  # fmt: skip
    assert baseline.exit_code == 0, baseline.output
    assert "the stocks of 18 hosts observed up to 2020-12-31" in baseline.output


def test_validate_passes_the_backtest_its_confirmation_and_prints_the_verdict(
    tmp_path, monkeypatch
):
    """The backtest's stages confirm as the options say (the CI test confirms one point)."""
    from trocha.experiments import validate

    seen = {}

    def fake_backtest(*args, **kwargs):
        seen.update(kwargs)
        return pd.DataFrame(), {
            "mape_trocha_main_hosts": 0.3, "mape_persistence_main_hosts": 0.1,
            "world_total": [], "searches": [0], "stages_by_search": [[]],
            "trocha_beats_baselines": False, "trocha_shares_beat_baselines": False,
        }  # fmt: skip

    monkeypatch.setattr(validate, "backtest", fake_backtest)
    result = runner.invoke(
        app,
        ["validate", "venezuela", "--backtest", "--confirm-top", "2", "--confirm-seeds", "3",
         "--workers", "0", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen["confirm_top"] == 2 and seen["confirm_seeds"] == 3
    assert "trocha 30.0%" in result.output and "persistence 10.0%" in result.output
    assert "Trocha does NOT beat the baselines" in result.output
