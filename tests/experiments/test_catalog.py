"""The DuckDB catalog of an output folder: one row per run, views over complete runs' Parquet."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pandas as pd
import pytest

from trocha.experiments.dask_runner import run_many_serial
from trocha.experiments.runs import RunSpec
from trocha.results.catalog import CATALOG, CatalogError, open_catalog, query, refresh_catalog

BASE = RunSpec("tiny", seed=1, scale=500, end="2018-06-30", label="base")
ALT = RunSpec(
    "tiny", seed=1, scale=500, end="2018-06-30", label="alt", overrides={"passport_share": 0.9}
)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    base, _ = run_many_serial([BASE, ALT], out, progress=False)
    # A run killed while writing: listed in `runs`, kept out of the views.
    unfinished = out / "tiny_unfinished"
    shutil.copytree(base, unfinished)
    manifest = json.loads((unfinished / "manifest.json").read_text())
    manifest.update(run_id="tiny_unfinished", status="running")
    (unfinished / "manifest.json").write_text(json.dumps(manifest))
    (unfinished / "timeseries.parquet").write_bytes(b"half a file")
    return out


def test_runs_table_has_one_row_per_run(out_dir):
    runs = query(out_dir, "SELECT * FROM runs ORDER BY status, label")
    assert list(runs["run_id"])[2] == "tiny_unfinished"
    assert list(runs["label"]) == ["alt", "base", "base"]
    assert list(runs["status"]) == ["complete", "complete", "running"]
    alt = runs.iloc[0]
    assert alt["spec_key"] == ALT.key()
    assert json.loads(alt["parameter_overrides"])["passport_share"] == 0.9
    assert (alt["scenario"], alt["seed"], alt["scale"]) == ("tiny", 1, 500)
    assert alt["start_date"].date() == dt.date(2017, 1, 1)
    assert alt["end_date"].date() == dt.date(2018, 6, 30)
    assert alt["total_seconds"] > 0 and alt["created_at"].year >= 2024
    assert (out_dir / CATALOG).is_file()


def test_views_cover_complete_runs_with_a_run_id(out_dir):
    frame = query(
        out_dir,
        "SELECT r.label, t.run_id, count(*) AS n, max(value) AS stock "
        "FROM timeseries t JOIN runs r USING (run_id) "
        "WHERE metric = 'migrant_stock' AND country = 'ALL' GROUP BY ALL ORDER BY label",
    )
    assert list(frame["label"]) == ["alt", "base"]
    for row in frame.itertuples():
        folder = out_dir / row.run_id
        direct = pd.read_parquet(folder / "timeseries.parquet")
        stock = direct[(direct.metric == "migrant_stock") & (direct.country == "ALL")]
        assert row.n == len(stock) and row.stock == stock.value.max()
    counts = query(out_dir, "SELECT run_id, count(*) AS n FROM locations GROUP BY run_id")
    assert len(counts) == 2
    events = query(out_dir, "SELECT DISTINCT run_id FROM events")
    assert set(events.run_id) == set(frame.run_id)


def test_catalog_is_read_only_and_refreshed(out_dir, tmp_path):
    con = open_catalog(out_dir)
    try:
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE scratch (x INTEGER)")
    finally:
        con.close()
    copy = tmp_path / "copy"
    shutil.copytree(out_dir, copy)
    assert len(query(copy, "SELECT * FROM runs")) == 3
    shutil.rmtree(copy / "tiny_unfinished")
    assert len(query(copy, "SELECT * FROM runs")) == 2
    assert refresh_catalog(copy) == (copy / CATALOG).resolve()
    assert not [p for p in copy.iterdir() if p.name.endswith(".tmp")]


def test_empty_folder_has_empty_views(tmp_path):
    assert query(tmp_path, "SELECT count(*) AS n FROM runs").n[0] == 0
    frame = query(tmp_path, "SELECT * FROM timeseries")
    assert list(frame.columns) == ["run_id", "date", "country", "metric", "value"] and frame.empty


def test_unreadable_manifest_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json")
    with pytest.warns(UserWarning, match="broken/manifest.json: unreadable manifest"):
        assert query(tmp_path, "SELECT count(*) AS n FROM runs").n[0] == 0


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="no_such: no such folder; give the folder that holds"):
        query(tmp_path / "no_such", "SELECT 1")


def test_read_only_folder_is_queried_in_memory(out_dir, tmp_path, monkeypatch):
    import trocha.results.catalog as catalog
    import trocha.results.outdir as outdir

    archive = tmp_path / "archive"
    shutil.copytree(out_dir, archive)
    # No catalog in the archive (whether or not an earlier test of this worker built one).
    (archive / CATALOG).unlink(missing_ok=True)
    before = sorted(p.name for p in archive.iterdir())
    real_access, real_connect = outdir.os.access, duckdb.connect

    def access(path, mode):
        # Tests may run as root, which permission bits do not stop: deny writes as the OS would.
        if str(path) == str(archive.resolve()) and mode & outdir.os.W_OK:
            return False
        return real_access(path, mode)

    def connect(database=":memory:", *args, **kwargs):
        assert database == ":memory:" or kwargs.get("read_only"), f"writes {database}"
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(outdir.os, "access", access)
    monkeypatch.setattr(catalog.duckdb, "connect", connect)
    runs = query(archive, "SELECT label FROM runs WHERE status = 'complete' ORDER BY label")
    assert list(runs["label"]) == ["alt", "base"]
    assert len(query(archive, "SELECT * FROM timeseries")) > 0
    con = open_catalog(archive)
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
    con.close()
    assert sorted(p.name for p in archive.iterdir()) == before  # nothing written
    with pytest.raises(CatalogError, match="read-only folder"):
        refresh_catalog(archive)


def test_damaged_parquet_file_is_skipped_and_the_rest_stays_queryable(out_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(out_dir, copy)
    (damaged,) = [f for f in copy.iterdir() if f.name.startswith("tiny_seed1") and "alt" in
                  json.loads((f / "manifest.json").read_text())["label"]]  # fmt: skip
    (damaged / "locations.parquet").write_bytes(b"not parquet at all")
    with pytest.warns(UserWarning, match="unreadable locations.parquet"):
        frame = query(copy, "SELECT DISTINCT run_id FROM locations")
    assert damaged.name not in set(frame.run_id) and len(frame) == 1
    with pytest.warns(UserWarning):
        skipped = query(copy, "SELECT * FROM skipped")
    assert list(skipped.folder) == [str(damaged.resolve())]


def test_links_written_before_their_mode_column_read_it_as_null(out_dir, tmp_path):
    import pyarrow.parquet as pq

    copy = tmp_path / "runs"
    shutil.copytree(out_dir, copy, ignore=shutil.ignore_patterns(CATALOG))
    for path in copy.glob("*/links.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop(["mode"]), path)  # as a run of an earlier version wrote it
    frame = query(copy, "SELECT count(*) AS n, count(mode) AS with_mode FROM links")
    assert frame["n"].iloc[0] > 0 and frame["with_mode"].iloc[0] == 0
    modes = query(out_dir, "SELECT DISTINCT mode FROM links ORDER BY mode")["mode"].tolist()
    assert set(modes) <= {"walk", "bus", "boat", "air"} and modes
