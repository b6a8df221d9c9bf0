"""One run of an experiment: what to run (RunSpec), how to build it, and how to save it.

A run's key names its outputs: the same key gives the same outputs (byte-identical Parquet files),
so a run directory whose manifest is `complete` with that key is never run again. Runs are
independent and seeded, so an ensemble gives the same files whichever process runs which run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..bounds import check_dates, check_scale, check_seed
from ..results.manifest import run_id
from ..results.rundir import save_run
from ..scenario.loader import Scenario, load_scenario
from ..scenario.problems import ScenarioError
from ..simulation import Simulation

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RunSpec:
    """What to run: a scenario (shipped name or folder), parameter overrides, seed, scale, dates.

    `scale`, `start` and `end` default to the scenario's. `label` (e.g. "base", "alt") is written
    to the manifest for the catalog; it is a description, not part of the run's identity.
    """

    scenario: str
    overrides: Mapping[str, float] = field(default_factory=dict)
    seed: int = 1
    scale: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    label: str | None = None
    # Interventions added to the scenario's, as [[interventions]] tables: {"type": ..., ...}.
    interventions: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "interventions",
            tuple(json.loads(json.dumps(dict(iv), default=str)) for iv in self.interventions),
        )
        # Normalised once here so that equal specs compare, hash and serialise equally.
        scenario = self.scenario
        if not isinstance(scenario, str | Path) or not str(scenario):
            raise ValueError(
                f"RunSpec.scenario must be a shipped name or a folder, got {scenario!r}"
            )
        if Path(scenario).is_dir():
            # Absolute, so that worker processes with another working directory find it.
            scenario = str(Path(scenario).resolve())
        object.__setattr__(self, "scenario", str(scenario))
        object.__setattr__(self, "overrides", _overrides(self.overrides))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"RunSpec.seed must be a non-negative integer, got {self.seed!r}")
        check_seed(self.seed, "RunSpec.seed")
        if self.scale is not None and (
            isinstance(self.scale, bool) or not isinstance(self.scale, int) or self.scale < 1
        ):
            raise ValueError(
                f"RunSpec.scale must be a positive integer (people per agent), got {self.scale!r}"
            )
        for name in ("start", "end"):
            object.__setattr__(self, name, _date(getattr(self, name), name))
        if self.label is not None and not isinstance(self.label, str):
            raise ValueError(f"RunSpec.label must be a string, got {self.label!r}")

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def key(self, scenario: Scenario | None = None) -> str:
        """The run's identity: scenario content, resolved parameters, seed, scale, dates, version.

        Loads the scenario (pass it to skip that); raises ScenarioError for a broken scenario or
        an unknown parameter name.
        """
        base = scenario if scenario is not None else load_scenario(self.scenario)
        changed = base.with_parameters(**self.overrides)
        return _key(
            changed.content_hash,
            changed.parameters,
            self.seed,
            self.scale if self.scale is not None else base.spec.default_scale,
            self.start or base.spec.start,
            self.end or base.spec.end,
            _parsed(self.interventions),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings); `RunSpec(**d)` reads it back."""
        return {
            "scenario": self.scenario,
            "overrides": dict(self.overrides),
            "seed": self.seed,
            "scale": self.scale,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "label": self.label,
            "interventions": [dict(iv) for iv in self.interventions],
        }


def check_spec(spec: RunSpec, scenario: Scenario) -> None:
    """ValueError where `scenario` cannot run the spec's scale or dates (checked up front, so an
    ensemble fails before any worker starts rather than in every run)."""
    if getattr(scenario, "ruleset", None) == "flee":
        scale = spec.scale if spec.scale is not None else scenario.spec.default_scale
        scenario.check_run(scale, spec.start or scenario.spec.start, spec.end or scenario.spec.end)
        return
    check_scale(spec.scale if spec.scale is not None else scenario.spec.default_scale, scenario)
    check_dates(scenario, spec.start or scenario.spec.start, spec.end or scenario.spec.end)


def build_simulation(spec: RunSpec, scenario: Scenario | None = None) -> Simulation:
    """The Simulation a spec describes (interventions, when they exist, are attached here).

    `scenario` is the loaded `spec.scenario`, to save loading it again.
    """
    from ..interventions import parse_interventions

    base = scenario if scenario is not None else load_scenario(spec.scenario)
    interventions, problems = parse_interventions(list(spec.interventions), "RunSpec")
    if problems:
        raise ScenarioError(problems)
    return Simulation(
        base.with_parameters(**spec.overrides),
        seed=spec.seed,
        scale=spec.scale,
        start=spec.start,
        end=spec.end,
        interventions=interventions,
    )


def simulation_key(sim: Simulation) -> str:
    """The key of the run `sim` will make; equal to `spec.key()` for the spec it was built from."""
    added = sim.interventions[len(sim.scenario.interventions) :]
    return _key(
        sim.scenario.content_hash,
        sim.parameters,
        sim.seed,
        sim.scale,
        sim.start,
        sim.end,
        tuple(_intervention_data(iv) for iv in added),
    )


def _intervention_data(intervention) -> dict[str, Any]:
    """An intervention as normalised plain data (so equal interventions give equal keys)."""
    return {"type": intervention.kind, **intervention.model_dump(mode="json")}


def _parsed(tables: tuple) -> tuple[dict[str, Any], ...]:
    from ..interventions import parse_interventions

    interventions, problems = parse_interventions(list(tables), "RunSpec")
    if problems:
        raise ScenarioError(problems)
    return tuple(_intervention_data(iv) for iv in interventions)


def execute_run(
    spec: RunSpec, out_dir: Path | str, scenario: Scenario | None = None, force: bool = False
) -> Path:
    """Run `spec` and save it to `out_dir/<run_id>/`; return that folder.

    A folder already complete with the same key is returned as is (unless `force`): a retried or
    repeated run does not run twice, and a rerun would write the same files anyway.
    """
    sim = build_simulation(spec, scenario)
    key = simulation_key(sim)
    folder = Path(out_dir) / run_id(sim)
    if not force and is_complete(folder, key):
        return folder
    result = sim.run()
    result.manifest["label"] = spec.label
    result.manifest["spec_key"] = key
    result.manifest["spec"] = spec.to_dict()
    return save_run(result, out_dir)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a run directory, or None where it is missing or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_complete(folder: Path, key: str) -> bool:
    """Whether `folder` holds a finished run with this key and every file it lists."""
    manifest = read_manifest(folder)
    return (
        manifest is not None
        and manifest.get("status") == "complete"
        and manifest.get("spec_key") == key
        and all((folder / name).is_file() for name in manifest.get("files", []))
    )


def complete_runs(out_dir: Path | str) -> dict[str, Path]:
    """Spec key -> run directory, for every complete run directly under `out_dir`."""
    found: dict[str, Path] = {}
    root = Path(out_dir)
    if not root.is_dir():
        return found
    for path in sorted(root.glob(f"*/{MANIFEST}")):
        if path.parent.name.startswith("."):
            continue  # a run being written, or an older copy being replaced
        manifest = read_manifest(path.parent)
        key = manifest.get("spec_key") if manifest else None
        if isinstance(key, str) and is_complete(path.parent, key):
            found[key] = path.parent
    return found


def _key(
    scenario_hash: str,
    parameters: Mapping[str, float],
    seed: int,
    scale: int,
    start: dt.date,
    end: dt.date,
    interventions: tuple = (),
) -> str:
    # Overrides enter through the resolved parameters, so an override equal to the default is the
    # same run (and the same run_id folder) as no override.
    identity = {
        "scenario_hash": scenario_hash,
        "parameters": {k: float(v) for k, v in parameters.items()},
        "seed": int(seed),
        "scale": int(scale),
        "start": str(start),
        "end": str(end),
        "trocha_version": __version__,
        "interventions": [dict(iv) for iv in interventions],
    }
    text = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _overrides(values: Mapping[str, float] | None) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ValueError(
            f"RunSpec.overrides must be a mapping of parameter name to number, got {values!r}"
        )
    clean = {}
    for name, value in sorted(values.items()):
        if not isinstance(name, str):
            raise ValueError(f"RunSpec.overrides: parameter names are strings, got {name!r}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise ValueError(f"RunSpec.overrides: {name} must be a finite number, got {value!r}")
        clean[name] = float(value)
    return clean


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"RunSpec.{name} must be a date like 2020-12-31, got {value!r}")
