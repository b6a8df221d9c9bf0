"""Ctrl-C in an ensemble says how many runs are saved and the command that resumes it."""

from __future__ import annotations

import shlex

import pytest
from typer.testing import CliRunner

import trocha.experiments.dask_runner as dask_runner
from trocha.cli import app

runner = CliRunner()


@pytest.fixture
def ctrl_c_on_second_run(monkeypatch):
    real = dask_runner.execute_run
    calls = []

    def execute_run(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(dask_runner, "execute_run", execute_run)
    return monkeypatch


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_interrupted_ensemble_says_how_to_resume(verb, tmp_path, ctrl_c_on_second_run):
    out = str(tmp_path / "out")
    small = ["--scale", "5000", "--end", "2017-03-31", "--out", out]
    if verb == "run":
        args = ["run", "tiny", "--seeds", "1-3", *small, "--quiet"]
    else:
        args = ["compare", "tiny", str(tmp_path), "--seeds", "3", *small, "--workers", "0"]
        (tmp_path / "scenario.toml").write_text(
            '[scenario]\nbase = "tiny"\nname = "tiny-alt"\n[parameters]\npassport_share = 0.5\n'
        )
    result = runner.invoke(app, args)
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output
    total = 3 if verb == "run" else 6
    assert f"interrupted: 1 of {total} runs finished and saved." in result.output
    resume = result.output.split("resume with: ", 1)[1].strip()
    words = shlex.split(resume)
    assert words[:2] == ["trocha", verb] and out in words and "--seeds" in words
    ctrl_c_on_second_run.undo()
    again = runner.invoke(app, words[1:])  # the printed command, as given
    assert again.exit_code == 0, again.output
    assert f"Resuming: 1 of {total} runs already complete, skipped; {total - 1} to run." in (
        again.output
    )
