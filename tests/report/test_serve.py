"""The dashboard without a browser: pages, filters, 404s, traversal, runs being written, and a
runs folder left exactly as it was."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.x suggests httpx2 for its test client; httpx (pinned) works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from trocha.web.app import create_app


def listing(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def served(report_runs, tmp_path_factory):
    """A copy of the runs folder plus a run still being written (manifest says running)."""
    root = tmp_path_factory.mktemp("served") / "runs"
    shutil.copytree(report_runs, root)
    run = sorted(root.glob("tiny_seed1_*"))[0]
    half = root / "tiny_being_written"
    half.mkdir()
    shutil.copy(run / "timeseries.parquet", half / "timeseries.parquet")
    manifest = json.loads((run / "manifest.json").read_text())
    (half / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    return root, run.name


@pytest.fixture(scope="module")
def client(served):
    return TestClient(create_app(served[0]), raise_server_exceptions=False)


def test_lists_runs_experiments_and_runs_being_written(client, served):
    page = client.get("/").text
    assert page.count('class="entry"') == 8  # 2 runs, 4 experiment runs, 1 running, 1 compare
    assert f'href="/run/{served[1]}"' in page
    assert 'data-kind="compare"' in page
    assert "tiny_being_written" in page and 'data-status="running"' in page
    assert 'href="/run/tiny_being_written"' not in page


def test_filters(client):
    assert client.get("/?seed=2").text.count('class="entry"') == 3  # a run and its 2 copies
    assert client.get("/?scenario=nothing").text.count('class="entry"') == 0
    assert client.get("/?intervention=regularisation").text.count('class="entry"') == 0


def test_run_experiment_and_compare_pages(client, served):
    run = client.get(f"/run/{served[1]}")
    assert run.status_code == 200 and 'id="fig-map"' in run.text
    assert '<script src="/static/plotly.min.js">' in run.text
    experiment = client.get("/experiment/compare_tiny_test")
    assert experiment.status_code == 200 and 'id="fig-forest"' in experiment.text
    assert "href='/run/compare_tiny_test/runs/base_0'" in experiment.text
    other = sorted(served[0].glob("tiny_seed2_*"))[0].name
    both = client.get(f"/compare?a={served[1]}&b={other}")
    assert both.status_code == 200 and both.text.count("plotly-graph-div") == 5
    assert "people_trafficked" in both.text
    assert client.get("/static/plotly.min.js").status_code == 200


def test_unknown_ids_get_a_404_page(client):
    for url in ("/run/nope", "/experiment/nope", "/compare?a=nope&b=nope", "/compare", "/zzz"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Traceback" not in response.text and "<html" in response.text


@pytest.mark.parametrize(
    "url",
    ["/run/..%2F..%2Fetc", "/run/%2e%2e/%2e%2e/etc/passwd", "/run/%2Fetc", "/experiment/%2e%2e"],
)
def test_paths_outside_the_folder_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "root:" not in response.text


def test_a_run_being_written_is_not_read(client):
    response = client.get("/run/tiny_being_written")
    assert response.status_code == 409 and "not complete" in response.text


def test_serving_never_writes_into_the_runs_folder(served):
    root, run = served
    before = listing(root)
    with TestClient(create_app(root)) as fresh:
        for url in ("/", f"/run/{run}", "/experiment/compare_tiny_test", "/run/nope"):
            fresh.get(url)
    assert listing(root) == before
    assert not (root / "catalog.duckdb").exists()


def test_a_symlink_out_of_the_folder_is_refused(served, tmp_path):
    root, run = served
    outside = tmp_path / "outside_run"
    shutil.copytree(root / run, outside)
    link = root / "sneaky"
    link.symlink_to(outside, target_is_directory=True)
    try:
        response = TestClient(create_app(root)).get("/run/sneaky")
        assert response.status_code == 404 and "outside the runs folder" in response.text
    finally:
        link.unlink()
