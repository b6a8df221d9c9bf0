"""The `report`, `export` and `serve` commands. Heavy imports happen inside each command so that
`trocha --help` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..cli_common import console, fail


def _latest_run(folder: Path) -> Path:
    """The most recently created complete run directly under `folder`."""
    from .data import read_manifest, run_status

    found = []
    for path in folder.glob("*/manifest.json"):
        manifest = read_manifest(path.parent)
        if run_status(path.parent, manifest) == "complete":
            found.append(
                (str((manifest or {}).get("created_at", "")), path.stat().st_mtime, path.parent)
            )
    if not found:
        raise fail(f"{folder}: no complete run in this folder")
    return max(found)[2]


def _runs_inside(folder: Path) -> str:
    """A hint for a folder that is not a run but holds runs (what `--out` of `trocha run`
    names): how many, one of them, and how to pass it; empty otherwise."""
    runs = sorted(p.parent for p in folder.glob("*/manifest.json"))
    if not runs:
        return ""
    return f"; it holds {len(runs)} run(s) such as {runs[-1]}: pass one of them"


def report(
    path: Annotated[
        Path, typer.Argument(help="A run directory, a compare/sweep folder or a forecast folder")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="HTML file (default: PATH/report.html)")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="Scenario folder or name, if not the manifest's")
    ] = None,
    latest: Annotated[
        bool, typer.Option(help="PATH is a runs folder: report its most recent run")
    ] = False,
) -> None:
    """Write one self-contained HTML report (charts, map, run card); works offline."""
    from .build import write_report
    from .data import RunNotReadyError, is_experiment
    from .forecast import is_forecast

    if not path.is_dir():
        raise fail(f"{path}: no such folder")
    if latest:
        path = _latest_run(path)
    if not ((path / "manifest.json").is_file() or is_experiment(path) or is_forecast(path)):
        hint = _runs_inside(path)
        raise fail(
            f"{path}: not a run directory (no manifest.json), an experiment or a forecast folder"
            + (f"{hint}, or add --latest" if hint else "")
        )
    try:
        target = write_report(path, out_file, scenario)
    except RunNotReadyError as problem:
        raise fail(str(problem)) from None
    except OSError as problem:
        raise fail(f"cannot write the report: {problem}") from None
    console().print(f"Report: {target}", highlight=False)


def export(
    run: Annotated[Path, typer.Argument(help="A run directory")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Folder (csv) or file (xlsx); default in RUN")
    ] = None,
) -> None:
    """Export a run's tables for spreadsheets: CSV files or one Excel workbook."""
    from .data import RunNotReadyError, load_run
    from .export import write_csv, write_xlsx

    if format not in ("csv", "xlsx"):
        raise fail(f"--format must be csv or xlsx, got {format!r}")
    if not run.is_dir():
        raise fail(f"{run}: no such folder")
    if not (run / "manifest.json").is_file():
        raise fail(f"{run}: not a run directory (no manifest.json){_runs_inside(run)}")
    try:
        data = load_run(run)
    except RunNotReadyError as problem:
        raise fail(str(problem)) from None
    if format == "csv":
        target = write_csv(data, out_path or run / "export")
    else:
        target = write_xlsx(data, out_path or run / f"{data.run_id}.xlsx")
    console().print(f"Exported: {target}", highlight=False)


def serve(
    runs_dir: Annotated[Path, typer.Argument(help="Folder of runs and experiments")],
    host: Annotated[str, typer.Option(help="Address to bind (default: this machine only)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8050,
) -> None:
    """A read-only local dashboard: list runs, open one, compare two, the map by month."""
    if not runs_dir.is_dir():
        raise fail(f"{runs_dir}: no such folder")
    import uvicorn

    from ..web.app import create_app

    where = (
        "only this machine can connect"
        if host in ("127.0.0.1", "localhost", "::1")
        else ("other machines on the network can connect")
    )
    console().print(
        f"Serving {runs_dir.resolve()} read-only at http://{host}:{port}/ "
        f"(bound to {host}: {where}). Ctrl+C stops.",
        highlight=False,
        soft_wrap=True,
    )
    uvicorn.run(create_app(runs_dir), host=host, port=port, log_level="warning")
