"""Write a run directory. The manifest says `complete` only after every file is on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .tables import Result

FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")


def _write_parquet(frame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)  # byte-identical files for identical runs
    pq.write_table(table, path, compression="zstd")


def _write_json(data: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def save_run(result: Result, out: Path | str) -> Path:
    """Write `result` to `out/<run_id>/` and return that folder."""
    folder = Path(out) / result.manifest["run_id"]
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {**result.manifest, "status": "running", "files": list(FILES)}
    _write_json(manifest, folder / "manifest.json")
    _write_parquet(result.timeseries, folder / "timeseries.parquet")
    _write_parquet(result.locations, folder / "locations.parquet")
    _write_parquet(result.events, folder / "events.parquet")
    manifest["status"] = "complete"
    _write_json(manifest, folder / "manifest.json")
    result.manifest = manifest
    return folder
