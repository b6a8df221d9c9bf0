"""compare, sweep and sensitivity on the tiny scenario: tables, common random numbers, resumability."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trocha.experiments.compare import COLUMNS, compare, difference_interval
from trocha.experiments.specs import load_spec
from trocha.experiments.sweep import sensitivity, sweep
from trocha.scenario.problems import ScenarioError

pytestmark = pytest.mark.slow


@pytest.fixture
def alt_scenario(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny-identify"
    folder.mkdir()
    (folder / "scenario.toml").write_text(
        '[scenario]\nbase = "tiny"\nname = "tiny-identify"\n\n'
        '[[interventions]]\ntype = "victim_identification"\ncountries = "*"\n'
        'multiplier = 5\nstart = "2019-01-01"\n'
    )
    return folder


def test_difference_interval_known_answers():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    mean, low, high = difference_interval(base, base + 2.0, paired=True)
    assert (mean, low, high) == (2.0, 2.0, 2.0)
    mean, low, high = difference_interval(base, base + 2.0, paired=False)
    assert mean == 2.0 and low < 0 < 4 < high  # independent samples: a wide interval


def test_compare_crn_interval_is_narrower_than_independent(tmp_path, alt_scenario):
    kwargs = dict(seeds=6, out_dir=tmp_path, scale=500, end="2020-06-30", workers=2, progress=False)
    paired = compare("tiny", [str(alt_scenario)], crn=True, **kwargs)
    independent = compare("tiny", [str(alt_scenario)], crn=False, **kwargs)
    table = pd.read_csv(paired.folder / "comparison.csv")
    assert list(table.columns) == COLUMNS
    rows = table.set_index("outcome")
    assert rows.loc["victims_identified", "diff_mean"] > 0
    assert rows.loc["exploited_person_years", "diff_ci_high"] < 0  # fewer, significantly

    def width(t, o):
        return (
            t.set_index("outcome").loc[o, "diff_ci_high"]
            - t.set_index("outcome").loc[o, "diff_ci_low"]
        )

    for outcome in ("migrant_stock_end", "money_taken_from_migrants_usd"):
        assert width(paired.table, outcome) < 0.5 * width(independent.table, outcome)
    assert (paired.table["seeds"] == 6).all()
    # Before the intervention (2019-01-01) each paired alternative is its baseline, to the byte;
    # after it they differ.
    runs = json.loads((paired.folder / "experiment.json").read_text())["runs"]
    base_runs, alt_runs = runs[:6], runs[6:]
    for base_run, alt_run in zip(base_runs, alt_runs, strict=True):
        b = pd.read_parquet(paired.folder / base_run / "timeseries.parquet")
        a = pd.read_parquet(paired.folder / alt_run / "timeseries.parquet")
        before = pd.Timestamp("2019-01-01")
        pd.testing.assert_frame_equal(
            b[pd.to_datetime(b["date"]) < before].reset_index(drop=True),
            a[pd.to_datetime(a["date"]) < before].reset_index(drop=True),
        )
        after = pd.to_datetime(b["date"]) >= before
        assert not b[after].reset_index(drop=True).equals(a[after].reset_index(drop=True))


def test_sweep_grid_and_resume(tmp_path):
    # Scale 250: at 1000 the campaign's effect on the few victims came down to one agent.
    spec = tmp_path / "sweep.toml"
    spec.write_text(
        '[sweep]\nscenario = "tiny"\nseeds = 2\nscale = 250\nend = "2018-12-31"\n'
        "[parameters.victim_identification_rate_year]\nvalues = [0.1, 0.5]\n"
        '[[variants]]\nname = "none"\n'
        '[[variants]]\nname = "aware"\ninterventions = [{ type = "awareness_campaign", '
        'countries = "VEN", coverage = 1.0, start = "2017-06-01" }]\n'
    )
    first = sweep(spec, tmp_path / "out", workers=2, progress=False)
    results = pd.read_parquet(first.folder / "results.parquet")
    assert len(results) == 2 * 2 * 2
    assert set(results["variant"]) == {"none", "aware"}
    assert results["run_id"].nunique() == 8
    aware = results[results["variant"] == "aware"]["people_trafficked"].mean()
    none = results[results["variant"] == "none"]["people_trafficked"].mean()
    assert aware < none
    again = sweep(spec, tmp_path / "out", workers=1, progress=False)
    pd.testing.assert_frame_equal(results, pd.read_parquet(again.folder / "results.parquet"))


def test_sensitivity_morris_ranks_the_lever_that_matters(tmp_path):
    spec = tmp_path / "sens.toml"
    spec.write_text(
        '[sensitivity]\nscenario = "tiny"\nmethod = "morris"\ntrajectories = 4\nscale = 1000\n'
        'end = "2019-12-31"\noutcomes = ["people_trafficked"]\n'
        "[parameters.recruit_bondage_probability]\nlow = 0.0\nhigh = 0.03\n"
        "[parameters.walk_speed_km_day]\nlow = 29\nhigh = 31\n"
    )
    result = sensitivity(spec, tmp_path / "out", workers=2, progress=False)
    indices = pd.read_csv(result.folder / "indices.csv").set_index("parameter")
    assert len(result.results) == 4 * 3
    assert (
        indices.loc["recruit_bondage_probability", "mu_star"]
        > 5 * indices.loc["walk_speed_km_day", "mu_star"]
    )


def test_bad_specs_are_reported(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        '[sweep]\nscenario = "tiny"\nseeds = 0\ncolour = "red"\n'
        "[parameters.no_such_parameter]\nvalues = [1]\n"
        "[parameters.victim_identification_rate_year]\nlow = 2\nhigh = 1\n"
        '[[variants]]\nname = "x"\ninterventions = [{ type = "teleport", start = "2018-01-01" }]\n'
    )
    with pytest.raises(ScenarioError) as caught:
        load_spec(spec, "sweep")
    messages = "\n".join(str(p) for p in caught.value.problems)
    assert "bad.toml: sweep.seeds: Input should be greater than or equal to 1" in messages
    assert "bad.toml: sweep.colour: Extra inputs are not permitted" in messages
    assert "parameters.no_such_parameter: unknown parameter" in messages
    assert (
        "parameters.victim_identification_rate_year: Value error, high (1.0) must be above low"
        in messages
    )
    assert "variants[1].interventions[1].type: unknown type 'teleport'" in messages


@pytest.mark.parametrize("name", ["sweep.toml", "sensitivity.toml"])
def test_shipped_example_specs_are_valid(name):
    root = Path(__file__).resolve().parents[2]
    section = name.split(".")[0]
    _settings, ranges, variants = load_spec(root / "examples" / name, section)
    assert ranges and variants
