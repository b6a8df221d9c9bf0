"""Read run and experiment directories without writing anything into them.

A run is read only when its manifest says `complete` and every file it lists is on disk, so a run
being written is reported as such instead of being half-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

RUN_FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")


class RunNotReadyError(ValueError):
    """The folder is not a complete run (missing, still being written, or broken)."""


@dataclass
class RunData:
    """One complete run as pandas tables, plus where it lives."""

    folder: Path
    manifest: dict
    timeseries: pd.DataFrame
    locations: pd.DataFrame
    events: pd.DataFrame
    links: pd.DataFrame | None = None  # people per link and week (links.parquet), if recorded

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id") or self.folder.name)


@dataclass
class Experiment:
    """A `compare`, `sweep` or `sensitivity` folder (experiment.json beside runs/)."""

    folder: Path
    info: dict
    comparison: pd.DataFrame | None = None  # compare: comparison.csv
    results: pd.DataFrame | None = None  # sweep/sensitivity: results.parquet
    indices: pd.DataFrame | None = None  # sensitivity: indices.csv (Morris or Sobol)
    run_folders: list[Path] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return str(self.info.get("kind", "experiment"))


def read_manifest(folder: Path) -> dict | None:
    """The manifest of `folder`, or None if there is none or it is unreadable."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_status(folder: Path, manifest: dict | None) -> str:
    """`complete` only if the manifest says so and its files are all present."""
    if manifest is None:
        return "unreadable"
    status = str(manifest.get("status", "unknown"))
    if status == "complete":
        files = manifest.get("files", RUN_FILES)
        if not all((folder / name).is_file() for name in files):
            return "incomplete"
    return status


def load_run(folder: Path | str) -> RunData:
    """Read a complete run directory; raise RunNotReadyError otherwise."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    status = run_status(folder, manifest)
    if status != "complete":
        raise RunNotReadyError(f"{folder}: not a complete run (status: {status})")
    names = [*RUN_FILES, *(["links.parquet"] if (folder / "links.parquet").is_file() else [])]
    tables = {name: pd.read_parquet(folder / name) for name in names}
    for frame in tables.values():
        frame["date"] = pd.to_datetime(frame["date"])
    return RunData(
        folder=folder,
        manifest=manifest,
        timeseries=tables["timeseries.parquet"],
        locations=tables["locations.parquet"],
        events=tables["events.parquet"],
        links=tables.get("links.parquet"),
    )


def is_experiment(folder: Path) -> bool:
    return (folder / "experiment.json").is_file()


def load_experiment(folder: Path | str) -> Experiment:
    """Read an experiment folder's summary tables (not its runs)."""
    folder = Path(folder)
    try:
        info = json.loads((folder / "experiment.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise RunNotReadyError(f"{folder}: unreadable experiment.json ({problem})") from None
    experiment = Experiment(folder=folder, info=info if isinstance(info, dict) else {})
    if (folder / "comparison.csv").is_file():
        experiment.comparison = pd.read_csv(folder / "comparison.csv")
    if (folder / "results.parquet").is_file():
        experiment.results = pd.read_parquet(folder / "results.parquet")
    if (folder / "indices.csv").is_file():
        experiment.indices = pd.read_csv(folder / "indices.csv")
    runs = info.get("runs") if isinstance(info, dict) else None
    if isinstance(runs, list):
        experiment.run_folders = [folder / str(r) for r in runs]
    else:
        experiment.run_folders = sorted(p.parent for p in (folder / "runs").glob("*/manifest.json"))
    return experiment
