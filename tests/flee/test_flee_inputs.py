"""Reading Flee folders: what is imported, and the file:row: field errors for malformed input."""

from __future__ import annotations

import shutil
import tomllib

import pytest
import yaml
from typer.testing import CliRunner

from conftest import DATA, SUITE_SETTINGS
from trocha.cli import app
from trocha.flee import import_flee, is_flee_scenario, load_flee_scenario
from trocha.flee.settings import FleeSettings, settings_from_yaml
from trocha.flee.yamlfile import read_yaml
from trocha.scenario.problems import ScenarioError


@pytest.mark.parametrize(
    ("name", "locations", "camps", "routes", "closures", "days"),
    [
        ("mali2012", 23, 7, 35, 2, 300),
        ("car2013", 63, 14, 86, 2, 820),
        ("burundi2015", 30, 5, 41, 4, 396),
        ("ssudan2013", 51, 10, 60, 3, 604),
        ("flee_test", 7, 3, 9, 1, 10),
    ],
)
def test_import_counts(imported, name, locations, camps, routes, closures, days):
    scenario = imported(name)
    inputs = scenario.inputs
    assert len(inputs.locations) == locations
    assert sum("camp" in loc.location_type for loc in inputs.locations) == camps
    assert (len(inputs.routes), len(inputs.closures), inputs.days) == (routes, closures, days)
    assert is_flee_scenario(scenario.folder)
    again = load_flee_scenario(scenario.folder)
    assert again.settings == scenario.settings
    assert again.content_hash == scenario.content_hash


def test_suite_settings_are_read_as_flee_reads_them(imported):
    settings = imported("mali2012").settings
    assert settings.max_move_speed == 200.0
    assert settings.camp_weight == 2.0
    assert settings.default_movechance == 0.5
    assert settings.start_on_foot and settings.avoid_short_stints
    assert settings.conflict_spawn_decay == (1.0, 1.0, 1.0, 0.5, 0.1)
    assert settings.conflict_weight == pytest.approx(1 / 3.16227766017)  # Flee's default
    assert imported("flee_test").settings.hasten == 5
    toml = tomllib.loads((imported("mali2012").folder / "scenario.toml").read_text())
    assert toml["scenario"]["ruleset"] == "flee"
    assert (
        "spawn_rules.sum_from_camps" in (imported("mali2012").folder / "scenario.toml").read_text()
    )


def test_settings_are_read_with_pyyaml_and_errors_name_file_line_and_key(tmp_path):
    problems = []
    data, lines = read_yaml(SUITE_SETTINGS, "s.yml", problems)
    assert data == yaml.safe_load(SUITE_SETTINGS.read_text()) and problems == []
    assert lines["move_rules.camp_weight"] > lines["move_rules"]
    broken = tmp_path / "simsetting.yml"
    broken.write_text("move_rules:\n  camp_weight: 2\n  bad: [1, 2\n")
    assert read_yaml(broken, "simsetting.yml", problems) == (None, {})
    assert str(problems[0]).startswith("simsetting.yml:4: syntax: not valid YAML")
    broken.write_text("move_rules:\n  max_move_speed: .inf\n  camp_weight: lots\n")
    result = CliRunner().invoke(
        app, ["import-flee", str(DATA / "flee_test"), "--out", str(tmp_path / "o"),
              "--settings", str(broken)]
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{broken}:2: move_rules.max_move_speed: expected float, got inf" in result.stderr
    assert f"{broken}:3: move_rules.camp_weight: expected float, got 'lots'" in result.stderr


def test_flee_quirks_in_settings():
    problems = []
    # bool() of a quoted string: "false" is true in Flee 3.1
    settings, ignored = settings_from_yaml(
        {"move_rules": {"start_on_foot": "false", "use_v1_rules": True, "camp_weight": 9},
         "spawn_rules": {"camps_are_sinks": True}},
        "s.yml",
        problems,
    )  # fmt: skip
    assert problems == []
    assert settings.start_on_foot is False  # use_v1_rules overrides it
    assert settings.camp_weight == 2.0 and settings.conflict_weight == 0.25
    assert settings.max_move_speed == 200.0
    assert "spawn_rules.camps_are_sinks" in ignored  # Flee 3.1 reads `camps_are_sicks`
    settings, _ = settings_from_yaml({"move_rules": {"avoid_short_stints": "false"}}, "s", problems)
    assert settings.avoid_short_stints is True
    settings_from_yaml(
        {"spawn_rules": {"conflict_driven_spawning": {"spawn_mode": "Poisson"}}}, "s.yml", problems
    )
    assert "Poisson never works in Flee 3.1" in str(problems[0])


def _broken(tmp_path, name="mali2012"):
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder)
    return folder


