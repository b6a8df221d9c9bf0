"""Paired comparison of a baseline and alternatives over seeds, with common random numbers.

With common random numbers (the default) the alternative runs with the same seeds as the base, so
its random draws are the base's wherever the intervention does not act, and the difference is
estimated per seed (paired): mean difference +/- t(0.975, n-1) x sd / sqrt(n). With `crn=False`
the alternative gets other seeds and the interval is Welch's for a difference of independent means,
typically much wider on the same outcome.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..scenario.loader import load_scenario
from .dask_runner import run_ensemble
from .outcomes import destination_countries, outcomes_from_run, unit_of
from .runs import RunSpec, read_manifest

COLUMNS = [
    "alternative",
    "outcome",
    "unit",
    "base_mean",
    "alt_mean",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "seeds",
]


@dataclass
class Comparison:
    table: pd.DataFrame  # the columns above, one row per (alternative, outcome)
    folder: Path  # the experiment directory (runs/, comparison.csv, experiment.json)
    scale: int  # people per agent of the coarsest run (a scenario's default when not given)


def difference_interval(
    base: np.ndarray, alt: np.ndarray, paired: bool
) -> tuple[float, float, float]:
    """Mean difference alt - base and its 95% confidence interval."""
    n = len(base)
    if paired:
        diff = alt - base
        mean = float(diff.mean())
        if n < 2:
            return mean, float("nan"), float("nan")
        half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
        return mean, mean - half, mean + half
    mean = float(alt.mean() - base.mean())
    va, vb = alt.var(ddof=1) / len(alt), base.var(ddof=1) / n
    se = np.sqrt(va + vb)
    if se == 0:
        return mean, mean, mean
    dof = (va + vb) ** 2 / (va**2 / (len(alt) - 1) + vb**2 / (n - 1))
    half = stats.t.ppf(0.975, dof) * se
    return mean, mean - half, mean + half


def compare(
    base: str,
    alternatives: list[str],
    seeds: int,
    out_dir: Path | str,
    scale: int | None = None,
    end: str | None = None,
    crn: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> Comparison:
    """Run base and alternatives over `seeds` seeds and tabulate the outcome differences."""
    if seeds < 2:
        raise ValueError("seeds must be at least 2 to estimate an interval")
    if not alternatives:
        raise ValueError("give at least one alternative scenario")
    base_seeds = list(range(1, seeds + 1))
    alt_seeds = base_seeds if crn else list(range(seeds + 1, 2 * seeds + 1))
    specs = [RunSpec(base, seed=s, scale=scale, end=end, label="base") for s in base_seeds]
    for alt in alternatives:
        specs += [RunSpec(alt, seed=s, scale=scale, end=end, label=alt) for s in alt_seeds]
    key = hashlib.sha256(
        json.dumps([s.to_dict() for s in specs], sort_keys=True, default=str).encode()
    ).hexdigest()[:10]
    # Absolute: run directories come back absolute, and are recorded relative to this folder.
    folder = Path(out_dir).resolve() / f"compare_{Path(base).name}_{key}"
    runs = run_ensemble(
        specs, folder / "runs", workers=workers, scheduler=scheduler, progress=progress
    )
    countries = destination_countries(load_scenario(base))
    outcomes = [outcomes_from_run(run, countries) for run in runs]
    base_rows = outcomes[:seeds]
    rows = []
    for i, alt in enumerate(alternatives):
        alt_rows = outcomes[seeds * (i + 1) : seeds * (i + 2)]
        for outcome in base_rows[0]:
            b = np.array([r.get(outcome, 0.0) for r in base_rows])
            a = np.array([r.get(outcome, 0.0) for r in alt_rows])
            mean, low, high = difference_interval(b, a, paired=crn)
            rows.append(
                [alt, outcome, unit_of(outcome), b.mean(), a.mean(), mean, low, high, seeds]
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.to_csv(folder / "comparison.csv", index=False)
    (folder / "experiment.json").write_text(
        json.dumps(
            {
                "kind": "compare",
                "base": base,
                "alternatives": alternatives,
                "seeds": seeds,
                "crn": crn,
                "scale": scale,
                "end": end,
                "runs": [str(r.relative_to(folder)) for r in runs],
            },
            indent=2,
        )
        + "\n"
    )
    used = max(int((read_manifest(run) or {}).get("scale", 0)) for run in runs)
    return Comparison(table=table, folder=folder, scale=used)
