"""Flee folders as Flee 3.1 reads them: what it tolerates with a warning imports with that warning
(and `--strict` refuses); what it cannot read is an error with file, row and field."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import DATA, SUITE_SETTINGS
from trocha.cli import app


def cli(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def copy(tmp_path: Path, name: str = "mali2012") -> Path:
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


CONFLICT_WARNING = (
    "warning: input_csv/conflicts.csv:1: Menaka town: not a name in locations.csv (did you mean "
    "'Menaka'?); Flee 3.1 prints an ERROR when this conflict starts and ignores the column"
)


def test_conflict_column_spelt_differently_imports_and_runs_with_flee_warning(tmp_path):
    folder = copy(tmp_path)
    replace(folder / "input_csv" / "conflicts.csv", " Menaka,", " Menaka town,")
    imported = cli("import-flee", folder, "--out", tmp_path / "s", "--settings", SUITE_SETTINGS)
    assert imported.exit_code == 0, imported.output
    assert CONFLICT_WARNING in imported.stderr.splitlines()
    ran = cli("run", tmp_path / "s", "--scale", 100, "--end", "2012-03-31", "--out", tmp_path / "r")
    assert ran.exit_code == 0, ran.output
    assert CONFLICT_WARNING in ran.stderr.splitlines()
    strict = cli("import-flee", folder, "--out", tmp_path / "t", "--strict")
    assert strict.exit_code == 2
    assert CONFLICT_WARNING.removeprefix("warning: ") + " (refused by --strict)" in strict.stderr
    assert not (tmp_path / "t").exists()


def test_unknown_settings_import_with_a_warning_and_strict_refuses(tmp_path):
    settings = tmp_path / "simsetting.yml"
    settings.write_text("log_levels:\n  agent: 0\nmove_rules:\n  camp_weight: 2\n  made_up: 3\n")
    folder = DATA / "flee_test"
    imported = cli("import-flee", folder, "--out", tmp_path / "s", "--settings", settings)
    assert imported.exit_code == 0, imported.output
    line = f"{settings}:5: move_rules.made_up: not read by Flee 3.1, so not used"
    assert f"warning: {line}" in imported.stderr
    strict = cli("import-flee", folder, "--out", tmp_path / "t", "--settings", settings, "--strict")
    assert strict.exit_code == 2
    assert f"{line} (refused by --strict)" in strict.stderr


def test_invalid_date_in_camp_data_is_an_error(tmp_path):
    folder = copy(tmp_path)
    replace(folder / "source_data" / "nig-abala.csv", "2012-", "2012-13-")
    result = cli("import-flee", folder, "--out", tmp_path / "s")
    assert result.exit_code == 2
    assert "source_data/nig-abala.csv:" in result.stderr
    assert ": date: expected a date like 2013-12-01, got '2012-13-" in result.stderr


def test_scenario_without_camps_reports_no_ard(tmp_path):
    folder = copy(tmp_path, "flee_test")
    inputs = folder / "test_input_csv"
    text = (inputs / "locations.csv").read_text().replace('"camp",,', '"town",0,')
    (inputs / "locations.csv").write_text(text)
    (inputs / "refugee_data" / "data_layout.csv").write_text("total,total.csv\n")
    assert cli("import-flee", folder, "--out", tmp_path / "s").exit_code == 0
    ran = cli("run", tmp_path / "s", "--out", tmp_path / "r")
    assert ran.exit_code == 0, ran.output
    assert "no camp data, so no ARD" in " ".join(ran.stdout.split())
    assert "ARD 0.000" not in ran.stdout


def test_flee_csv_encodings_and_folders(tmp_path):
    folder = copy(tmp_path)
    routes = folder / "input_csv" / "routes.csv"
    routes.write_bytes(routes.read_text().encode("utf-16"))
    locations = folder / "input_csv" / "locations.csv"
    locations.write_bytes(locations.read_text().replace("Segou", "Ségou").encode("latin-1"))
    closures = folder / "input_csv" / "closures.csv"
    closures.unlink()
    closures.mkdir()
    result = cli("import-flee", folder, "--out", tmp_path / "s")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("input_csv/locations.csv: file: is not UTF-8 text (byte 0xE9 on line")
        for line in lines
    )
    assert "input_csv/closures.csv: file: is a folder; a file is expected here" in lines
    assert not any("routes.csv" in line for line in lines)  # UTF-16 with a BOM is read


def test_dates_are_read_as_flee_reads_them(tmp_path):
    folder = copy(tmp_path)
    replace(folder / "source_data" / "nig-abala.csv", "2012-03-", "2012-3-")
    result = cli("import-flee", folder, "--out", tmp_path / "s", "--settings", SUITE_SETTINGS)
    assert result.exit_code == 0, result.output


def edit_flee_table(scenario: Path, key: str, value: str) -> None:
    toml = scenario / "scenario.toml"
    lines = [line for line in toml.read_text().splitlines() if not line.startswith(f"{key} =")]
    toml.write_text("\n".join([*lines, f"{key} = {value}"]) + "\n")


def test_settings_that_make_towns_camps_without_data_fail_check_and_run(tmp_path):
    scenario = tmp_path / "s"
    assert cli("import-flee", DATA / "flee_test", "--out", scenario).exit_code == 0
    edit_flee_table(scenario, "default_movechance", "0.0")
    expected = (
        "scenario.toml: flee.default_movechance: 0 makes 'C' a camp (Flee 3.1 turns places with a "
        "move chance below 0.005 into camps) and a camp needs a series in data_layout.csv, which "
        "it has not; Flee 3.1 stops there"
    )
    for args in (("check", scenario), ("run", scenario, "--out", tmp_path / "r")):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert expected in result.stderr.splitlines()


def test_runs_too_large_for_memory_are_refused_before_they_start(tmp_path):
    scenario = tmp_path / "s"
    assert cli("import-flee", DATA / "flee_test", "--out", scenario).exit_code == 0
    edit_flee_table(scenario, "conflict_spawn_mode", '"pop_ratio"')  # 500 per person and day
    result = cli("check", scenario)
    assert result.exit_code == 2
    assert (
        "scenario.toml: flee.hasten: at 5 people per agent the run would create up to"
        in result.stderr
    )
