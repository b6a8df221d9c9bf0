"""The HTML report: self-contained, deterministic, with the expected charts, traces and places."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from trocha.cli import app
from trocha.report import figures_run as fr
from trocha.report.build import report_html
from trocha.report.data import RunNotReadyError, load_run
from trocha.report.figures_map import corridor_map, crossing_usage, month_ends, open_cells
from trocha.report.geography import base_map, geography_for


@pytest.fixture(scope="module")
def html(tiny_run) -> str:
    return report_html(tiny_run)


def charts(text: str) -> list[str]:
    return re.findall(r'<div id="([^"]+)" class="plotly-graph-div"', text)


def test_report_is_deterministic(tiny_run, html):
    assert report_html(tiny_run) == html


def test_report_is_self_contained(html):
    assert "<script src=" not in html
    assert not re.search(r'<link[^>]+href="(?!data:)', html)  # only the empty data: icon
    assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js is inlined


def test_report_has_every_chart_and_the_run_card(tiny_run, html):
    assert charts(html) == [
        "fig-stocks",
        "fig-world",
        "fig-flows",
        "fig-map",
        "fig-fees",
        "fig-revenue",
        "fig-members",
        "fig-cells",
        "fig-victims",
        "fig-money",
    ]
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert manifest["run_id"] in html and manifest["scenario_hash"] in html
    assert manifest["created_at"] in html


def test_map_has_every_place_and_a_frame_per_month(tiny_run):
    run = load_run(tiny_run)
    geo = geography_for(run.manifest)
    fig = corridor_map(run, geo)
    places = next(t for t in fig.data if t.name == "migrants present")
    assert len(places.x) == len(geo.places) == 10
    assert len(fig.frames) == 18  # 2017-01 .. 2018-06
    assert len(fig.layout.sliders[0].steps) == 18
    sizes = [
        f.data[[t.name for t in f.data].index("migrants present")].marker.size for f in fig.frames
    ]
    assert sizes[0] != sizes[-1]  # the map changes over time


def test_crossing_usage_shares_each_countrys_entries(tiny_run):
    run = load_run(tiny_run)
    geo = geography_for(run.manifest)
    months = month_ends(run.locations)
    usage = crossing_usage(run.timeseries, geo, months)
    ts = run.timeseries
    routes = geo.routes[geo.routes["crossing"] == "irregular"]
    country = dict(zip(geo.places["name"], geo.places["country"], strict=True))
    ends = {
        c
        for a, b in zip(routes["from"], routes["to"], strict=True)
        for c in (country[a], country[b])
    }
    entries = ts[(ts["metric"] == "irregular_crossings") & ts["country"].isin(ends)]["value"].sum()
    assert usage["irregular"].sum() == pytest.approx(entries)


def test_cells_appear_when_they_open(tiny_run):
    run = load_run(tiny_run)
    geo = geography_for(run.manifest)
    opened = run.events[run.events["kind"] == "expansion"].sort_values("date").iloc[0]
    before = opened["date"] - pd.Timedelta(days=1)
    cells = open_cells(run.events, geo, [before, opened["date"]])
    assert opened["location"] not in cells[0] and opened["location"] in cells[1]


def test_stocks_show_observed_points_with_sources():
    ts = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-01-01", "2018-01-02"] * 2),
            "country": ["COL", "COL", "PER", "PER"],
            "metric": "migrant_stock",
            "value": [10.0, 20.0, 5.0, 6.0],
        }
    )
    targets = pd.DataFrame(
        {
            "date": pd.to_datetime(["2018-12-31"]),
            "country": ["COL"],
            "metric": ["migrant_stock"],
            "value": [30.0],
            "source_id": ["S07"],
            "notes": ["UNHCR"],
        }
    )
    fig = fr.stocks(ts, targets, "VEN")
    assert [t.name for t in fig.data] == ["COL", "COL observed", "PER"]
    assert fig.data[1].text == ("S07: UNHCR",)
    assert fig.layout.yaxis.title.text == "people"


def test_base_map_is_the_americas():
    names = {f["properties"]["name"] for f in base_map()["features"]}
    assert {"Venezuela", "Colombia", "Peru", "Chile", "United States of America"} <= names
    assert "China" not in names


def test_compare_report_has_a_forest_and_paired_curves(report_runs):
    html = report_html(report_runs / "compare_tiny_test")
    ids = charts(html)
    assert ids[0] == "fig-forest"
    assert ids[1:] == ["fig-paired-0"]  # only people_trafficked moved
    assert "people_trafficked" in html


def test_incomplete_run_is_not_read(tiny_run, tmp_path):
    half = tmp_path / "half"
    shutil.copytree(tiny_run, half)
    manifest = json.loads((half / "manifest.json").read_text())
    manifest["status"] = "running"
    (half / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunNotReadyError, match="running"):
        load_run(half)
    result = CliRunner().invoke(app, ["report", str(half)])
    assert result.exit_code == 2 and "not a complete run" in result.output


def test_report_command_writes_the_file(tiny_run, tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(tiny_run), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output.replace("\n", "")
    assert out.read_text(encoding="utf-8") == report_html(tiny_run)


def test_latest_picks_the_newest_complete_run(report_runs, tmp_path):
    out = tmp_path / "latest.html"
    result = CliRunner().invoke(app, ["report", str(report_runs), "--latest", "--out", str(out)])
    assert result.exit_code == 0, result.output
    newest = max(
        (json.loads(p.read_text())["created_at"], p.parent.name)
        for p in report_runs.glob("*/manifest.json")
    )
    assert newest[1] in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("verb", ["report", "export"])
def test_a_runs_folder_is_refused_with_the_runs_it_holds(report_runs, verb):
    """`trocha run --out FOLDER` writes run directories inside FOLDER; passing FOLDER itself
    names one of them in the error (before, export said 'status: unreadable')."""
    result = CliRunner().invoke(app, [verb, str(report_runs)])
    assert result.exit_code == 2, result.output
    text = result.output.replace("\n", "")
    assert "not a run directory (no manifest.json)" in text
    assert "it holds 2 run(s) such as" in text and "pass one of them" in text
    assert ("--latest" in text) == (verb == "report")


def test_sweep_report_shows_each_outcome_across_runs(tmp_path):
    folder = tmp_path / "sweep_x"
    folder.mkdir()
    (folder / "experiment.json").write_text(json.dumps({"kind": "sweep", "runs": 4}))
    pd.DataFrame(
        {
            "run_id": list("abcd"),
            "variant": ["base", "base", "raid", "raid"],
            "seed": [1, 2, 1, 2],
            "people_trafficked": [10.0, 12.0, 5.0, 6.0],
            "deaths": [1.0, 2.0, 1.0, 1.0],
        }
    ).to_parquet(folder / "results.parquet")
    html = report_html(folder)
    assert charts(html) == ["fig-spread-0", "fig-spread-1"]
    assert "Experiment card" in html and "results.parquet" in html


def test_sensitivity_report_shows_the_indices(tmp_path):
    folder = tmp_path / "sensitivity_x"
    folder.mkdir()
    (folder / "experiment.json").write_text(json.dumps({"kind": "sensitivity-morris"}))
    pd.DataFrame({"run_id": ["a", "b"], "seed": [1, 1], "deaths": [1.0, 2.0]}).to_parquet(
        folder / "results.parquet"
    )
    pd.DataFrame(
        {
            "outcome": ["deaths", "deaths"],
            "parameter": ["walk_speed_km_day", "exodus_base_rate"],
            "mu_star": [0.5, 2.0],
            "mu_star_conf": [0.1, 0.4],
            "sigma": [0.2, 0.3],
        }
    ).to_csv(folder / "indices.csv", index=False)
    html = report_html(folder)
    assert charts(html) == ["fig-spread-0", "fig-si-0"]
    assert "exodus_base_rate" in html


def test_unknown_scenario_leaves_out_the_map_and_says_so(tiny_run, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(tiny_run, moved)
    manifest = json.loads((moved / "manifest.json").read_text())
    (moved / "manifest.json").write_text(json.dumps({**manifest, "scenario": "gone-away"}))
    html = report_html(moved)
    assert "fig-map" not in charts(html) and "fig-stocks" in charts(html)
    assert "scenario tables" in html and "not found" in html
    assert "fig-map" in charts(report_html(moved, scenario="tiny"))  # --scenario finds it


def test_report_is_the_same_from_another_process(tiny_run, html, tmp_path):
    out = tmp_path / "other.html"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another set/dict iteration order
    command = "from trocha.cli import main; main()"
    subprocess.run(
        [sys.executable, "-c", command, "report", str(tiny_run), "--out", str(out)],
        check=True,
        env=env,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == html
