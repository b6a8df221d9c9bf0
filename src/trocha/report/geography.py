"""The scenario behind a run: places with coordinates, routes, observed targets, organisations.

The run directory does not copy the scenario's tables, so they are read from the scenario (a
shipped name from the manifest, or a folder given by the user); a content hash that differs from
the manifest's is reported, not hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from ..scenario.loader import load_scenario
from ..scenario.problems import ScenarioError


@dataclass
class Geography:
    name: str
    places: pd.DataFrame  # name, country, lat, lon, kind
    routes: pd.DataFrame  # from, to, crossing, mode
    targets: pd.DataFrame  # date, country, metric, value, source_id, notes
    organisations: pd.DataFrame  # name, kind, headquarters, founded
    hash_matches: bool


def geography_for(manifest: dict, scenario: str | Path | None = None) -> Geography | None:
    """The scenario of a run (by name from the manifest unless `scenario` is given), or None."""
    name = str(scenario) if scenario is not None else str(manifest.get("scenario", ""))
    if not name:
        return None
    try:
        loaded = load_scenario(name)
    except (ScenarioError, OSError, ValueError):
        return None
    places = pd.DataFrame(
        [(p.name, p.country, p.lat, p.lon, p.kind) for p in loaded.locations],
        columns=["name", "country", "lat", "lon", "kind"],
    )
    routes = pd.DataFrame(
        [(r.from_, r.to, r.crossing, r.mode) for r in loaded.routes],
        columns=["from", "to", "crossing", "mode"],
    )
    targets = pd.DataFrame(
        [
            (pd.Timestamp(t.date), t.country, t.metric, t.value, t.source_id, t.notes)
            for t in loaded.targets
        ],
        columns=["date", "country", "metric", "value", "source_id", "notes"],
    )
    orgs = pd.DataFrame(
        [(o.name, o.kind, o.headquarters, pd.Timestamp(o.founded)) for o in loaded.organisations],
        columns=["name", "kind", "headquarters", "founded"],
    )
    return Geography(
        name=loaded.name,
        places=places,
        routes=routes,
        targets=targets,
        organisations=orgs,
        hash_matches=loaded.content_hash == manifest.get("scenario_hash"),
    )


@cache
def base_map() -> dict:
    """Natural Earth countries of the Americas (and Iberia) as GeoJSON, shipped offline."""
    text = resources.files("trocha.report").joinpath("assets/americas.geojson").read_text("utf-8")
    return json.loads(text)
