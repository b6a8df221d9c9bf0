"""Sweeps (grid or Latin hypercube over parameters and intervention variants, times seeds) and
sensitivity analyses (Morris screening, Sobol indices, with SALib) on the Dask runner.

Every experiment writes a folder with runs/ (one run directory per run, so an interrupted
experiment resumes where it stopped), results.parquet (one row per run: variant, seed,
parameters, outcomes), experiment.json and, for sensitivity, indices.csv.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..scenario.loader import load_scenario
from .dask_runner import run_ensemble
from .outcomes import destination_countries, outcomes_from_run
from .runs import RunSpec
from .specs import load_spec


@dataclass
class Experiment:
    folder: Path
    results: pd.DataFrame
    indices: pd.DataFrame | None = None


def _folder(out_dir: Path | str, kind: str, spec_path: Path, specs: list[RunSpec]) -> Path:
    key = hashlib.sha256(
        json.dumps([s.to_dict() for s in specs], sort_keys=True, default=str).encode()
    ).hexdigest()[:10]
    return Path(out_dir).resolve() / f"{kind}_{spec_path.stem}_{key}"


def _points_grid(ranges) -> list[dict[str, float]]:
    names = list(ranges)
    grids = [r.values if r.values is not None else [r.low, r.high] for r in ranges.values()]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)] or [{}]


def _points_lhs(ranges, samples: int, seed: int) -> list[dict[str, float]]:
    names = list(ranges)
    if not names:
        return [{}]
    low = np.array([r.low if r.low is not None else min(r.values) for r in ranges.values()])
    high = np.array([r.high if r.high is not None else max(r.values) for r in ranges.values()])
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(samples)
    values = qmc.scale(unit, low, high)
    return [dict(zip(names, row.tolist(), strict=True)) for row in values]


def _spec(settings, point: dict[str, float], variant, seed: int) -> RunSpec:
    return RunSpec(
        settings.scenario,
        overrides=point,
        seed=seed,
        scale=settings.scale,
        end=settings.end,
        label=variant.name,
        interventions=tuple(variant.interventions),
    )


def _run_table(specs, runs, points_of, variants_of) -> pd.DataFrame:
    countries = destination_countries(load_scenario(specs[0].scenario)) if specs else []
    rows = []
    for spec, run, point, variant in zip(specs, runs, points_of, variants_of, strict=True):
        rows.append(
            {
                "run_id": run.name,
                "variant": variant,
                "seed": spec.seed,
                **point,
                **outcomes_from_run(run, countries),
            }
        )
    return pd.DataFrame(rows)


def _write(folder: Path, kind: str, spec_path: Path, results: pd.DataFrame, extra: dict) -> None:
    results.to_parquet(folder / "results.parquet", index=False)
    (folder / "experiment.json").write_text(
        json.dumps(
            {"kind": kind, "spec": str(spec_path), "runs": len(results), **extra},
            indent=2,
            default=str,
        )
        + "\n"
    )


def sweep(
    spec_path: Path | str,
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Experiment:
    """Run a sweep spec (see examples/sweep.toml)."""
    spec_path = Path(spec_path)
    settings, ranges, variants = load_spec(spec_path, "sweep")
    points = (
        _points_grid(ranges)
        if settings.method == "grid"
        else _points_lhs(ranges, settings.samples, settings.sample_seed)
    )
    specs, points_of, variants_of = [], [], []
    for point, variant, seed in itertools.product(points, variants, range(1, settings.seeds + 1)):
        specs.append(_spec(settings, point, variant, seed))
        points_of.append(point)
        variants_of.append(variant.name)
    folder = _folder(out_dir, "sweep", spec_path, specs)
    runs = run_ensemble(
        specs, folder / "runs", workers=workers, scheduler=scheduler, progress=progress
    )
    results = _run_table(specs, runs, points_of, variants_of)
    _write(folder, "sweep", spec_path, results, {"method": settings.method})
    return Experiment(folder, results)


def sensitivity(
    spec_path: Path | str,
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Experiment:
    """Morris screening or Sobol indices of the chosen outcomes (see examples/sensitivity.toml)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    spec_path = Path(spec_path)
    settings, ranges, variants = load_spec(spec_path, "sensitivity")
    names = list(ranges)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[ranges[n].low, ranges[n].high] for n in names],
    }
    if settings.method == "morris":
        X = morris_sample.sample(
            problem, settings.trajectories, num_levels=settings.levels, seed=settings.sample_seed
        )
    else:
        X = sobol_sample.sample(
            problem, settings.samples, calc_second_order=False, seed=settings.sample_seed
        )
    variant = variants[0]
    specs, points_of = [], []
    for row in X:
        point = dict(zip(names, row.tolist(), strict=True))
        for seed in range(1, settings.seeds + 1):
            specs.append(_spec(settings, point, variant, seed))
            points_of.append(point)
    folder = _folder(out_dir, f"sensitivity-{settings.method}", spec_path, specs)
    runs = run_ensemble(
        specs, folder / "runs", workers=workers, scheduler=scheduler, progress=progress
    )
    results = _run_table(specs, runs, points_of, [variant.name] * len(specs))
    rows = []
    for outcome in settings.outcomes:
        # The outcome at each sample point, averaged over seeds (runs are in sample order).
        Y = results[outcome].to_numpy().reshape(len(X), settings.seeds).mean(axis=1)
        if settings.method == "morris":
            si = morris_analyze.analyze(
                problem, X, Y, num_levels=settings.levels, seed=settings.sample_seed
            )
            for i, name in enumerate(names):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "mu_star": si["mu_star"][i],
                        "mu_star_conf": si["mu_star_conf"][i],
                        "sigma": si["sigma"][i],
                    }
                )
        else:
            si = sobol_analyze.analyze(
                problem, Y, calc_second_order=False, seed=settings.sample_seed
            )
            for i, name in enumerate(names):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": name,
                        "S1": si["S1"][i],
                        "S1_conf": si["S1_conf"][i],
                        "ST": si["ST"][i],
                        "ST_conf": si["ST_conf"][i],
                    }
                )
    indices = pd.DataFrame(rows)
    indices.to_csv(folder / "indices.csv", index=False)
    _write(
        folder,
        f"sensitivity-{settings.method}",
        spec_path,
        results,
        {"method": settings.method, "samples": len(X)},
    )
    return Experiment(folder, results, indices)
