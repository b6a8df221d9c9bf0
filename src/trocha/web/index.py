"""What a runs folder holds, found from manifests and experiment.json files; reads only.

A path from a URL is accepted only if it resolves inside the runs folder and names a run or an
experiment found there, so `..` or a symlink cannot reach other files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..report.data import read_manifest, run_status


@dataclass(frozen=True)
class Entry:
    """A run or an experiment, by its path relative to the runs folder."""

    key: str  # relative POSIX path, used in URLs
    kind: str  # run | compare | sweep | sensitivity | experiment
    scenario: str
    seed: str
    label: str
    interventions: str
    status: str
    created: str


class OutsideError(LookupError):
    """A path that leaves the runs folder."""


def scan(root: Path) -> list[Entry]:
    """Every run and experiment under `root`, sorted by path."""
    entries = []
    for manifest_path in sorted(root.rglob("manifest.json")):
        folder = manifest_path.parent
        manifest = read_manifest(folder)
        m = manifest or {}
        kinds = ",".join(
            sorted(
                {str(i.get("type")) for i in m.get("interventions") or [] if isinstance(i, dict)}
            )
        )
        entries.append(
            Entry(
                key=folder.relative_to(root).as_posix(),
                kind="run",
                scenario=str(m.get("scenario", "")),
                seed=str(m.get("seed", "")),
                label=str(m.get("label") or ""),
                interventions=kinds,
                status=run_status(folder, manifest),
                created=str(m.get("created_at", "")),
            )
        )
    for info_path in sorted(root.rglob("experiment.json")):
        folder = info_path.parent
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        info = info if isinstance(info, dict) else {}
        done = (folder / "comparison.csv").is_file() or (folder / "results.parquet").is_file()
        entries.append(
            Entry(
                key=folder.relative_to(root).as_posix(),
                kind=str(info.get("kind", "experiment")),
                scenario=str(info.get("base") or info.get("spec") or ""),
                seed="",
                label=", ".join(map(str, info.get("alternatives") or [])),
                interventions="",
                status="complete" if done else "running",
                created="",
            )
        )
    return sorted(entries, key=lambda e: (e.kind != "run", e.key))


def resolve(root: Path, key: str) -> Path:
    """The folder a URL path names, refusing anything outside `root`."""
    if "\x00" in key or key.startswith(("/", "\\")):
        raise OutsideError(key)
    target = (root / key).resolve()
    if target != root and not target.is_relative_to(root):
        raise OutsideError(key)
    return target
