"""Error messages that quote user input print it as text: a path holding Rich markup such as
"[/]" (a closing tag with nothing to close) used to end `report`, `forecast` and `import-flee`
with a MarkupError traceback instead of the one-line reason and exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from trocha.cli import app

runner = CliRunner()


@pytest.fixture
def odd_folder(tmp_path):
    folder = tmp_path / "a[/]b[bold]"
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ("report", "{folder}"),
        ("forecast", "tiny", "--calibration", "{folder}", "--draws", "1", "--seeds", "1"),
        ("import-flee", "{folder}", "--out", "{folder}/out"),
    ],
    ids=["report", "forecast", "import-flee"],
)
def test_a_path_with_markup_is_quoted_not_parsed(odd_folder, args):
    result = runner.invoke(app, [a.format(folder=odd_folder) for a in args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{odd_folder}" in result.output
    assert "Traceback" not in result.output and "MarkupError" not in result.output


def test_a_path_with_brackets_is_printed_as_given(tmp_path):
    """Rich took `[x]` in `--out runs[x]` for a tag and printed the run directory as `runs/...`,
    a folder that does not exist."""
    out = tmp_path / "runs[x]"
    result = runner.invoke(
        app, ["run", "tiny", "--end", "2017-03-01", "--scale", "500", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    (run,) = out.iterdir()
    assert str(run) in result.output.replace("\n", "")
