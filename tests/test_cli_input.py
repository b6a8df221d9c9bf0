"""Bad input is refused before anything is simulated: exit code 2 and one line, never a traceback."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import trocha
from trocha.bounds import MAX_SEED
from trocha.cli import app
from trocha.experiments.runs import RunSpec

runner = CliRunner()
SMALL = ["--scale", "5000", "--end", "2017-03-31"]


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if anything is simulated or any Dask worker started."""
    import trocha.experiments.dask_runner as dask_runner

    def forbidden(*args, **kwargs):
        raise AssertionError("simulated or started workers before checking the input")

    monkeypatch.setattr(trocha.Simulation, "run", forbidden)
    monkeypatch.setattr(dask_runner, "_client", forbidden)
    monkeypatch.setattr(dask_runner, "execute_run", forbidden)


def refused(args: list[str], reason: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert reason in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    return result.output


@pytest.mark.parametrize("seed", [str(2**63), str(2**64), str(2**64 + 1), "-1"])
def test_seed_outside_0_to_2_63_is_refused(seed, tmp_path, no_simulation):
    refused(["run", "tiny", "--seed", seed, "--out", str(tmp_path)], "--seed must be from 0 to")
    refused(["run", "tiny", "--seeds", f"1,{seed}", "--out", str(tmp_path)], "--seeds")
    assert not any(tmp_path.iterdir())


def test_seed_domain_in_python(tiny):
    with pytest.raises(ValueError, match=r"seed must be from 0 to 9223372036854775807"):
        trocha.Simulation(tiny, seed=2**64)
    with pytest.raises(ValueError, match=r"RunSpec.seed must be from 0"):
        RunSpec("tiny", seed=2**63)
    assert trocha.Simulation(tiny, seed=MAX_SEED, scale=5000).seed == MAX_SEED


def test_largest_seed_runs_and_is_queried(tmp_path):
    out = tmp_path / "q"
    result = runner.invoke(
        app, ["run", "tiny", "--seed", str(MAX_SEED), *SMALL, "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["query", str(out), "SELECT seed FROM runs", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"seed": MAX_SEED}]


def test_catalog_skips_a_run_it_cannot_store_and_says_so(tmp_path):
    out = tmp_path / "q"
    runner.invoke(app, ["run", "tiny", *SMALL, "--out", str(out), "--quiet"])
    (good,) = out.iterdir()
    # A run directory written before seeds were bounded: its seed does not fit the catalog.
    old = out / "old_run"
    old.mkdir()
    manifest = json.loads((good / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({**manifest, "seed": 2**63, "run_id": "old"}))
    result = runner.invoke(app, ["query", str(out), "SELECT run_id FROM runs", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert f"{good.name}\n" in result.output and "\nold\n" not in result.output
    assert "warning:" in result.output and "old_run/manifest.json: seed 9223372036854775808" in (
        result.output
    )
    result = runner.invoke(app, ["query", str(out), "SELECT * FROM skipped", "--format", "json"])
    (skipped,) = json.loads(result.output.split("\n", 2)[-1])  # after the two warning lines
    assert skipped["folder"] == str(old.resolve()) and "64-bit range" in skipped["reason"]


@pytest.mark.parametrize("scale", [str(10**30), str(10**12), "0"])
def test_scale_that_leaves_no_agents_is_refused(scale, tmp_path, no_simulation):
    reason = "scale must be a positive integer" if scale == "0" else "leaves fewer agents than"
    refused(["run", "tiny", "--scale", scale, "--out", str(tmp_path)], reason)


def test_ensembles_check_dates_and_scale_before_any_worker(tmp_path, no_simulation):
    args = ["--seeds", "2", "--workers", "1", "--out", str(tmp_path)]
    refused(["compare", "tiny", "tiny", *args, "--end", "2040-12-31"], "2040-12-31 is outside")
    refused(["compare", "tiny", "tiny", *args, "--scale", str(10**12)], "leaves fewer agents")
    spec = tmp_path / "sweep.toml"
    spec.write_text('[sweep]\nscenario = "tiny"\nend = "2040-12-31"\n')
    refused(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path)], "is outside")
    refused(["run", "tiny", "--seeds", "1-2", "--end", "2040-12-31"], "is outside")


def test_unreachable_scheduler_is_reported_at_once(tmp_path, no_simulation):
    args = ["--seeds", "2", *SMALL, "--out", str(tmp_path)]
    refused(
        ["compare", "tiny", "tiny", *args, "--scheduler", "tcp://127.0.0.1:1"],
        "cannot reach the Dask scheduler at tcp://127.0.0.1:1",
    )
    refused(
        ["compare", "tiny", "tiny", *args, "--scheduler", "127.0.0.1:1"],
        "scheduler address must look like tcp://HOST:PORT",
    )


def test_output_that_is_a_file_is_refused_before_simulating(tmp_path, no_simulation):
    file = tmp_path / "afile"
    file.write_text("not a folder")
    refused(["run", "tiny", *SMALL, "--out", str(file)], "afile is a file")
    refused(["run", "tiny", *SMALL, "--out", str(file / "sub")], "is a file, so the folder")
    refused(
        ["compare", "tiny", "tiny", "--seeds", "2", *SMALL, "--out", str(file)],
        "is a file, so the folder cannot be created",
    )


def test_unwritable_output_is_refused_before_simulating(tmp_path, monkeypatch, no_simulation):
    import trocha.results.outdir as outdir

    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = outdir.os.access

    def access(path, mode):
        # Tests may run as root, which permission bits do not stop: deny writes as the OS would.
        if str(path) == str(locked) and mode & outdir.os.W_OK:
            return False
        return real_access(path, mode)

    monkeypatch.setattr(outdir.os, "access", access)
    refused(["run", "tiny", *SMALL, "--out", str(locked / "runs")], "cannot write in")
    refused(["sweep", "examples/sweep.toml", "--out", str(locked)], "cannot write in")
    assert list(locked.iterdir()) == []


def test_writable_tries_a_real_write(tmp_path, monkeypatch):
    import trocha.results.outdir as outdir

    assert outdir.writable(tmp_path)

    def read_only_file_system(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(outdir.tempfile, "NamedTemporaryFile", read_only_file_system)
    assert not outdir.writable(tmp_path)  # os.access alone says yes


def test_unknown_parameter_in_set_lists_close_matches(tmp_path, no_simulation):
    out = refused(
        ["run", "tiny", "--set", "exodus_rate=3", "--out", str(tmp_path)],
        "unknown parameter 'exodus_rate'; close matches: exodus_base_rate",
    )
    assert "exodus_pool_share" in out
    refused(["run", "tiny", "--set", "exodus_base_rate", "--out", str(tmp_path)], "name=value")
    refused(["run", "tiny", "--set", "exodus_base_rate=x", "--out", str(tmp_path)], "finite")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["run", "tiny", "--scale", "10^30"], "error: Invalid value for '--scale'"),
        (["run", "tiny", "--seed", "abc"], "error: Invalid value for '--seed'"),
        (["sweep"], "error: Missing argument 'spec'."),
    ],
)
def test_option_values_that_do_not_parse_are_one_line(args, reason):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "trocha", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.startswith(reason) and len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_seed_and_seeds_together_are_refused(tmp_path, no_simulation):
    refused(["run", "tiny", "--seed", "4", "--seeds", "1-3", "--out", str(tmp_path)], "not both")
    refused(["run", "tiny", "--seeds", "3-1", "--out", str(tmp_path)], "runs backwards")
    refused(["run", "tiny", "--workers", "2", "--out", str(tmp_path)], "give --seeds too")
