"""RunSpec: normalisation, validation, a key that names the outputs; execute_run is idempotent."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from trocha import ScenarioError
from trocha.experiments.runs import RunSpec, build_simulation, execute_run, simulation_key

TINY = {"scenario": "tiny", "scale": 500, "end": "2018-06-30"}


def test_spec_is_normalised_and_hashable():
    spec = RunSpec(**TINY, overrides={"passport_share": 1}, seed=3, label="alt")
    assert spec.end == dt.date(2018, 6, 30)
    assert spec.overrides == {"passport_share": 1.0}
    same = RunSpec(
        **{**TINY, "end": dt.date(2018, 6, 30)},
        overrides={"passport_share": 1.0},
        seed=3,
        label="alt",
    )
    assert spec == same and hash(spec) == hash(same)
    assert RunSpec(**spec.to_dict()) == spec
    json.dumps(spec.to_dict())


def test_folder_scenario_is_made_absolute(tiny_copy, monkeypatch):
    monkeypatch.chdir(tiny_copy.parent.parent)
    assert RunSpec("tiny").scenario == "tiny"  # no such folder here: the shipped scenario
    spec = RunSpec(f"{tiny_copy.parent.name}/tiny")
    assert spec.scenario == str(tiny_copy.resolve())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seed", -1, "RunSpec.seed must be a non-negative integer, got -1"),
        ("scale", 0, "RunSpec.scale must be a positive integer (people per agent), got 0"),
        ("end", "2018-02-30", "RunSpec.end must be a date like 2020-12-31, got '2018-02-30'"),
        (
            "overrides",
            {"passport_share": "x"},
            "RunSpec.overrides: passport_share must be a finite number, got 'x'",
        ),
        (
            "overrides",
            {"passport_share": float("nan")},
            "RunSpec.overrides: passport_share must be a finite number, got nan",
        ),
    ],
)
def test_bad_spec_says_which_field(field, value, message):
    with pytest.raises(ValueError) as problem:
        RunSpec(**{**TINY, field: value})
    assert str(problem.value) == message


def test_key_names_the_outputs(tiny):
    spec = RunSpec(**TINY, seed=2)
    key = spec.key()
    assert key == spec.key(tiny) == simulation_key(build_simulation(spec))
    assert key == RunSpec(**TINY, seed=2, label="other").key()  # a label is not identity
    default = tiny.parameters["passport_share"]
    assert key == RunSpec(**TINY, seed=2, overrides={"passport_share": default}).key()
    others = {
        RunSpec(**TINY, seed=3).key(),
        RunSpec(**{**TINY, "scale": 400}, seed=2).key(),
        RunSpec(**{**TINY, "end": "2018-07-01"}, seed=2).key(),
        RunSpec(**TINY, seed=2, overrides={"passport_share": default / 2}).key(),
    }
    assert len(others) == 4 and key not in others
    # Defaults resolve: the scenario's own scale and dates give the scenario's key.
    assert (
        RunSpec("tiny").key()
        == RunSpec("tiny", scale=100, start="2017-01-01", end="2020-12-31").key()
    )


def test_unknown_parameter_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="passport_shar"):
        RunSpec(**TINY, overrides={"passport_shar": 0.5}).key()


def test_execute_run_writes_label_and_key_and_does_not_run_twice(tmp_path):
    spec = RunSpec(**TINY, seed=4, label="base", overrides={"passport_share": 0.5})
    folder = execute_run(spec, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert (manifest["label"], manifest["spec_key"]) == ("base", spec.key())
    assert manifest["parameter_overrides"]["passport_share"] == 0.5
    assert RunSpec(**manifest["spec"]) == spec
    stamp = (folder / "timeseries.parquet").stat().st_mtime_ns
    assert execute_run(spec, tmp_path) == folder
    assert (folder / "timeseries.parquet").stat().st_mtime_ns == stamp
    before = (folder / "timeseries.parquet").read_bytes()
    assert execute_run(spec, tmp_path, force=True) == folder
    assert (folder / "timeseries.parquet").read_bytes() == before
