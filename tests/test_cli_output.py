"""What the commands print: full width when piped, four formats, words instead of Python internals,
the run summary saved with the run, --set and --seeds."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import trocha
from trocha.cli import app
from trocha.results.manifest import run_id
from trocha.scenario.parameters import parameter_table

runner = CliRunner()
SMALL = ["--scale", "5000", "--end", "2017-03-31"]


def ok(*args: str) -> str:
    """What the command prints on stdout (messages on stderr stay out of CSV and JSON)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def test_piped_tables_are_not_cut_to_80_columns():
    text = ok("parameters")  # CliRunner output is not a terminal, like a pipe
    for name, p in parameter_table().items():
        assert name in text and p.source in text
    assert "…" not in text


@pytest.mark.parametrize(
    "args",
    [["scenarios"], ["parameters"], ["parameters", "tiny"], ["interventions"]],
)
def test_every_table_command_prints_csv_json_and_markdown(args):
    rows = list(csv.DictReader(io.StringIO(ok(*args, "--format", "csv"))))
    records = json.loads(ok(*args, "--format", "json"))
    assert rows and len(rows) == len(records)
    assert list(rows[0]) == list(records[0])
    markdown = ok(*args, "--format", "markdown").splitlines()
    header = next(i for i, line in enumerate(markdown) if line.startswith("| "))
    assert markdown[header + 1].startswith("|---")
    assert len([line for line in markdown if line.startswith("| ")]) == len(rows) + 1
    first = next(iter(records[0].values()))
    assert str(first) in markdown[header + 2]


def test_compare_and_query_formats(tmp_path):
    out = str(tmp_path)
    args = ["compare", "tiny", "tiny", "--seeds", "2", *SMALL, "--workers", "0", "--out", out]
    table = ok(*args)
    assert "migrant_stock_end" in table and "money_taken_from_migrants_usd" in table
    records = json.loads(ok(*args, "--format", "json"))
    assert {"scenario", "outcome", "difference", "ci_low", "ci_high"} <= set(records[0])
    assert all(r["difference"] == 0 for r in records)  # tiny against itself
    (experiment,) = tmp_path.iterdir()
    sql = "SELECT seed, scenario FROM runs ORDER BY seed"
    assert ok("query", str(experiment / "runs"), sql, "--format", "csv") == (
        "seed,scenario\n1,tiny\n2,tiny\n"
    )
    assert json.loads(ok("query", str(experiment / "runs"), sql, "--format", "json")) == [
        {"seed": 1, "scenario": "tiny"},
        {"seed": 2, "scenario": "tiny"},
    ]
    markdown = ok("query", str(experiment / "runs"), sql, "--format", "markdown")
    assert "| 1 | tiny |" in markdown


def test_interventions_are_described_in_words():
    text = ok("interventions")
    assert "PydanticUndefined" not in text and "<class" not in text and "typing." not in text
    assert "date (YYYY-MM-DD)" in text and "required" in text
    records = json.loads(ok("interventions", "--format", "json"))
    assert all(r["meaning"] for r in records), [r for r in records if not r["meaning"]]
    coverage = next(
        r for r in records if (r["kind"], r["parameter"]) == ("regularisation", "coverage")
    )
    assert coverage["type"] == "number (>= 0, <= 1)" and coverage["default"] == "required"
    crossing = next(r for r in records if r["parameter"] == "crossing")
    assert crossing["type"] == "one of: official, irregular, both" and crossing["default"] == "both"


def test_parameters_of_a_scenario_say_where_each_value_comes_from(tmp_path):
    child = tmp_path / "child"
    child.mkdir()
    (child / "scenario.toml").write_text(
        '[scenario]\nbase = "tiny"\nname = "child"\n[parameters]\npassport_share = 0.6\n'
    )
    records = {r["name"]: r for r in json.loads(ok("parameters", str(child), "--format", "json"))}
    assert records["passport_share"]["set by"] == "scenario.toml"
    assert records["passport_share"]["value"] == 0.6
    assert records["exodus_base_rate"]["set by"] == "base scenario tiny"
    assert records["exodus_base_rate"]["value"] == 0.01
    assert records["visa_share"]["set by"] == "parameter table"
    assert records["visa_share"]["value"] == records["visa_share"]["default"]


def test_scenarios_show_their_descriptions():
    text = ok("scenarios")
    assert "Ten places from Caracas to Lima, for tests and examples" in text
    assert "venezuela-awareness" in text


def test_run_saves_its_summary_and_keeps_a_stable_run_id(tmp_path, tiny):
    text = ok("run", "tiny", *SMALL, "--out", str(tmp_path), "--quiet")
    (folder,) = tmp_path.iterdir()
    expected = run_id(trocha.Simulation(tiny, seed=1, scale=5000, end="2017-03-31"))
    assert folder.name == expected
    saved = (folder / "summary.txt").read_text()
    assert saved in text and "left," in saved and "agents." in saved
    data = json.loads((folder / "summary.json").read_text())
    assert data["run_id"] == expected and data["totals"]["end_date"] == "2017-03-31"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {"summary.txt", "summary.json"} <= set(manifest["files"])
    ok("run", "tiny", *SMALL, "--out", str(tmp_path), "--quiet")
    assert [p.name for p in tmp_path.iterdir()] == [expected]
    assert (folder / "summary.txt").read_text() == saved


def test_run_set_overrides_parameters(tmp_path):
    ok("run", "tiny", *SMALL, "--set", "passport_share=0.7", "--set", "visa_share=0.1",
       "--out", str(tmp_path), "--quiet")  # fmt: skip
    (folder,) = tmp_path.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parameter_overrides"]["passport_share"] == 0.7
    assert manifest["parameter_overrides"]["visa_share"] == 0.1


@pytest.mark.parametrize(("seeds", "expected"), [("1-3", [1, 2, 3]), ("1,3,5", [1, 3, 5])])
def test_run_seeds_runs_an_ensemble_with_a_summary(seeds, expected, tmp_path):
    text = ok("run", "tiny", "--seeds", seeds, *SMALL, "--out", str(tmp_path), "--quiet")
    manifests = [json.loads((f / "manifest.json").read_text()) for f in tmp_path.iterdir()]
    assert sorted(m["seed"] for m in manifests) == expected
    assert "mean" in text and "min" in text and "max" in text
    records = json.loads(
        ok("run", "tiny", "--seeds", seeds, *SMALL, "--out", str(tmp_path), "--format", "json")
    )
    stock = next(r for r in records if r["outcome"] == "migrant_stock_end")
    assert stock["min"] <= stock["mean"] <= stock["max"] and stock["seeds"] == 3


def test_importing_the_cli_leaves_heavy_libraries_unloaded():
    heavy = ["numba", "pandas", "pyarrow", "duckdb", "dask", "distributed", "scipy", "numpy"]
    code = f"import sys, trocha, trocha.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_check_validates_without_numerical_libraries():
    # `trocha check` runs the same validation as `run` but needs none of the model's libraries,
    # so it starts in a fraction of a second.
    heavy = ["numba", "pandas", "pyarrow", "duckdb", "dask", "scipy", "numpy"]
    code = (
        "import sys\nfrom trocha.cli import main\nsys.argv = ['trocha', 'check', 'venezuela']\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "venezuela: OK" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
