"""The catalog of runs: an embedded DuckDB file, `catalog.duckdb`, in an output folder.

Table `runs` has one row per run directory found under the folder (from its manifest.json, any
status; `interrupted` for a run whose writing process is gone). Table `skipped` lists the run
directories that could not be read (folder, reason). Views `timeseries`, `locations`, `links` and
`events` read the Parquet files of the complete runs in place, with a `run_id` column first, so
one SQL query spans a whole ensemble:

    SELECT run_id, max(value) FROM timeseries WHERE metric = 'migrant_stock' GROUP BY run_id

The catalog is rebuilt from the manifests (cheap: no Parquet is read), in a temporary file that
then replaces the old one, so a reader never sees a half-built catalog. A folder that cannot be
written (a read-only archive) gets its catalog in memory instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .outdir import writable
from .rundir import FILES, SCHEMAS, is_transient, run_status

CATALOG = "catalog.duckdb"

# Column, DuckDB type, and how to read it from a manifest.
RUN_COLUMNS: list[tuple[str, str]] = [
    ("run_id", "VARCHAR"),
    ("scenario", "VARCHAR"),
    ("scenario_hash", "VARCHAR"),
    ("seed", "BIGINT"),
    ("scale", "BIGINT"),
    ("start_date", "DATE"),  # manifest "start"; `end` is an SQL keyword, hence the _date names
    ("end_date", "DATE"),
    ("status", "VARCHAR"),
    ("label", "VARCHAR"),
    ("spec_key", "VARCHAR"),
    ("parameter_overrides", "VARCHAR"),  # JSON text: {"name": value}
    ("trocha_version", "VARCHAR"),
    ("agents_created", "BIGINT"),
    ("created_at", "TIMESTAMP"),  # UTC
    ("total_seconds", "DOUBLE"),
    ("folder", "VARCHAR"),  # absolute path of the run directory
]

_DUCKDB_TYPES = {pa.date32(): "DATE", pa.string(): "VARCHAR", pa.float64(): "DOUBLE"}


class CatalogError(ValueError):
    """The output folder cannot be catalogued (missing, not a folder, not writable)."""


def refresh_catalog(out_dir: Path | str) -> Path:
    """(Re)build `out_dir/catalog.duckdb` from every manifest.json under `out_dir`; return it."""
    root = _folder(out_dir)
    if not writable(root):
        raise CatalogError(
            f"{root}: cannot write {CATALOG} (read-only folder); "
            "open_catalog and `trocha query` build the catalog in memory instead"
        )
    target = root / CATALOG
    tmp = root / f".{CATALOG}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        con = duckdb.connect(str(tmp))
    except duckdb.Error as problem:
        raise CatalogError(f"{root}: cannot write {CATALOG} ({_first_line(problem)})") from None
    try:
        try:
            _build(con, root)
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def open_catalog(
    out_dir: Path | str, refresh: bool = True, read_only: bool = True
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the catalog of `out_dir` (refreshed first); close it when done.

    Where `out_dir` cannot be written (an archive, a read-only mount) the catalog is built in
    memory instead, so read-only results can still be queried.
    """
    root = _folder(out_dir)
    path = root / CATALOG
    if not writable(root):
        if not refresh and path.is_file():
            return duckdb.connect(str(path), read_only=True)
        con = duckdb.connect(":memory:")
        _build(con, root)
        return con
    if refresh or not path.is_file():
        refresh_catalog(root)
    return duckdb.connect(str(path), read_only=read_only)


