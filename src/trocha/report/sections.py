"""The sections of a run page and of an experiment page (shared by `report` and `serve`)."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from . import figures_compare as fc
from . import figures_run as fr
from .data import Experiment, RunData, load_run, read_manifest, run_status
from .figures_map import corridor_map
from .geography import Geography, geography_for
from .html import Section, figure_html, frame_html, table_html

NOTES = {
    "stocks": "Emigrants living in each host country (daily). Diamonds: observed stocks from the "
    "scenario's targets.csv; hover for the source id and note.",
    "stocks-more": "The next host countries by size, with their observed stocks.",
    "world": "Everyone abroad, everyone who ever left (incl. those abroad at the start), returned "
    "and died (running totals), against observed world totals.",
    "flows": "People leaving the origin, coming back and dying on the way, summed by month.",
    "fees": "Mean fee at the irregular crossings into each of the busiest countries (weighted by "
    "use); dotted lines and triangles: border regime changes (events.parquet).",
    "revenue": "Revenue of the criminal organisations (gangs) by stream, USD per month, stacked.",
    "members": "Members of the criminal organisations (gangs) by country, month end.",
    "cells": "Cells of the criminal organisations (gangs) by country, month end.",
    "victims": "People held in exploitation (month end, left axis); newly trafficked and exited "
    "per month (right axis).",
    "money": "Migrants' money taken by criminal groups: fees, travel packages, confiscations.",
}
TITLES = {
    "stocks": "Migrant stocks by host",
    "stocks-more": "Migrant stocks in the smaller hosts",
    "world": "World total",
    "flows": "Departures, returns, deaths",
    "fees": "Fees at the irregular crossings",
    "revenue": "Revenue by stream",
    "members": "Members by country",
    "cells": "Cells by country",
    "victims": "Trafficking victims",
    "money": "Money taken from migrants",
}
MAP_NOTE = (
    "Places sized by the migrants present (green) and stranded (orange) at the month's last "
    "weekly count; crosses: organisation cells open that month. Crossings coloured by kind "
    "(vermillion: irregular, blue: official); their width is an estimate: run directories record "
    "entries per country and crossing kind, not per link, so each country's monthly entries of a "
    "kind are shared equally among its crossings of that kind. Drag the slider to change month. "
    "Base map: Natural Earth (public domain)."
)


def run_card(run: RunData, geo: Geography | None) -> Section:
    m = run.manifest
    timings = m.get("timings") if isinstance(m.get("timings"), dict) else {}
    steps = timings.get("step_seconds") or {}
    rows = [
        ("run id", run.run_id),
        ("scenario", str(m.get("scenario"))),
        ("scenario hash", str(m.get("scenario_hash"))),
        ("seed", str(m.get("seed"))),
        ("scale (people per agent)", str(m.get("scale"))),
        ("period", f"{m.get('start')} to {m.get('end')}"),
        ("Trocha version", str(m.get("trocha_version"))),
        ("parameter overrides", m.get("parameter_overrides") or {}),
        ("interventions", m.get("interventions") or []),
        ("agents created", str(m.get("agents_created"))),
        ("run time (s)", f"{float(timings.get('total_seconds') or 0):.1f}"),
        ("time by module (s)", {k: round(float(v), 2) for k, v in steps.items()}),
        ("created (UTC)", str(m.get("created_at"))),
        ("status", str(m.get("status"))),
    ]
    if m.get("label"):
        rows.insert(1, ("label", str(m.get("label"))))
    if geo is None:
        rows.append(("scenario tables", "not found: observed targets and the map are left out"))
    elif not geo.hash_matches:
        rows.append(("scenario tables", "the scenario has changed since this run (hash differs)"))
    return Section("card", "Run card", "From manifest.json.", table_html(rows))


def run_sections(run: RunData, geo: Geography | None, prefix: str = "") -> list[Section]:
    """Run card, charts and the map of one run; `prefix` keeps element ids unique on a page."""
    targets = geo.targets if geo is not None else None
    figures = fr.run_figures(run, targets)
    sections = [run_card(run, geo)]
    order = [
        "stocks",
        "stocks-more",
        "world",
        "flows",
        "map",
        "fees",
        "revenue",
        "members",
        "cells",
        "victims",
        "money",
    ]
    for key in order:
        if key == "map":
            if geo is not None:
                body = figure_html(corridor_map(run, geo), f"{prefix}fig-map")
                sections.append(Section(f"{prefix}map", "Map of the corridor", MAP_NOTE, body))
            continue
        if key in figures:
            body = figure_html(figures[key], f"{prefix}fig-{key}")
            sections.append(Section(f"{prefix}{key}", TITLES[key], NOTES[key], body))
    return sections


def run_page_parts(folder: Path, scenario: str | None = None) -> tuple[str, str, list[Section]]:
    run = load_run(folder)
    geo = geography_for(run.manifest, scenario)
    m = run.manifest
    subtitle = (
        f"scenario {m.get('scenario')} · seed {m.get('seed')} · scale {m.get('scale')} · "
        f"{m.get('start')} to {m.get('end')}"
    )
    return f"Trocha run {run.run_id}", subtitle, run_sections(run, geo)


def _groups(experiment: Experiment) -> dict[str, list[Path]]:
    """Complete runs of an experiment grouped by label (base first)."""
    groups: dict[str, list[Path]] = {}
    for folder in experiment.run_folders:
        manifest = read_manifest(folder)
        if run_status(folder, manifest) != "complete":
            continue
        label = str((manifest or {}).get("label") or (manifest or {}).get("scenario"))
        groups.setdefault(label, []).append(folder)
    if "base" in groups:
        groups = {"base": groups.pop("base"), **groups}
    return groups


def runs_section(experiment: Experiment, link: Callable[[Path], str] | None) -> Section:
    """The experiment's runs with their label, seed and status (linked in the dashboard)."""
    rows = []
    for folder in experiment.run_folders:
        manifest = read_manifest(folder) or {}
        status = run_status(folder, manifest or None)
        name = html.escape(folder.name)
        if link is not None and status == "complete":
            name = f"<a href='{html.escape(link(folder))}'>{name}</a>"
        rows.append(
            f"<tr><td>{html.escape(str(manifest.get('label', '')))}</td>"
            f"<td>{html.escape(str(manifest.get('seed', '')))}</td><td>{name}</td>"
            f"<td>{html.escape(status)}</td></tr>"
        )
    head = "<tr><th>label</th><th>seed</th><th>run</th><th>status</th></tr>"
    body = f"<table class='data'>{head}{''.join(rows)}</table>"
    return Section("runs-list", "Runs", "The experiment's run directories (runs/).", body)


