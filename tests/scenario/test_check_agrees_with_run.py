"""`trocha check` runs exactly the validation `trocha run` runs: one accepts what the other does."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trocha.cli import app

FLEE_TEST = Path(__file__).resolve().parents[1] / "data" / "flee" / "flee_test"


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def add_intervention(folder: Path, text: str) -> None:
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text() + "\n[[interventions]]\n" + text)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'type = "policing_surge"\nstart = 2018-01-01\ncountries = ["ZZZ"]\nmultiplier = 2\n',
            "scenario.toml: interventions[1].countries: policing_surge: countries ['ZZZ'] are not "
            "in countries.csv",
        ),
        (
            'type = "crossing_closure"\nstart = 2018-01-01\nplace_a = "Caracas"\nplace_b = "Lima"\n',
            "scenario.toml: interventions[1].place_b: crossing_closure: no both crossing joins "
            "Caracas and Lima",
        ),
        (
            'type = "border_regime"\nstart = 2018-01-01\ncountry = "*"\nregime = "open"\n',
            "scenario.toml: interventions[1].country: border_regime: country '*' is not in "
            "countries.csv",
        ),
        (
            'type = "prison_raid"\nstart = 2018-01-01\norganisation = "Nobody"\n',
            "scenario.toml: interventions[1].organisation: prison_raid: organisation 'Nobody' is "
            "not in organisations.csv",
        ),
        (
            'type = "safe_transport"\nstart = 2018-01-01\nplaces = ["Caracas", "Atlantis"]\n',
            "scenario.toml: interventions[1].places: safe_transport: place 'Atlantis' is not in "
            "locations.csv",
        ),
    ],
)
def test_unknown_targets_fail_check_and_run_alike(tiny_copy, tmp_path, table, expected):
    add_intervention(tiny_copy, table)
    checked = cli("check", str(tiny_copy))
    runs = tmp_path / "runs"
    ran = cli("run", str(tiny_copy), "--end", "2017-02-01", "--quiet", "--out", str(runs))
    assert checked.exit_code == ran.exit_code == 2
    assert expected in checked.stderr.splitlines()
    assert expected in ran.stderr.splitlines()
    assert not runs.exists()


def test_intervention_ending_before_it_starts_is_reported_under_end(tiny_copy):
    add_intervention(
        tiny_copy,
        'type = "awareness_campaign"\nstart = 2019-01-01\nend = 2018-01-01\n'
        'countries = ["COL"]\ncoverage = 0.5\n',
    )
    result = cli("check", str(tiny_copy))
    assert result.exit_code == 2
    assert (
        "scenario.toml: interventions[1].end: Value error, end 2018-01-01 is before start "
        "2019-01-01 (awareness_campaign)" in result.stderr.splitlines()
    )


def test_imported_flee_scenario_passes_check_and_runs(tmp_path):
    folder = tmp_path / "imported"
    assert cli("import-flee", str(FLEE_TEST), "--out", str(folder)).exit_code == 0
    checked = cli("check", str(folder))
    assert checked.exit_code == 0, checked.output
    assert "flee_test: OK (flee rules" in checked.stdout
    ran = cli("run", str(folder), "--out", str(tmp_path / "runs"))
    assert ran.exit_code == 0, ran.output