def query(out_dir: Path | str, sql: str) -> pd.DataFrame:
    """Run one SQL query on the catalog of `out_dir` and return the result as a DataFrame.

    Raises duckdb.Error for bad SQL and CatalogError for a missing folder.
    """
    con = open_catalog(out_dir)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _build(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Tables `runs` and `skipped` and the Parquet views, from the manifests under `root`.

    A run directory that cannot be read or catalogued is left out, listed in `skipped` (folder,
    reason) and warned about, so one bad folder never hides the others.
    """
    rows: list[tuple[Any, ...]] = []
    skipped: list[tuple[str, str]] = []
    for path in sorted(root.rglob("manifest.json")):
        if is_transient(path.parent):
            continue
        row = _run_row(path)
        if isinstance(row, str):
            skipped.append((str(path.parent), row))
        else:
            rows.append(row)
    columns = ", ".join(f'"{name}" {kind}' for name, kind in RUN_COLUMNS)
    con.execute(f"CREATE TABLE runs ({columns})")
    marks = ", ".join("?" for _ in RUN_COLUMNS)
    kept = []
    for row in rows:
        try:
            con.execute(f"INSERT INTO runs VALUES ({marks})", row)
        except duckdb.Error as problem:
            skipped.append((row[-1], f"cannot be catalogued ({_first_line(problem)})"))
            continue
        kept.append(row)
    con.execute("CREATE TABLE skipped (folder VARCHAR, reason VARCHAR)")
    if skipped:
        con.executemany("INSERT INTO skipped VALUES (?, ?)", skipped)
    for folder, reason in skipped:
        warnings.warn(
            f"{Path(folder, 'manifest.json')}: {reason}; run not catalogued", stacklevel=3
        )
    complete = [Path(row[-1]) for row in kept if row[7] == "complete"]
    for file in FILES:
        con.execute(_view_sql(file, complete))
    # links.parquet: the runs that record people per link (not imported Flee scenarios).
    con.execute(
        _view_sql("links.parquet", [f for f in complete if (f / "links.parquet").is_file()])
    )


def _folder(out_dir: Path | str) -> Path:
    root = Path(out_dir)
    if not root.exists():
        raise CatalogError(f"{out_dir}: no such folder; give the folder that holds run directories")
    if not root.is_dir():
        raise CatalogError(f"{out_dir}: not a folder; give the folder that holds run directories")
    return root.resolve()


def _run_row(path: Path) -> tuple[Any, ...] | str:
    """The `runs` row of one manifest, or the reason it cannot be catalogued."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        return f"unreadable manifest ({problem})"
    if not isinstance(manifest, dict):
        return "manifest is not a JSON object"
    folder = path.parent
    status = run_status(manifest)
    if status == "complete":
        missing = [f for f in manifest.get("files", FILES) if not (folder / f).is_file()]
        if missing:
            # Said complete but a file is gone: listed, but kept out of the views.
            status = "incomplete"
        for file in FILES:
            if file in missing:
                continue
            try:
                pq.read_metadata(folder / file)  # the footer only: one bad file would fail views
            except (OSError, pa.ArrowException) as problem:
                return f"unreadable {file} ({_first_line(problem)})"
    for name in ("seed", "scale", "agents_created"):
        value = manifest.get(name)
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return f"{name} {value} is outside the 64-bit range the catalog stores"
    timings = manifest.get("timings") if isinstance(manifest.get("timings"), dict) else {}
    return (
        str(manifest.get("run_id") or folder.name),
        manifest.get("scenario"),
        manifest.get("scenario_hash"),
        _int(manifest.get("seed")),
        _int(manifest.get("scale")),
        _date(manifest.get("start")),
        _date(manifest.get("end")),
        status,
        manifest.get("label"),
        manifest.get("spec_key"),
        json.dumps(manifest.get("parameter_overrides") or {}, sort_keys=True),
        manifest.get("trocha_version"),
        _int(manifest.get("agents_created")),
        _timestamp(manifest.get("created_at")),
        _float(timings.get("total_seconds")),
        str(folder),
    )


def _view_sql(file: str, folders: list[Path]) -> str:
    view = file.removesuffix(".parquet")
    schema = SCHEMAS[file]
    if not folders:
        # No complete run yet: an empty view with the same columns, so queries still bind.
        nulls = ", ".join(f'NULL::{_DUCKDB_TYPES[f.type]} AS "{f.name}"' for f in schema)
        return f"CREATE VIEW {view} AS SELECT NULL::VARCHAR AS run_id, {nulls} WHERE false"
    paths = ", ".join(_literal(str(folder / file)) for folder in folders)
    # A column that none of the files has (runs written before it existed, e.g. the links'
    # `mode`) reads as NULL rather than failing the view. Footers are read until every column
    # is found: one file when the runs are current.
    wanted = set(schema.names)
    present: set[str] = set()
    for folder in folders:
        present.update(pq.read_schema(folder / file).names)
        if wanted <= present:
            break
    columns = ", ".join(
        f't."{f.name}"' if f.name in present else f'NULL::{_DUCKDB_TYPES[f.type]} AS "{f.name}"'
        for f in schema
    )
    return (
        f"CREATE VIEW {view} AS SELECT r.run_id, {columns} "
        f"FROM read_parquet([{paths}], filename = true, union_by_name = true) AS t "
        f"JOIN runs AS r ON r.folder = parse_dirpath(t.filename) AND r.status = 'complete'"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(problem: BaseException) -> str:
    return str(problem).strip().splitlines()[0] if str(problem).strip() else type(problem).__name__


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _timestamp(value: Any) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if stamp is not None and stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp
