"""Outputs of `flee` runs: Flee's `out.csv` layout, the averaged relative difference, run folders.

ARD (Flee's validation measure, Suleimenova et al. 2017): on each day, the sum over camps of
|simulated - observed| divided by the observed total in camps, averaged over days. "Rescaled" first
scales the simulated camp populations so that they add up to the observed total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..results.rundir import _write_json, _write_parquet


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


def flee_out_rows(result) -> list[list[str]]:
    """Flee 3.1's out.csv, row by row (agent counts, as Flee writes them)."""
    header = ["Day", "Date"]
    for name in result.camp_names:
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
    for t, date in enumerate(result.dates()):
        sims = result.camp_sim[t]
        datas = result.camp_data[t]
        row = [str(t), date.isoformat()]
        abs_sum = 0.0
        for s, d in zip(sims, datas, strict=True):
            rel = 0.0 if d < 0.00001 else round(abs(float(s) / float(d) - 1), 4)
            abs_sum += round(abs(float(s) - float(d)), 4)
            row += [str(int(s)), str(int(d)), repr(rel)]
        raw = int(result.refugees_raw[t])
        in_camps = int(sims.sum())
        agents = int(result.total_agents[t])
        if raw > 0:
            row += [
                repr(abs_sum / raw),
                str(int(datas.sum())),
                str(agents),
                str(raw),
                str(in_camps),
                str(int(result.refugee_debt[t])),
            ]
        else:
            row += ["0.0", "0", str(agents), "0", str(in_camps), "0"]
        rows.append(row)
    return rows


def write_flee_out(result, path: Path) -> None:
    text = "\n".join(",".join(row) for row in flee_out_rows(result)) + "\n"
    path.write_text(text, encoding="utf-8")


def run_id(sim) -> str:
    key = json.dumps(
        {
            "scenario": sim.scenario.content_hash,
            "seed": sim.seed,
            "scale": sim.scale,
            "days": sim.days,
            "initial_agents": sim.initial_agents,
            "version": __version__,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{sim.scenario.name}_seed{sim.seed}_scale{sim.scale}_{digest}"


def manifest_for(sim, result, timings: dict) -> dict:
    return {
        "run_id": run_id(sim),
        "scenario": sim.scenario.name,
        "scenario_hash": sim.scenario.content_hash,
        "ruleset": "flee",
        "seed": sim.seed,
        "scale": sim.scale,
        "start": str(result.start),
        "end": str(result.start + dt.timedelta(days=result.days - 1)),
        "days": result.days,
        "trocha_version": __version__,
        "flee_settings": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in sim.settings.__dict__.items()
        },
        "agents_created": int(sim.n),
        "agent_bytes": int(sim.agent_bytes()),
        "flee": {
            "camps": result.camp_names,
            # No camps, no camp data: there is nothing to score, so no ARD (not a perfect 0).
            "ard": averaged_relative_difference(result.camp_sim, result.camp_data)
            if result.camp_names
            else None,
            "ard_rescaled": averaged_relative_difference(
                result.camp_sim, result.camp_data, rescaled=True
            )
            if result.camp_names
            else None,
        },
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "python": platform.python_version(),
        "status": "running",
    }


def _tables(result) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    dates = pd.to_datetime(pd.Series(result.dates()))
    scale = result.scale
    countries = sorted(set(result.location_countries))
    country_of = np.array(result.location_countries)
    parts = []
    for country in countries:
        values = result.present[:, country_of == country].sum(axis=1) * scale
        parts.append(
            pd.DataFrame({"date": dates, "country": country, "metric": "present", "value": values})
        )
    in_transit = (result.total_agents - result.present.sum(axis=1)) * scale
    for metric, values in (
        ("displaced_total", result.total_agents * scale),
        ("in_transit", in_transit),
        ("in_camps", result.camp_sim.sum(axis=1) * scale),
        ("spawned", result.spawned * scale),
    ):
        parts.append(
            pd.DataFrame({"date": dates, "country": "ALL", "metric": metric, "value": values})
        )
    timeseries = pd.concat(parts, ignore_index=True)
    timeseries["value"] = timeseries["value"].astype(float)
    loc_parts = []
    for j, name in enumerate(result.camp_names):
        for metric, values in (
            ("present", result.camp_sim[:, j]),
            ("data", result.camp_data[:, j]),
        ):
            loc_parts.append(
                pd.DataFrame(
                    {"date": dates, "location": name, "metric": metric, "value": values * scale}
                )
            )
    locations = (
        pd.concat(loc_parts, ignore_index=True)
        if loc_parts
        else pd.DataFrame(
            {
                "date": pd.Series([], dtype="datetime64[ns]"),
                "location": [],
                "metric": [],
                "value": [],
            }
        )
    )
    locations["value"] = locations["value"].astype(float)
    country_by_name = dict(zip(result.location_names, result.location_countries, strict=True))
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(
                pd.Series(
                    [result.start + dt.timedelta(days=e[0]) for e in result.events], dtype=object
                )
            ),
            "kind": [e[1] for e in result.events],
            "location": [e[2] for e in result.events],
            "country": [country_by_name.get(e[2], "") for e in result.events],
            "detail": [e[3] for e in result.events],
        }
    )
    return timeseries, locations, events


FILES = ("timeseries.parquet", "locations.parquet", "events.parquet", "flee_out.csv")


def save_flee_run(result, out: Path | str) -> Path:
    """Write `out/<run_id>/` with manifest.json, the Parquet tables and flee_out.csv."""
    folder = Path(out) / result.manifest["run_id"]
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {**result.manifest, "status": "running", "files": list(FILES)}
    _write_json(manifest, folder / "manifest.json")
    timeseries, locations, events = _tables(result)
    _write_parquet(timeseries, folder / "timeseries.parquet")
    _write_parquet(locations, folder / "locations.parquet")
    _write_parquet(events, folder / "events.parquet")
    write_flee_out(result, folder / "flee_out.csv")
    manifest["status"] = "complete"
    _write_json(manifest, folder / "manifest.json")
    result.manifest = manifest
    return folder
