"""`trocha query OUTDIR SQL`: a table on success, exit code 2 and one line on bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from trocha.cli_experiments import app
from trocha.experiments.runs import RunSpec, execute_run

runner = CliRunner()


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    execute_run(RunSpec("tiny", seed=2, scale=500, end="2018-03-31", label="base"), out)
    return out


def test_query_prints_a_table(out_dir):
    result = runner.invoke(app, ["query", str(out_dir), "SELECT label, seed, end_date FROM runs"])
    assert result.exit_code == 0, result.output
    assert (
        "base" in result.output and "2018-03-31" in result.output and "\n1 row\n" in result.output
    )


def test_query_as_csv(out_dir):
    sql = "SELECT metric, max(value) AS v FROM timeseries WHERE metric = 'org_countries' GROUP BY metric"
    result = runner.invoke(app, ["query", str(out_dir), sql, "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("metric,v\norg_countries,")


def test_long_results_are_cut(out_dir):
    result = runner.invoke(
        app, ["query", str(out_dir), "SELECT * FROM timeseries", "--max-rows", "2"]
    )
    assert result.exit_code == 0
    assert ", 2 shown (--max-rows N, or --format csv for all)" in result.output


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELEC 1", 'error: Parser Error: syntax error at or near "SELEC"'),
        ("SELECT * FROM nowhere", "error: Catalog Error: Table with name nowhere does not exist!"),
        ("DROP TABLE runs", "error: Invalid Input Error: Cannot execute statement of type"),
    ],
)
def test_bad_sql_exits_2_with_one_line(out_dir, sql, reason):
    result = runner.invoke(app, ["query", str(out_dir), sql])
    assert result.exit_code == 2
    assert result.output.startswith(reason), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["query", str(tmp_path / "nope"), "SELECT 1"])
    assert result.exit_code == 2
    assert "nope: no such folder; give the folder that holds run directories" in result.output
    assert "Traceback" not in result.output
