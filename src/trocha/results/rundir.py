"""Write a run directory. The manifest says `complete` only after every file is on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .tables import Result

FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")


SCHEMAS = {
    "timeseries.parquet": pa.schema(
        [
            ("date", pa.date32()),
            ("country", pa.string()),
            ("metric", pa.string()),
            ("value", pa.float64()),
        ]
    ),
    "locations.parquet": pa.schema(
        [
            ("date", pa.date32()),
            ("location", pa.string()),
            ("metric", pa.string()),
            ("value", pa.float64()),
        ]
    ),
    "events.parquet": pa.schema(
        [
            ("date", pa.date32()),
            ("kind", pa.string()),
            ("location", pa.string()),
            ("country", pa.string()),
            ("detail", pa.string()),
        ]
    ),
}


def _write_parquet(frame, path: Path) -> None:
    # A fixed schema (no pandas metadata) gives byte-identical files for identical runs.
    columns = {}
    for field in SCHEMAS[path.name]:
        values = frame[field.name]
        if field.type == pa.date32():
            values = values.dt.date
        columns[field.name] = pa.array(
            values.tolist() if field.type == pa.date32() else values, type=field.type
        )
    table = pa.table(columns, schema=SCHEMAS[path.name])
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
