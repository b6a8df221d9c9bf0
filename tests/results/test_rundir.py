"""The run directory contract (DESIGN.md section 3): files, columns, types, metric names, status."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from trocha.modules.plan import default_modules
from trocha.results.rundir import save_run
from trocha.results.tables import METRICS

# Metrics the default modules record themselves (`Module.metrics`, e.g. members by role).
MODULE_METRICS = {m for module in default_modules() for m in module.metrics}

SCHEMAS = {
    "timeseries.parquet": {
        "date": "date32[day]",
        "country": "string",
        "metric": "string",
        "value": "double",
    },
    "locations.parquet": {
        "date": "date32[day]",
        "location": "string",
        "metric": "string",
        "value": "double",
    },
    "events.parquet": {
        "date": "date32[day]",
        "kind": "string",
        "location": "string",
        "country": "string",
        "detail": "string",
    },
}
REQUIRED_METRICS = {
    "migrant_stock",
    "arrivals",
    "departures",
    "in_transit",
    "irregular_crossings",
    "official_crossings",
}


@pytest.fixture(scope="module")
def run_dir(tiny_result, tmp_path_factory):
    return save_run(tiny_result, tmp_path_factory.mktemp("runs"))


def test_files_and_schemas(run_dir):
    for name, schema in SCHEMAS.items():
        table = pq.read_table(run_dir / name)
        assert {f.name: str(f.type) for f in table.schema} == schema, name


def test_manifest_is_complete_and_describes_the_run(run_dir, tiny):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["scenario"] == "tiny"
    assert manifest["scenario_hash"] == tiny.content_hash
    assert (manifest["seed"], manifest["scale"]) == (3, 100)
    assert (manifest["start"], manifest["end"]) == ("2017-01-01", "2020-12-31")
    assert set(manifest["timings"]["step_seconds"]) == {
        "interventions",
        "borders",
        "host_policies",
        "market",
        "organisation",
        "enforcement",
        "exploitation",
        "destinations",
        "exodus",
        "journeys",
        "recorder",
    }
    assert run_dir.name == manifest["run_id"]


def test_metric_names_are_documented_snake_case(run_dir):
    metrics = set(
        pq.read_table(run_dir / "timeseries.parquet").column("metric").unique().to_pylist()
    )
    assert metrics >= REQUIRED_METRICS
    assert metrics == set(METRICS) | MODULE_METRICS
    assert all(m == m.lower() and " " not in m for m in metrics)


def test_values_are_people_not_agents(tiny, tiny_result):
    # scale 100: every count of people is a whole number of agents times 100.
    ts = tiny_result.timeseries
    people = [m for m, (unit, _) in METRICS.items() if unit in ("people", "people/day")]
    values = ts[ts["metric"].isin(people)]["value"].to_numpy()
    assert len(values) > 0
    assert ((values % 100) == 0).all()


def test_failed_write_leaves_nothing_under_the_run_id(tiny_result, tmp_path, monkeypatch):
    import trocha.results.rundir as rundir

    def broken(frame, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rundir, "_write_parquet", broken)
    with pytest.raises(OSError):
        save_run(tiny_result, tmp_path)
    assert list(tmp_path.iterdir()) == []  # no final folder, and the hidden one is removed


def test_killed_run_leaves_only_a_hidden_folder_shown_as_interrupted(tiny_result, tmp_path):
    import socket
    import subprocess
    import sys

    from trocha.results.catalog import query

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = save_run(tiny_result, tmp_path / "done")
    # What a run killed mid-write leaves: a hidden folder whose manifest says running.
    hidden = tmp_path / "killed" / f".{folder.name}.writing-{dead.pid}-0000"
    hidden.mkdir(parents=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(status="running", pid=dead.pid, host=socket.gethostname())
    (hidden / "manifest.json").write_text(json.dumps(manifest))
    elsewhere = tmp_path / "killed" / "other_host"
    elsewhere.mkdir()
    manifest.update(host="another-machine", run_id="other_host")
    (elsewhere / "manifest.json").write_text(json.dumps(manifest))
    runs = query(tmp_path / "killed", "SELECT run_id, status FROM runs ORDER BY run_id")
    assert dict(zip(runs.run_id, runs.status, strict=True)) == {
        folder.name: "interrupted",  # its process is gone
        "other_host": "running",  # cannot be checked from here
    }
    assert not (tmp_path / "killed" / folder.name).exists()
    # Running it again completes it and clears what the killed attempt left.
    save_run(tiny_result, tmp_path / "killed")
    names = sorted(p.name for p in (tmp_path / "killed").iterdir())
    assert names == sorted([folder.name, "other_host", "catalog.duckdb"])


def test_rerun_replaces_the_folder_with_identical_files(tiny_result, tmp_path):
    first = save_run(tiny_result, tmp_path)
    before = {f.name: f.read_bytes() for f in first.glob("*.parquet")}
    second = save_run(tiny_result, tmp_path)
    assert second == first and [p.name for p in tmp_path.iterdir()] == [first.name]
    assert {f.name: f.read_bytes() for f in second.glob("*.parquet")} == before
    assert json.loads((second / "manifest.json").read_text())["status"] == "complete"


def test_readme_documents_every_metric():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for metric, (unit, _) in METRICS.items():
        assert f"| `{metric}` | {unit} |" in readme, metric
    for metric in MODULE_METRICS:
        assert f"| `{metric}` |" in readme, metric
