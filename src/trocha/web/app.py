"""The dashboard: a small Starlette app that renders the report's sections on request.

Endpoints are plain functions, so Starlette runs them in its thread pool and a page being built
does not hold up the others.

It only reads: run pages come from the Parquet files via pandas, the side-by-side table from an
in-memory DuckDB connection (never the folder's catalog.duckdb, which `open_catalog` would write).
A run still being written is listed with its status and not opened.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from urllib.parse import quote

import duckdb
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..report.data import RunNotReadyError, load_experiment, load_run, read_manifest, run_status
from ..report.html import Section, plotly_js, render_page
from ..report.sections import experiment_page_parts, run_page_parts
from .compare import compare_sections
from .index import OutsideError, resolve, scan

NAV = "<a href='/'>all runs</a>"


def create_app(runs_dir: Path | str) -> Starlette:
    """The dashboard over `runs_dir` (resolved once; nothing outside it is served)."""
    root = Path(runs_dir).resolve()
    cache: dict[tuple, str] = {}

    def cached(key: tuple, build) -> str:
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = build()
        return cache[key]

    def folder_of(key: str, want: str) -> Path:
        try:
            folder = resolve(root, key)
        except OutsideError:
            raise HTTPException(404, "that path is outside the runs folder") from None
        if want == "run" and not (folder / "manifest.json").is_file():
            raise HTTPException(404, f"no run {key!r} in this folder")
        if want == "experiment" and not (folder / "experiment.json").is_file():
            raise HTTPException(404, f"no experiment {key!r} in this folder")
        return folder

    def stamp(folder: Path, name: str) -> float:
        try:
            return (folder / name).stat().st_mtime
        except OSError:
            return 0.0

    def home(request: Request) -> HTMLResponse:
        entries = scan(root)
        q = request.query_params
        wanted = {k: q.get(k, "") for k in ("scenario", "seed", "intervention")}
        shown = [
            e
            for e in entries
            if (not wanted["scenario"] or e.scenario == wanted["scenario"])
            and (not wanted["seed"] or e.seed == wanted["seed"])
            and (not wanted["intervention"] or wanted["intervention"] in e.interventions.split(","))
        ]
        page = (
            _templates()
            .get_template("index.html.j2")
            .render(
                root=str(root),
                entries=shown,
                total=len(entries),
                wanted=wanted,
                scenarios=sorted({e.scenario for e in entries if e.kind == "run" and e.scenario}),
                runs=[e for e in entries if e.kind == "run" and e.status == "complete"],
                quote=quote,
            )
        )
        return HTMLResponse(page)

    def run_page(request: Request) -> HTMLResponse:
        key = request.path_params["key"]
        folder = folder_of(key, "run")
        status = run_status(folder, read_manifest(folder))
        if status != "complete":
            return HTMLResponse(
                _message(
                    f"Run {key}",
                    f"This run is not complete (status: {status}); it is not read until it is.",
                ),
                status_code=409,
            )

        def build() -> str:
            title, subtitle, sections = run_page_parts(folder)
            return render_page(title, subtitle, sections, inline_js=False, nav=NAV)

        try:
            return HTMLResponse(cached(("run", key, stamp(folder, "manifest.json")), build))
        except RunNotReadyError as problem:
            return HTMLResponse(_message(f"Run {key}", str(problem)), status_code=409)

    def experiment_page(request: Request) -> HTMLResponse:
        key = request.path_params["key"]
        folder = folder_of(key, "experiment")

        def build() -> str:
            def link(run: Path) -> str:
                return "/run/" + quote(run.resolve().relative_to(root).as_posix())

            title, subtitle, sections = experiment_page_parts(load_experiment(folder), link)
            return render_page(title, subtitle, sections, inline_js=False, nav=NAV)

        version = (stamp(folder, "comparison.csv"), stamp(folder, "results.parquet"))
        return HTMLResponse(cached(("experiment", key, version), build))

    def compare_page(request: Request) -> HTMLResponse:
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        if not a or not b:
            raise HTTPException(404, "give two runs: /compare?a=RUN&b=RUN")
        folders = [folder_of(a, "run"), folder_of(b, "run")]
        for folder in folders:
            status = run_status(folder, read_manifest(folder))
            if status != "complete":
                return HTMLResponse(
                    _message("Compare", f"{folder.name} is not complete (status: {status})"),
                    status_code=409,
                )

        def build() -> str:
            runs = [load_run(f) for f in folders]
            with duckdb.connect(":memory:") as con:
                sections = compare_sections(runs, con)
            subtitle = f"{runs[0].run_id} (A) vs {runs[1].run_id} (B)"
            return render_page(
                "Trocha: two runs side by side", subtitle, sections, inline_js=False, nav=NAV
            )

        key = ("compare", a, b, *(stamp(f, "manifest.json") for f in folders))
        return HTMLResponse(cached(key, build))

    def plotly(request: Request) -> Response:
        return Response(
            plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )

    async def not_found(request: Request, exc: Exception) -> HTMLResponse:
        detail = getattr(exc, "detail", "not found")
        code = getattr(exc, "status_code", 404)
        return HTMLResponse(
            _message("Not found" if code == 404 else "Error", str(detail)), status_code=code
        )

    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        return HTMLResponse(
            _message("Error", "This page could not be built; see the server log."), status_code=500
        )

    routes = [
        Route("/", home),
        Route("/run/{key:path}", run_page),
        Route("/experiment/{key:path}", experiment_page),
        Route("/compare", compare_page),
        Route("/static/plotly.min.js", plotly),
    ]
    return Starlette(
        routes=routes, exception_handlers={HTTPException: not_found, 500: server_error}
    )


@cache
def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("trocha.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _message(title: str, text: str) -> str:
    body = f"<p>{html.escape(text)}</p><p><a href='/'>Back to the list of runs</a></p>"
    return render_page(title, "", [Section("message", title, "", body)], inline_js=False, nav=NAV)