def experiment_sections(
    experiment: Experiment, max_curves: int = 8, link: Callable[[Path], str] | None = None
) -> list[Section]:
    """Card, forest plot and paired curves (compare) or spreads (sweep), then the runs."""
    info = experiment.info
    card = table_html(
        [(k, v) for k, v in sorted(info.items()) if k != "runs"]
        + [("runs", str(len(experiment.run_folders)))]
    )
    sections = [Section("card", "Experiment card", "From experiment.json.", card)]
    if experiment.comparison is not None:
        comparison = experiment.comparison
        sections.append(
            Section(
                "forest",
                "Differences with 95% intervals",
                "Alternative minus baseline, as a percentage of the baseline mean (hover for the "
                "difference in its own unit). Paired intervals with common random numbers.",
                figure_html(fc.forest(comparison), "fig-forest"),
            )
        )
        groups = _groups(experiment)
        moved = fc.changed(comparison)
        shown = list(dict.fromkeys(moved["outcome"]))[:max_curves]
        for i, outcome in enumerate(shown):
            unit = str(moved[moved["outcome"] == outcome]["unit"].iloc[0])
            wanted = {
                k: v
                for k, v in groups.items()
                if k == "base" or k in set(moved[moved["outcome"] == outcome]["alternative"])
            }
            sections.append(
                Section(
                    f"paired-{i}",
                    f"Baseline vs alternative: {outcome}",
                    "Mean curve over the seeds of each arm (the interval above excludes zero).",
                    figure_html(fc.paired(outcome, unit, wanted), f"fig-paired-{i}"),
                )
            )
        if not shown:
            sections.append(
                Section(
                    "paired",
                    "Baseline vs alternative",
                    "",
                    "<p>No outcome changed: every 95% interval includes zero.</p>",
                )
            )
        sections.append(Section("table", "comparison.csv", "", frame_html(comparison)))
    if experiment.results is not None:
        results = experiment.results
        outcomes = [
            c
            for c in (
                "people_trafficked",
                "money_taken_from_migrants_usd",
                "deaths",
                "migrant_stock_end",
                "org_members_end",
            )
            if c in results
        ]
        from ..experiments.outcomes import unit_of

        for i, outcome in enumerate(outcomes):
            sections.append(
                Section(
                    f"spread-{i}",
                    f"{outcome} across the runs",
                    "Each point is one run.",
                    figure_html(
                        fc.sweep_spread(results, outcome, unit_of(outcome)), f"fig-spread-{i}"
                    ),
                )
            )
        sections.append(
            Section("results", "results.parquet", "One row per run.", frame_html(results))
        )
    if experiment.indices is not None and "outcome" in experiment.indices:
        for i, outcome in enumerate(dict.fromkeys(experiment.indices["outcome"])):
            sections.append(
                Section(
                    f"indices-{i}",
                    f"Sensitivity of {outcome}",
                    "From indices.csv (SALib); error bars: the reported confidence half-widths.",
                    figure_html(fc.sensitivity_bars(experiment.indices, outcome), f"fig-si-{i}"),
                )
            )
    if experiment.comparison is None and experiment.results is None:
        sections.append(
            Section(
                "empty",
                "No results yet",
                "",
                "<p>The experiment has not written its summary table yet.</p>",
            )
        )
    if experiment.run_folders:
        sections.append(runs_section(experiment, link))
    return sections


def experiment_page_parts(
    experiment: Experiment, link: Callable[[Path], str] | None = None
) -> tuple[str, str, list[Section]]:
    kind = experiment.kind
    title = f"Trocha {kind} {experiment.folder.name}"
    n = len(experiment.run_folders)
    return title, f"{kind} experiment · {n} runs", experiment_sections(experiment, link=link)
