"""CLI behaviour: exit codes, one-line reasons, run directories, summary."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trocha.cli import app

runner = CliRunner()


def test_run_writes_complete_run_and_prints_summary(tmp_path):
    result = runner.invoke(
        app, ["run", "tiny", "--seed", "2", "--scale", "500", "--out", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "COL" in result.output and "PER" in result.output
    assert "Run directory" in result.output
    (folder,) = tmp_path.iterdir()
    assert json.loads((folder / "manifest.json").read_text())["status"] == "complete"


def test_check_ok():
    result = runner.invoke(app, ["check", "tiny"])
    assert result.exit_code == 0
    assert "tiny: OK (10 places, 12 routes" in result.output


def test_check_lists_problems_and_exits_2(tiny_copy):
    path = tiny_copy / "routes.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Bogotá,Ipiales", "Bogota,Ipiales"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(tiny_copy)])
    assert result.exit_code == 2
    assert "routes.csv:7: from: unknown location 'Bogota'; did you mean 'Bogotá'?" in result.output
    assert "Traceback" not in result.output


def test_run_on_bad_scenario_exits_2_without_a_run_dir(tiny_copy, tmp_path):
    (tiny_copy / "push_factors.csv").write_text("year,population\n2017,abc\n")
    result = runner.invoke(app, ["run", str(tiny_copy), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_bad_dates_and_options_exit_2(tmp_path):
    for args in (
        ["--end", "2020-02-30"],
        ["--end", "2040-01-01"],
        ["--start", "2019-01-01", "--end", "2018-01-01"],
        ["--scale", "0"],
        ["--seed", "-1"],
    ):
        result = runner.invoke(app, ["run", "tiny", "--out", str(tmp_path), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_unknown_scenario_exits_2():
    result = runner.invoke(app, ["run", "atlantis"])
    assert result.exit_code == 2
    assert "no such folder or shipped scenario" in result.output


def test_version_option_and_command_print_the_package_version():
    import trocha

    for args in (["--version"], ["version"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == trocha.__version__
