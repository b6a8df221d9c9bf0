"""An imported Flee scenario goes through the same engine and tools as any scenario: Simulation,
Result, run directory, catalog, and the `check`, `run`, `compare` and `sweep` verbs."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import DATA
from trocha import Module, Simulation
from trocha.cli import app
from trocha.experiments.outcomes import outcomes_of
from trocha.results.tables import Result
from trocha.scenario.loader import load_scenario

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """flee_test imported, and a copy whose camps people leave as readily as towns."""
    root = tmp_path_factory.mktemp("flee_engine")
    invoke("import-flee", DATA / "flee_test", "--out", root / "base")
    shutil.copytree(root / "base", root / "alt")
    toml = (root / "alt" / "scenario.toml").read_text()
    toml = toml.replace('name = "flee_test"', 'name = "flee_test_alt"')
    toml = toml.replace("camp_movechance = 0.001", "camp_movechance = 0.3")
    (root / "alt" / "scenario.toml").write_text(toml)
    return root


def test_simulation_returns_the_common_result(folders):
    scenario = load_scenario(folders / "base")
    result = Simulation(scenario, seed=3, scale=10, end="2020-01-05").run()
    assert isinstance(result, Result)
    assert result.manifest["ruleset"] == "flee" and result.manifest["end"] == "2020-01-05"
    assert set(result.manifest["timings"]["step_seconds"]) == {
        "conflicts", "spawning", "closures", "movement", "recorder",
    }  # fmt: skip
    stock = result.metric("migrant_stock")
    transit = result.metric("in_transit")
    total = result.metric("displaced_total")
    assert (stock + transit == total).all() and len(total) == 5
    by_country = result.timeseries[
        (result.timeseries.metric == "migrant_stock") & (result.timeseries.country != "ALL")
    ]
    assert by_country.groupby("date")["value"].sum().tolist() == stock.tolist()
    assert "flee_out.csv" in result.files


def test_a_module_of_your_own_records_a_metric(folders):
    from trocha.flee.modules import flee_modules

    class CampShare(Module):
        """Share of the displaced in camps, weekly."""

        name = "camp_share"
        requires = ("results",)
        metrics = ("camp_share",)

        def update_results(self, sim, day):
            if day % 7 == 0:
                rec = sim.flee.record
                sim.record("camp_share", day, rec.camp_sim[day].sum() / rec.total_agents[day])

    modules = [*flee_modules(), CampShare()]
    result = Simulation(load_scenario(folders / "base"), scale=10, modules=modules).run()
    share = result.metric("camp_share")
    assert len(share) == 2 and 0.9 < share.iloc[-1] <= 1.0  # days 0 and 7 of 10
    with pytest.raises(ValueError, match="not declared"):
        Simulation(load_scenario(folders / "base")).record("in_camps", 0, 1.0)


def test_check_run_and_catalog(folders, tmp_path):
    assert "OK (flee rules" in invoke("check", folders / "base")
    invoke("run", folders / "base", "--seed", "2", "--scale", "10", "--out", tmp_path)
    (folder,) = tmp_path.glob("flee_test_*")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert sorted(manifest["files"])[-1] == "timeseries.parquet"
    assert (folder / "flee_out.csv").is_file()
    output = invoke("query", tmp_path, "SELECT scenario, seed, scale FROM runs", "--format", "csv")
    assert output == "scenario,seed,scale\nflee_test,2,10\n"
    output = invoke(
        "query",
        tmp_path,
        "SELECT count(*) AS n FROM locations WHERE metric = 'observed'",
        "--format",
        "csv",
    )
    assert int(output.split()[-1]) == 3 * 10  # three camps, ten days


def test_compare_two_flee_scenarios(folders, tmp_path):
    base, alt = folders / "base", folders / "alt"
    invoke("compare", base, alt, "--seeds", "2", "--scale", "20", "--workers", "0",
           "--out", tmp_path, "--format", "csv")  # fmt: skip
    (table,) = tmp_path.glob("compare_*/comparison.csv")
    rows = pd.read_csv(table).set_index("outcome")
    # only outcomes a flee run has: no trafficking or organisation outcomes reported as zero
    assert "people_trafficked" not in rows.index and "org_revenue_usd" not in rows.index
    assert {"displaced_end", "in_camps_end", "migrant_stock_end"} <= set(rows.index)
    # people leave camps far more readily in the alternative, so fewer stay in them
    assert rows.loc["in_camps_end", "diff_mean"] < 0
    assert rows.loc["displaced_end", "diff_mean"] == 0  # spawning follows the same data


def test_sweep_over_seeds_and_parameters_refused(folders, tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'[sweep]\nscenario = "{folders / "base"}"\nseeds = 2\nscale = 20\n')
    invoke("sweep", spec, "--workers", "0", "--out", tmp_path / "out")
    (results,) = (tmp_path / "out").glob("sweep_*/results.parquet")
    table = pd.read_parquet(results)
    assert len(table) == 2 and (table["displaced_end"] > 0).all()
    spec.write_text(
        spec.read_text() + "[parameters.victim_identification_rate_year]\nvalues = [0.1]\n"
    )
    refused = runner.invoke(app, ["sweep", str(spec), "--workers", "0", "--out", str(tmp_path)])
    assert refused.exit_code == 2 and "no Trocha parameters" in refused.output


def test_outcomes_keep_migration_metrics():
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2020-01-01", "2020-01-02"] * 2),
            "country": "ALL",
            "metric": ["victims_new", "victims_new", "migrant_stock", "migrant_stock"],
            "value": [1.0, 2.0, 10.0, 12.0],
        }
    )
    assert outcomes_of(frame, []) == {"people_trafficked": 3.0, "migrant_stock_end": 12.0}
