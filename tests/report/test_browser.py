"""In a real browser (Playwright driving Debian's chromium): the report renders every chart and
the map without console errors; the dashboard lists runs, opens one, moves the map's time slider
and opens a comparison. Screenshots go to tests/artifacts/ (not committed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from trocha.report.build import write_report

pytestmark = pytest.mark.slow

CHARTS = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(gd => ({
    id: gd.id, traces: gd.data.length, svg: gd.querySelectorAll('.main-svg').length,
    drawn: gd.querySelectorAll('.scatterlayer .trace, .boxlayer .trace').length}))"""
ALL_DRAWN = """() => { const g = document.querySelectorAll('.plotly-graph-div');
    return g.length > 0 && Array.from(g).every(d => d.querySelector('.main-svg')); }"""
MAP_STATE = """() => { const gd = document.getElementById('fig-map');
    const places = gd.data.find(t => t.name === 'migrants present');
    return {active: gd.layout.sliders[0].active, sizes: Array.from(places.marker.size),
            points: gd.querySelectorAll('.scatterlayer .trace .point').length}; }"""


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_report_renders_every_chart_and_the_map(page, tiny_run, tmp_path, artifacts):
    report = write_report(tiny_run, tmp_path / "report.html")
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(report.as_uri())
    page.wait_for_function(ALL_DRAWN)
    charts = {c["id"]: c for c in page.evaluate(CHARTS)}
    assert len(charts) == 10
    for chart in charts.values():
        assert chart["svg"] >= 1 and chart["drawn"] >= 1, chart
        if chart["id"] != "fig-map":  # the map leaves its empty width classes out of the SVG
            assert chart["drawn"] == chart["traces"], chart
    assert charts["fig-map"]["traces"] == 13  # land, routes, 8 crossing classes, 3 place layers
    assert page.evaluate(MAP_STATE)["points"] >= 10  # the ten places of the tiny scenario
    page.screenshot(path=artifacts / "report.png", full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".modebar").first.is_hidden()  # no chart toolbar on paper
    assert page.pdf(path=artifacts / "report.pdf", format="A4")[:4] == b"%PDF"
    assert errors == []


@pytest.fixture(scope="module")
def dashboard(report_runs):
    """`trocha serve` in a subprocess on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable,
        "-c",
        "from trocha.cli import main; main()",
        "serve",
        str(report_runs),
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    url = f"http://127.0.0.1:{port}"
    banner = proc.stdout.readline()
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url, banner
    proc.terminate()
    proc.wait(timeout=10)


def test_dashboard_lists_opens_slides_and_compares(page, dashboard, artifacts):
    url, banner = dashboard
    assert "bound to 127.0.0.1" in banner
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url + "/")
    assert page.locator("tr.entry").count() == 7  # 2 runs, 4 experiment runs, the compare
    page.screenshot(path=artifacts / "dashboard-list.png", full_page=True)

    page.locator("tr.entry[data-kind='run'] a").first.click()
    page.wait_for_load_state("load")
    page.wait_for_function(ALL_DRAWN)
    before = page.evaluate(MAP_STATE)
    page.locator("#fig-map").scroll_into_view_if_needed()
    rail = page.locator("#fig-map .slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + 8, rail["y"] + rail["height"] / 2)  # the first month
    page.wait_for_function(
        "([active, sizes]) => { const s = (" + MAP_STATE + ")(); return s.active !== active"
        " && JSON.stringify(s.sizes) !== JSON.stringify(sizes); }",
        arg=[before["active"], before["sizes"]],
    )
    after = page.evaluate(MAP_STATE)
    assert after["active"] == 0 and after["sizes"] != before["sizes"]
    page.locator("#fig-map").screenshot(path=artifacts / "dashboard-map.png")

    page.goto(url + "/")
    page.locator("form#compare button").click()
    page.wait_for_load_state("load")
    page.wait_for_function(ALL_DRAWN)
    assert len(page.evaluate(CHARTS)) == 5
    page.screenshot(path=artifacts / "dashboard-compare.png", full_page=True)
    assert errors == []
