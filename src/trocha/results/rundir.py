"""Write a run directory atomically; its manifest says `complete` once every file is written."""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .result import Result

FILES = ("timeseries.parquet", "locations.parquet", "events.parquet")
# Hidden folder names: `.<run_id>.writing-<pid>-<hex>` while written, `.<run_id>.replaced-<hex>`
# for the older copy a rerun removes.
WRITING = ".writing-"
REPLACED = ".replaced-"


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
    "links.parquet": pa.schema(
        [
            ("date", pa.date32()),
            ("from", pa.string()),
            ("to", pa.string()),
            ("crossing", pa.string()),
            ("mode", pa.string()),
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
    """Write a DataFrame, or columns of NumPy arrays (dates as datetime64), with the fixed schema.

    A fixed schema (no pandas metadata) gives byte-identical files for identical runs."""
    columns = {}
    for field in SCHEMAS[path.name]:
        values = frame[field.name]
        if isinstance(values, np.ndarray):
            columns[field.name] = _from_numpy(values, field.type)
            continue
        if field.type == pa.date32() and values.dtype.kind == "M" and not values.isna().any():
            # days from the datetime64 buffer: the same date32 values as going through
            # Python date objects (`.dt.date.tolist()`), without a million of them
            columns[field.name] = _from_numpy(values.to_numpy(), field.type)
            continue
        if field.type == pa.date32():
            values = values.dt.date
        columns[field.name] = pa.array(
            values.tolist() if field.type == pa.date32() else values, type=field.type
        )
    table = pa.table(columns, schema=SCHEMAS[path.name])
    pq.write_table(table, path, compression="zstd")


def _from_numpy(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    """An Arrow array straight from NumPy's buffers (`pa.array` would import pandas)."""
    n = len(values)
    if kind == pa.string():
        encoded = [str(v).encode() for v in values]
        offsets = np.zeros(n + 1, np.int32)
        offsets[1:] = np.cumsum([len(b) for b in encoded])
        data = pa.py_buffer(b"".join(encoded))
        return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), data])
    if kind == pa.date32():
        days = values.astype("datetime64[D]").astype(np.int64).astype(np.int32)
        return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(days)])
    numbers = np.ascontiguousarray(values, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), n, [None, pa.py_buffer(numbers)])


def _write_json(data: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def save_run(result: Result, out: Path | str, extra_files: dict[str, str] | None = None) -> Path:
    """Write `result` to `out/<run_id>/` and return that folder.

    The files are written into a hidden folder beside it, which is renamed into place once the
    manifest says `complete`: a run killed while writing never leaves a half-written folder under
    its final name (the hidden one says `running` with this pid and host, so it shows as
    `interrupted` once this process is gone). `extra_files` (name -> text) are written with it,
    after the result's own `files`.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = result.manifest["run_id"]
    work = out / f".{name}{WRITING}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    extras = {**result.files, **(extra_files or {})}
    tables = [*FILES, *(["links.parquet"] if result.has_table("links") else [])]
    manifest = {
        **result.manifest,
        "status": "running",
        "files": [*tables, *extras],
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }
    try:
        _write_json(manifest, work / "manifest.json")
        for file in tables:
            _write_parquet(result.table(file.removesuffix(".parquet")), work / file)
        for file, text in extras.items():
            (work / file).write_text(text, encoding="utf-8")
        manifest["status"] = "complete"
        _write_json(manifest, work / "manifest.json")
        folder = _install(work, out / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.manifest = manifest
    _remove_interrupted(out, name)
    return folder


def _remove_interrupted(out: Path, name: str) -> None:
    """Remove what killed earlier attempts at this run left behind, now that it is complete."""
    for leftover in out.glob(f".{name}{WRITING}*"):
        try:
            manifest = json.loads((leftover / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and run_status(manifest) == "interrupted":
            shutil.rmtree(leftover, ignore_errors=True)


def _install(work: Path, final: Path) -> Path:
    """Rename the finished `work` folder to `final`, replacing an older copy of the same run."""
    for _ in range(5):
        try:
            os.rename(work, final)
            return final
        except OSError:
            if not final.exists():
                raise
        old = final.with_name(f".{final.name}{REPLACED}{uuid.uuid4().hex[:8]}")
        try:
            os.rename(final, old)
        except FileNotFoundError:
            continue  # another process replaced it meanwhile: try again
        shutil.rmtree(old, ignore_errors=True)
    # Others keep installing the same run (same run_id, same files): theirs will do.
    shutil.rmtree(work, ignore_errors=True)
    return final


def run_status(manifest: dict) -> str | None:
    """The manifest's status, or `interrupted` for a run left `running` by a process that is gone.

    A process on another host cannot be checked from here: its run stays `running`.
    """
    status = manifest.get("status")
    if status != "running":
        return status
    pid, host = manifest.get("pid"), manifest.get("host")
    if not isinstance(pid, int) or isinstance(pid, bool) or host != socket.gethostname():
        return status
    return "interrupted" if not _alive(pid) else status


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # exists, but not ours to signal
    return True


def is_transient(folder: Path) -> bool:
    """Whether `folder` is an older copy being removed while a rerun replaces it."""
    return folder.name.startswith(".") and REPLACED in folder.name
