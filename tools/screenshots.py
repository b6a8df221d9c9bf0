"""Take the README's screenshots (docs/img/) with Playwright and Debian's chromium.

    python tools/screenshots.py RUNS_DIR   # RUNS_DIR: e.g. two `trocha run` outputs, scale 400

Shoots the report of the first run (top of the page and the map) and the dashboard (the list and
a run's map after moving the time slider) at 1280x800.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from trocha.report.build import write_report

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
DRAWN = """() => { const g = document.querySelectorAll('.plotly-graph-div');
    return g.length > 0 && Array.from(g).every(d => d.querySelector('.main-svg')); }"""


def main(runs: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    found = sorted(p.parent for p in runs.glob("*/manifest.json"))
    run = next((f for f in found if f.name.startswith("venezuela_")), found[0])
    report = write_report(run, runs.parent / "screenshot-report.html")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from trocha.cli import main; main()",
            "serve",
            str(runs),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(report.as_uri())
            page.wait_for_function(DRAWN)
            page.wait_for_timeout(500)
            page.locator("#stocks").scroll_into_view_if_needed()
            page.locator("#stocks").screenshot(path=OUT / "report.png")
            page.locator("#map").screenshot(path=OUT / "report-map.png")
            page.goto(url + "/")
            page.screenshot(path=OUT / "dashboard.png")
            page.goto(f"{url}/run/{run.name}#map")
            page.wait_for_function(DRAWN)
            page.locator("#fig-map").scroll_into_view_if_needed()
            rail = page.locator("#fig-map .slider-rail-touch-rect").bounding_box()
            page.mouse.click(rail["x"] + rail["width"] * 0.55, rail["y"] + rail["height"] / 2)
            page.wait_for_timeout(800)
            page.locator("#map").screenshot(path=OUT / "dashboard-map.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    for png in sorted(OUT.glob("*.png")):
        print(png, png.stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
