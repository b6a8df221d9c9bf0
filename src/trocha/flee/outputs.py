"""Outputs of `flee` runs: Flee's `out.csv` layout, the averaged relative difference, run folders.

ARD (Flee's validation measure, Suleimenova et al. 2017): on each day, the sum over camps of
|simulated - observed| divided by the observed total in camps, averaged over days. "Rescaled" first
scales the simulated camp populations so that they add up to the observed total.
"""

from __future__ import annotations

import datetime as dt
import platform
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from ..results.manifest import run_id
from ..results.result import Result

if TYPE_CHECKING:
    from .engine import FleeSimulation


def averaged_relative_difference(
    sim: np.ndarray, data: np.ndarray, rescaled: bool = False
) -> float:
    sim = np.asarray(sim, float)
    data = np.asarray(data, float)
    observed = data.sum(axis=1)
    if rescaled:
        simulated = sim.sum(axis=1)
        factor = np.divide(observed, simulated, out=np.zeros_like(observed), where=simulated > 0)
        sim = sim * factor[:, None]
    daily = np.abs(sim - data).sum(axis=1) / np.maximum(observed, 1.0)
    return float(daily.mean())


def flee_out_rows(sim: FleeSimulation) -> list[list[str]]:
    """Flee 3.1's out.csv, row by row (agent counts, as Flee writes them)."""
    state = sim.flee
    rec = state.record
    header = ["Day", "Date"]
    for name in rec.camp_names:
        header += [f"{name} sim", f"{name} data", f"{name} error"]
    header += [
        "Total error",
        "refugees in camps (UNHCR)",
        "total refugees (simulation)",
        "raw UNHCR refugee count",
        "refugees in camps (simulation)",
        "refugee_debt",
    ]
    rows = [header]
    for t in range(sim.n_days):
        sims = rec.camp_sim[t]
        datas = rec.camp_data[t]
        row = [str(t), sim.calendar.date_of(t).isoformat()]
        abs_sum = 0.0
        for s, d in zip(sims, datas, strict=True):
            rel = 0.0 if d < 0.00001 else round(abs(float(s) / float(d) - 1), 4)
            abs_sum += round(abs(float(s) - float(d)), 4)
            row += [str(int(s)), str(int(d)), repr(rel)]
        raw = int(state.refugees_raw[t])
        in_camps = int(sims.sum())
        agents = int(rec.total_agents[t])
        if raw > 0:
            row += [
                repr(abs_sum / raw),
                str(int(datas.sum())),
                str(agents),
                str(raw),
                str(in_camps),
                str(int(state.refugee_debt[t])),
            ]
        else:
            row += ["0.0", "0", str(agents), "0", str(in_camps), "0"]
        rows.append(row)
    return rows


def flee_out_text(sim: FleeSimulation) -> str:
    return "\n".join(",".join(row) for row in flee_out_rows(sim)) + "\n"


def flee_manifest(sim: FleeSimulation, timings: dict) -> dict:
    """The run manifest (results/manifest.py's fields that apply) plus Flee's settings and ARD."""
    state, rec = sim.flee, sim.flee.record
    return {
        "run_id": run_id(sim),
        "scenario": sim.scenario.name,
        "scenario_hash": sim.scenario.content_hash,
        "ruleset": "flee",
        "seed": sim.seed,
        "scale": sim.scale,
        "start": str(sim.start),
        "end": str(sim.end),
        "days": sim.n_days,
        "trocha_version": __version__,
        "parameter_overrides": {},
        "interventions": [],
        "flee_settings": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in state.settings.__dict__.items()
        },
        "agents_created": int(state.n),
        "agent_bytes": int(state.agent_bytes()),
        "flee": {
            "camps": rec.camp_names,
            # No camps, no camp data: there is nothing to score, so no ARD (not a perfect 0).
            "ard": averaged_relative_difference(rec.camp_sim, rec.camp_data)
            if rec.camp_names
            else None,
            "ard_rescaled": averaged_relative_difference(rec.camp_sim, rec.camp_data, rescaled=True)
            if rec.camp_names
            else None,
        },
        "timings": timings,
        "python": platform.python_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "running",
    }


def _long(dates: np.ndarray, names: list[str], metric: str, values: np.ndarray, column: str):
    """Columns of a long table for `values` [days, names], ordered by name, then date."""
    days, n = values.shape
    return {
        "date": np.tile(dates, n),
        column: np.repeat(np.asarray(names, dtype=object), days),
        "metric": np.full(days * n, metric, dtype=object),
        "value": values.T.reshape(-1).astype(np.float64),
    }


def _join(parts: list[dict], column: str) -> dict[str, np.ndarray]:
    """One table from parts, sorted by metric, then `column`, then date (as every run's)."""
    if not parts:
        empty = np.array([], dtype=object)
        return {
            "date": np.array([], "datetime64[D]"),
            column: empty,
            "metric": empty,
            "value": np.array([]),
        }
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((joined["date"], joined[column].astype(str), joined["metric"].astype(str)))
    return {key: values[order] for key, values in joined.items()}


def flee_result(sim: FleeSimulation, timings: dict) -> Result:
    """The run's Result: the same three long tables as every run (metrics: modules.py), the
    manifest with the ARD, and flee_out.csv (Flee's out.csv) to write with the run directory.
    Built from NumPy columns: no pandas on the Flee path."""
    state, rec = sim.flee, sim.flee.record
    scale = float(sim.scale)
    dates = np.datetime64(sim.start, "D") + np.arange(sim.n_days)
    names = state.net.names
    countries = sorted(set(state.net.countries))
    country_of = np.asarray(state.net.countries, dtype=object)
    by_country = np.stack([rec.present[:, country_of == c].sum(axis=1) for c in countries], axis=1)
    at_locations = rec.present.sum(axis=1)
    ts = [_long(dates, countries, "migrant_stock", by_country * scale, "country")]
    for metric, values in (
        ("migrant_stock", at_locations),
        ("in_transit", rec.total_agents - at_locations),
        ("displaced_total", rec.total_agents),
        ("displaced_new", state.spawned),
        ("in_camps", rec.camp_sim.sum(axis=1)),
        ("in_camps_observed", rec.camp_data.sum(axis=1)),
    ):
        ts.append(_long(dates, ["ALL"], metric, values[:, None] * scale, "country"))
    for metric, rows in sim.recorded.items():  # metrics of modules of your own
        days, where, values = (np.asarray(c) for c in zip(*rows, strict=True))
        ts.append(
            {
                "date": dates[days],
                "country": where.astype(object),
                "metric": np.full(len(days), metric, dtype=object),
                "value": values.astype(np.float64),
            }
        )
    locs = []
    if rec.camp_names:
        locs = [
            _long(dates, rec.camp_names, "present", rec.camp_sim * scale, "location"),
            _long(dates, rec.camp_names, "observed", rec.camp_data * scale, "location"),
        ]
    country_by_name = dict(zip(names, state.net.countries, strict=True))
    events = state.events  # in the order they happened
    event_columns = {
        "date": np.array([sim.calendar.date_of(e[0]) for e in events], "datetime64[D]"),
        "kind": np.array([e[1] for e in events], dtype=object),
        "location": np.array([e[2] for e in events], dtype=object),
        "country": np.array([country_by_name.get(e[2], "") for e in events], dtype=object),
        "detail": np.array([e[3] for e in events], dtype=object),
    }
    result = Result(
        timeseries=_join(ts, "country"),
        locations=_join(locs, "location"),
        events=event_columns,
        files={"flee_out.csv": flee_out_text(sim)},
    )
    result.manifest = flee_manifest(sim, timings)
    return result
