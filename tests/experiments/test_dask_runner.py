"""run_many on Dask: resumable, same files whatever the number of workers, retried without
duplicates; run_many_serial skips the same way."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster

from trocha.experiments.dask_runner import RunError, run_many, run_many_serial
from trocha.experiments.runs import RunSpec

FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")


def specs(n: int, **extra) -> list[RunSpec]:
    return [RunSpec("tiny", seed=s, scale=500, end="2018-06-30", **extra) for s in range(n)]


@pytest.fixture(scope="module")
def scheduler():
    """A two-worker local cluster shared by the tests of this file (starting one takes seconds)."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


def _install_fault(markers: str | None, mode: str) -> None:
    """On a worker: the first attempt of each run fails after saving (a marker file named by the
    run directory records it), by raising or, with mode "exit", by killing the worker process.
    `markers=None` removes the fault."""
    from trocha.experiments import dask_runner, runs

    if markers is None:
        dask_runner.execute_run = runs.execute_run
        return

    def failing_once(spec, out_dir):
        folder = runs.execute_run(spec, out_dir)
        try:
            with open(Path(markers) / folder.name, "x"):
                pass
        except FileExistsError:
            return folder
        if mode == "exit":
            os._exit(1)
        raise RuntimeError(f"injected fault in {folder.name}")

    dask_runner.execute_run = failing_once


@contextmanager
def faults(address: str, markers: Path, mode: str = "raise"):
    """Fault injection on every worker of the test cluster (nothing of it ships in the package)."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    with Client(address) as client:
        client.run(_install_fault, str(markers), mode)
    try:
        yield
    finally:
        with Client(address) as client:
            client.run(_install_fault, None, mode)


def stamps(folders: list[Path]) -> dict[Path, int]:
    return {f: (f / "manifest.json").stat().st_mtime_ns for f in folders if f.exists()}


def complete(folder: Path) -> bool:
    return json.loads((folder / "manifest.json").read_text())["status"] == "complete"


def test_rerun_executes_only_the_missing_run(scheduler, tmp_path):
    folders = run_many(specs(4), tmp_path, scheduler=scheduler, progress=False)
    assert len(set(folders)) == 4 and all(complete(f) for f in folders)
    before = stamps(folders)
    shutil.rmtree(folders[2])
    again = run_many(specs(4), tmp_path, scheduler=scheduler, progress=False)
    assert again == folders
    after = stamps(folders)
    executed = [f for f in folders if before.get(f) != after[f] or f not in before]
    assert executed == [folders[2]]
    assert [f for f in folders if f not in before or f == folders[2]] == [folders[2]]
    # Nothing left to do: no task is submitted, so not even a scheduler is needed.
    assert run_many(specs(4), tmp_path, scheduler="tcp://127.0.0.1:9", progress=False) == folders


def test_serial_reruns_an_unfinished_run_and_skips_the_rest(tmp_path):
    folders = run_many_serial(specs(2), tmp_path, progress=False)
    manifest = folders[0] / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "status": "running"}))  # as if killed while writing
    (folders[0] / "events.parquet").write_bytes(b"truncated")
    before = stamps(folders)
    assert run_many_serial(specs(2), tmp_path, progress=False) == folders
    after = stamps(folders)
    assert before[folders[0]] != after[folders[0]] and before[folders[1]] == after[folders[1]]
    assert complete(folders[0])


def test_same_files_with_one_and_two_workers(scheduler, tmp_path):
    one = run_many(specs(3), tmp_path / "one", workers=1, progress=False)
    two = run_many(specs(3), tmp_path / "two", scheduler=scheduler, progress=False)
    serial = run_many_serial(specs(3), tmp_path / "serial", progress=False)
    assert [f.name for f in one] == [f.name for f in two] == [f.name for f in serial]
    for a, b, c in zip(one, two, serial, strict=True):
        for name in FILES:
            assert (a / name).read_bytes() == (b / name).read_bytes() == (c / name).read_bytes()


def test_duplicate_specs_run_once(tmp_path):
    base, alt = specs(1, label="base")[0], specs(1, label="alt")[0]
    folders = run_many_serial([base, alt, base], tmp_path, progress=False)
    assert folders[0] == folders[1] == folders[2]
    assert len(list(tmp_path.iterdir())) == 1


def test_failing_attempt_is_retried_and_runs_once(scheduler, tmp_path):
    markers = tmp_path / "faults"
    markers.mkdir()
    with faults(scheduler, markers):
        (folder,) = run_many(specs(1), tmp_path / "out", scheduler=scheduler, progress=False)
    (marker,) = markers.iterdir()  # the first attempt failed (after saving) ...
    assert marker.name == folder.name and complete(folder)
    # ... and the retry found the run complete instead of running it again.
    assert (folder / "timeseries.parquet").stat().st_mtime_ns <= marker.stat().st_mtime_ns
    assert [p.name for p in (tmp_path / "out").iterdir()] == [folder.name]


def test_failed_runs_are_listed_and_the_others_saved(scheduler, tmp_path):
    # Fails only once built on a worker: the intervention names a country the scenario lacks.
    surge = {"type": "policing_surge", "countries": ["ATL"], "multiplier": 2, "start": "2017-01-01"}
    bad = RunSpec("tiny", seed=1, scale=500, end="2018-01-01", label="odd", interventions=(surge,))
    with pytest.raises(RunError) as failed:
        run_many([*specs(1), bad], tmp_path, scheduler=scheduler, progress=False)
    message = str(failed.value)
    assert message.startswith("1 of 2 runs failed (the others are saved; rerun to resume them):")
    assert "tiny seed 1 [odd]: intervention policing_surge: " in message
    assert "countries ['ATL'] are not in the scenario" in message
    (folder,) = tmp_path.iterdir()
    assert complete(folder)


def test_dates_outside_the_data_are_refused_before_any_run(tmp_path):
    bad = RunSpec("tiny", seed=1, scale=500, end="2031-01-01", label="late")
    message = "tiny seed 1 \\[late\\]: 2031-01-01 is outside the years of tiny's push_factors.csv"
    with pytest.raises(ValueError, match=message):
        run_many([*specs(1), bad], tmp_path, scheduler="tcp://127.0.0.1:9", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_clear(tmp_path):
    with pytest.raises(ValueError, match="workers must be a positive integer, got 0"):
        run_many(specs(1), tmp_path, workers=0)
    with pytest.raises(TypeError, match=r"specs\[1\] is a dict, not a RunSpec"):
        run_many_serial([specs(1)[0], {"scenario": "tiny"}], tmp_path)
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(RunError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"),
    ):
        run_many(specs(1), tmp_path, scheduler="tcp://127.0.0.1:9", progress=False)


@pytest.mark.slow
def test_dead_worker_is_retried(scheduler, tmp_path):
    markers = tmp_path / "faults"
    markers.mkdir()
    with faults(scheduler, markers, mode="exit"):
        folders = run_many(specs(2), tmp_path / "out", scheduler=scheduler, progress=False)
    assert sorted(m.name for m in markers.iterdir()) == sorted(f.name for f in folders)
    assert all(complete(f) for f in folders)
    assert len(list((tmp_path / "out").iterdir())) == 2
