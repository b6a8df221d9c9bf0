"""A calibration in stages, each starting where the previous one ended.

One search over every parameter and constant at once does not move in a few dozen trials (a
backtest's 40-trial searches in 38 dimensions kept their first trial as their best), so the
shipped scenario was calibrated in steps (docs/calibration.md): the constants warm-started with
everything searched, then the parameters with the constants fixed, then the destination-choice
and exodus parameters with the constants again. A backtest that judges the model must calibrate
it the same way, or it judges a search too short to find anything.

Each stage is an ordinary calibration of a copy of the scenario folder into which the previous
stage's best point was written (`apply.py`, as `trocha calibrate --apply` does), so a stage's
fixed values are those its predecessors chose, and every stage resumes like any calibration: a
folder made once is reused, and a finished study is read back.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..scenario.loader import load_scenario, resolve_folder
from .apply import CALIBRATION_FILES, apply_calibration
from .calibration import Calibration, CalibrationSettings, calibrate

# The third step of the shipped calibration (docs/calibration.md): what legal status moves, and
# the death-risk penalty that sets who takes the Darién and the boats (with it from 2026-12-05),
# and how much the value of the destinations moves departures (from 2026-12-06).
CHOICE_AND_EXODUS = (
    "choice_irregular_status_weight",
    "choice_cost_weight",
    "choice_gdp_weight",
    "onward_stay_utility",
    "exodus_base_rate",
    "onward_rate_per_year",
    "death_risk_penalty_usd",
    "exodus_value_weight",
)


@dataclass(frozen=True)
class Stage:
    """One calibration of a staged procedure."""

    name: str
    parameters: tuple[str, ...] | None  # None: every parameter marked calibrated
    constants: bool  # search the destination constants too (else keep the folder's)
    warm_start_rounds: int  # fixed-point rounds on the constants before the search


# The steps that made the shipped venezuela scenario (docs/calibration.md), from a neutral start.
SHIPPED_PROCEDURE = (
    Stage("everything", None, True, 4),
    Stage("parameters", None, False, 0),
    Stage("choice and exodus", CHOICE_AND_EXODUS, True, 4),
)
SINGLE_SEARCH = (Stage("everything", None, True, 4),)
PROCEDURES = {"shipped": SHIPPED_PROCEDURE, "single": SINGLE_SEARCH}


@dataclass
class StagedCalibration:
    scenario: Path  # the folder the last stage calibrated (earlier stages' points written in)
    calibration: Calibration  # the last stage's: its posterior is the procedure's
    stages: list[dict]  # per stage: name, folder, best log-likelihood and point


def staged_calibration(
    template: CalibrationSettings,
    stages: tuple[Stage, ...],
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> StagedCalibration:
    """Run (or resume) `stages` on copies of `template.scenario` in `out_dir`.

    Every stage takes the template's settings (trials, seeds, scale, seed, confirmation, ...)
    with its own parameters, constants and warm start. The first stage starts from the parameter
    table's values and every host at the pool's mean (`start="neutral"`), never from the
    scenario's own calibrated values, which may have read data after `until`; later stages start
    from the folder their predecessors wrote. Only the last stage draws a posterior
    (`template.posterior_draws`); earlier ones confirm their best point and pass it on.
    """
    if not stages:
        raise ValueError("a staged calibration needs at least one stage")
    out = Path(out_dir)
    original = resolve_folder(template.scenario)
    source = load_scenario(original)
    if source.spec.base is not None:
        raise ValueError(
            f"{template.scenario} builds on another scenario (base); a staged calibration writes "
            "each stage's point into a copy of the folder, so give a scenario without a base"
        )
    folder = _copy(original, out / "scenario_1", drop=CALIBRATION_FILES)
    if load_scenario(folder).content_hash != source.content_hash:
        raise ValueError(
            f"{out} holds a staged calibration of another version of {template.scenario} (its "
            "scenario_1 differs from the scenario now); give another --out folder"
        )
    done: list[dict] = []
    for number, stage in enumerate(stages, start=1):
        last = number == len(stages)
        settings = replace(
            template,
            scenario=str(folder),
            parameters=list(stage.parameters) if stage.parameters else None,
            constants=stage.constants,
            posterior_draws=template.posterior_draws if last else 0,
            start="neutral" if number == 1 else "scenario",
            warm_start_rounds=stage.warm_start_rounds,
        )
        result = calibrate(settings, out / f"stage_{number}", workers, scheduler, progress)
        best = result.summary["best"]
        done.append(
            {
                "stage": number,
                "name": stage.name,
                "folder": str(result.folder),
                "log_likelihood": best["log_likelihood"],
                "parameters": best["parameters"],
                "constants": best["constants"],
            }
        )
        if last:
            (out / "procedure.json").write_text(
                json.dumps({"stages": done, "scenario": str(folder)}, indent=2) + "\n"
            )
            return StagedCalibration(folder, result, done)
        folder = _next_folder(folder, result.folder, out / f"scenario_{number + 1}")
    raise AssertionError("unreachable")  # the loop returns at its last stage


def stage_summary(stages: list[dict]) -> str:
    """Each stage's name and best log-likelihood, for the commands to print."""
    return ", ".join(f"{s['name']} {s['log_likelihood']:.1f}" for s in stages)


def apply_stages(staged: StagedCalibration, scenario_folder: Path, command: str) -> None:
    """Write every stage's best point into `scenario_folder`, in order (a later stage's values
    replace an earlier one's), so the folder holds what the last stage calibrated; its
    calibration files are the last stage's. The notes name `command`."""
    for stage in staged.stages:
        apply_calibration(Path(stage["folder"]), scenario_folder, command)


def _copy(source: Path, target: Path, drop: tuple[str, ...] = ()) -> Path:
    """`source` copied to `target` once (kept if it is there: a resumed procedure reuses it)."""
    return _once(
        target,
        lambda folder: shutil.copytree(
            source, folder, ignore=shutil.ignore_patterns(*drop, "__pycache__")
        ),
    )


def _next_folder(folder: Path, calibration: Path, target: Path) -> Path:
    """A copy of `folder` with the calibration's best point written in (made once)."""

    def build(copy: Path) -> None:
        shutil.copytree(folder, copy)
        apply_calibration(calibration, copy)

    return _once(target, build)


def _once(target: Path, build: Callable[[Path], object]) -> Path:
    """`target` built by `build` unless it is there; built under another name and renamed, so an
    interrupted build is never mistaken for a finished one."""
    if target.is_dir():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    build(partial)
    partial.rename(target)
    return target
