"""The run manifest: what was run, with what, how long it took, and whether it finished."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from typing import TYPE_CHECKING

from .. import __version__

if TYPE_CHECKING:
    from ..simulation import Simulation


def run_id(sim: Simulation) -> str:
    """A name that is the same for the same scenario, parameters, seed, scale and dates."""
    key = json.dumps(
        {
            "scenario": sim.scenario.content_hash,
            "parameters": sim.parameters,
            "seed": sim.seed,
            "scale": sim.scale,
            "start": str(sim.start),
            "end": str(sim.end),
            "version": __version__,
            "interventions": interventions_of(sim),
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{sim.scenario.name}_seed{sim.seed}_scale{sim.scale}_{digest}"


def interventions_of(sim: Simulation) -> list[dict]:
    """The interventions of a run as plain data (type and parameters)."""
    return [{"type": iv.kind, **iv.model_dump(mode="json")} for iv in sim.interventions]


def manifest_for(sim: Simulation, timings: dict) -> dict:
    return {
        "run_id": run_id(sim),
        "scenario": sim.scenario.name,
        "scenario_hash": sim.scenario.content_hash,
        "origin_country": sim.scenario.spec.origin_country,
        "seed": sim.seed,
        "scale": sim.scale,
        "start": str(sim.start),
        "end": str(sim.end),
        "trocha_version": __version__,
        "parameter_overrides": sim.scenario.overrides,
        "interventions": interventions_of(sim),
        "agents_created": int(sim.people.count),
        "agents_abroad_at_start": int(sim.initial_emigrants),
        "agent_events": int(sim.events_handled),
        "people_table_bytes": int(sim.people.nbytes()),
        "timings": timings,
        "python": platform.python_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "running",
    }