def _replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_malformed_rows_are_reported_with_file_row_and_field(tmp_path):
    folder = _broken(tmp_path)
    inputs = folder / "input_csv"
    _replace(inputs / "locations.csv", "Timbuktu,Timbuktu,Mali,16.78026,-3.00159,conflict_zone,0,54453",
             "Timbuktu,Timbuktu,Mali,16.78026,-3.00159,conflict_zone,0,lots")  # fmt: skip
    _replace(inputs / "routes.csv", "Douentza,Mentao,487", "Douentza,Mentau,487")
    _replace(inputs / "routes.csv", "Mopti,Mentao,360", "Mopti,Mentao,-3")
    _replace(inputs / "closures.csv", "country,Mali,Niger,0,33", "border,Mali,Niger,0,33")
    _replace(inputs / "sim_period.csv", "Length,300", "Length,three hundred")
    with pytest.raises(ScenarioError) as error:
        import_flee(folder, tmp_path / "out", settings_file=SUITE_SETTINGS)
    messages = [str(p) for p in error.value.problems]
    assert "input_csv/locations.csv:3: population: expected an integer, got 'lots'" in messages
    assert "input_csv/routes.csv:2: name2: 'Mentau' is not a name in locations.csv" in messages
    assert "input_csv/routes.csv:3: distance: must be >= 0, got '-3'" in messages
    assert any(
        m.startswith("input_csv/closures.csv:3: closure_type: 'border' is not one of")
        for m in messages
    )
    assert (
        "input_csv/sim_period.csv:2: Length: expected an integer, got 'three hundred'" in messages
    )
    assert not (tmp_path / "out").exists()


def test_missing_camp_series_and_bad_correction(tmp_path):
    folder = _broken(tmp_path)
    _replace(folder / "source_data" / "data_layout.csv", "Niamey,nig-niamey.csv\n", "")
    _replace(
        folder / "input_csv" / "registration_corrections.csv",
        "Mentao,2012-10-03",
        "Mentao,2012-10-04",
    )
    with pytest.raises(ScenarioError) as error:
        import_flee(folder, tmp_path / "out")
    messages = [str(p) for p in error.value.problems]
    assert any(
        "source_data/data_layout.csv: Niamey: camp 'Niamey' has no series" in m for m in messages
    )
    assert any(
        m.startswith("input_csv/registration_corrections.csv:2: date: 2012-10-04 is not the date")
        for m in messages
    )


def test_cli_import_and_run(tmp_path):
    runner = CliRunner()
    out = tmp_path / "scenario"
    result = runner.invoke(app, ["import-flee", str(DATA / "mali2012"), "--out", str(out),
                                 "--settings", str(SUITE_SETTINGS)])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["run", str(out), "--scale", "100", "--seed", "2", "--out", str(tmp_path / "runs"),
                                 "--end", "2012-06-30"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ARD" in result.output


def test_cli_bad_input_exits_2_without_traceback(tmp_path):
    folder = _broken(tmp_path)
    _replace(folder / "input_csv" / "routes.csv", "Douentza,Mentao,487", "Douentza,Mentao,far")
    result = CliRunner().invoke(app, ["import-flee", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "input_csv/routes.csv:2: distance: expected a number, got 'far'" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["import-flee", str(DATA / "mali2012"), "--out", str(tmp_path / "o"),
                                      "--settings", str(tmp_path / "none.yml")])  # fmt: skip
    assert result.exit_code == 2
    assert "none.yml: file: not found" in result.output


def test_settings_table_rejects_unknown_names():
    problems = []
    FleeSettings.from_table({"camp_wieght": 2.0, "hasten": 0}, "scenario.toml", problems)
    text = "\n".join(str(p) for p in problems)
    assert "scenario.toml: flee.camp_wieght: unknown setting" in text
    assert "hasten: must be an integer >= 1, got 0" in text
