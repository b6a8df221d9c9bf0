"""`trocha export`: CSV files and an Excel workbook with the same tables."""

from __future__ import annotations

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from trocha.cli import app

TABLES = ["run", "world_daily", "countries_monthly", "places_weekly", "events", "metrics"]


def test_csv_export(tiny_run, tmp_path):
    result = CliRunner().invoke(app, ["export", str(tiny_run), "--out", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in (tmp_path / "csv").glob("*.csv")) == sorted(TABLES)
    world = pd.read_csv(tmp_path / "csv" / "world_daily.csv")
    assert len(world) == 546  # 2017-01-01 .. 2018-06-30
    monthly = pd.read_csv(tmp_path / "csv" / "countries_monthly.csv")
    daily = pd.read_parquet(tiny_run / "timeseries.parquet")
    col = daily[(daily["metric"] == "departures") & (daily["country"] == "ALL")]["value"].sum()
    assert monthly.query("metric == 'departures' and country == 'ALL'")["value"].sum() == col
    assert set(monthly.query("metric == 'departures'")["unit"]) == {"people/month"}


def test_xlsx_export(tiny_run, tmp_path):
    target = tmp_path / "run.xlsx"
    result = CliRunner().invoke(
        app, ["export", str(tiny_run), "--format", "xlsx", "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == TABLES
    assert book["world_daily"].max_row == 547  # header + days


def test_bad_format_is_refused(tiny_run):
    result = CliRunner().invoke(app, ["export", str(tiny_run), "--format", "pdf"])
    assert result.exit_code == 2 and "csv or xlsx" in result.output
