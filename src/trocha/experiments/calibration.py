"""`trocha calibrate`: fit a scenario's calibrated parameters to its targets up to a cut-off date.

Search: Optuna's TPE sampler (multivariate) over the priors of `priors.py`, or (`sampler="cmaes"`)
CMA-ES started at the first trial (the scenario's values after the warm start) with a first step
of `cmaes_sigma` of each prior range: a local search, which a space of some 40 dimensions needs
(TPE over all of venezuela's never came within 400 log-likelihood units of the warm start in 500
trials: docs/benchmarks.md). Trials run in batches evaluated in parallel on Dask; every trial runs
`seeds` seeds and compares the seed-mean of the simulated targets with the observations
(`likelihood.py`). The study lives in an SQLite file in the output folder, so an interrupted
calibration resumes where it stopped; TPE's sampler of each batch is seeded by (seed, batch
number) and trials are told in order, so a resumed study proposes exactly what the uninterrupted
one would have, and the number of workers does not change the study (CMA-ES keeps its state in
the study).

Runs end at the cut-off date: nothing after it is simulated, let alone compared.

Output (in the output folder): `study.db` (the Optuna study), `posterior.parquet` (every completed
trial: parameters, constants, log-likelihood, log-prior, weight) and `calibration.json` (settings,
targets used and held back, the points re-run on fresh seeds and the best of them, weighted
summaries, effective sample size).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..scenario.loader import Scenario, load_scenario
from .dask_runner import map_in_order, optional_client
from .importance import (
    Proposal,
    adapt_proposal,
    fit_proposal,
    importance_weights,
    log_prior,
    mixture_log_density,
    parameter_values,
    prior_box,
    search_coordinates,
)
from .likelihood import ErrorModel, count_floor, fitted_errors, target_log_likelihoods
from .priors import Prior, calibration_priors, neutral_point, point_of, split_point
from .surrogate import smooth_log_likelihood
from .targets import Target, calibration_targets, held_back, simulated_values
from .warm_start import warm_constants

STUDY_NAME = "trocha-calibration"


@dataclass(frozen=True)
class TrialRun:
    """One simulation of a trial: everything a worker needs, picklable."""

    scenario: str
    parameters: dict[str, float]
    constants: dict[str, float]
    seed: int
    scale: int | None
    end: dt.date
    targets: tuple[Target, ...]
    assimilate: dt.date | None = None  # restart from the host stocks observed that day


@functools.lru_cache(maxsize=8)
def cached_scenario(scenario: str) -> Scenario:
    """A scenario loaded once per process: a worker runs many members of the same one."""
    return load_scenario(scenario)


def is_flee(scenario) -> bool:
    """An imported Flee scenario (it runs under Flee's rules and modules)."""
    return type(scenario).__module__.startswith("trocha.flee.")


def build_trial_simulation(
    scenario: Scenario | str,
    parameters: dict[str, float],
    constants: dict[str, float],
    seed: int,
    scale: int | None,
    end: dt.date | str | None,
    assimilate: dt.date | None = None,
):
    """A Simulation with a point's parameters and country choice constants applied (a scenario
    given by name or folder is loaded once per process); with `assimilate`, its settled migrants
    are re-spread over the hosts by the stocks observed on that date (modules/assimilation.py)."""
    from ..modules.assimilation import StockAssimilation, observed_stocks
    from ..modules.plan import default_modules
    from ..simulation import Simulation

    if isinstance(scenario, str):
        scenario = cached_scenario(scenario)
    modules = None
    stocks = observed_stocks(scenario, assimilate) if assimilate and not is_flee(scenario) else {}
    if stocks:
        modules = [StockAssimilation(assimilate, stocks), *default_modules()]
    sim = Simulation(
        scenario.with_parameters(**parameters), seed=seed, scale=scale, end=end, modules=modules
    )
    codes = list(sim.world.country_codes)
    for code, value in constants.items():
        sim.world.country_constant[codes.index(code)] = value
    return sim


def simulate_targets(run: TrialRun) -> np.ndarray:
    """Executed on a worker: the simulated value of every target for one seed."""
    sim = build_trial_simulation(
        run.scenario, run.parameters, run.constants, run.seed, run.scale, run.end, run.assimilate
    )
    return simulated_values(sim.run().timeseries, list(run.targets))


@dataclass
class CalibrationSettings:
    scenario: str
    until: dt.date
    trials: int = 100
    seeds: int = 3
    scale: int | None = None
    batch: int = 4
    seed: int = 0
    parameters: list[str] | None = None
    constants: bool = True
    errors: ErrorModel = field(default_factory=ErrorModel)
    posterior_draws: int = 40  # importance-sampled draws after the search (importance.py)
    draws_per_round: int = 20  # draws per adaptive round of the proposal (importance.py)
    confirm_top: int = 5  # best points re-run on fresh seeds before one is chosen
    confirm_seeds: int = 4  # fresh seeds for each of them
    warm_start_rounds: int = 3  # fixed-point rounds on the constants before the search
    start: str = "scenario"  # first trial: the scenario's values, or "neutral" (priors.py)
    sampler: str = "tpe"  # "tpe" (global) or "cmaes" (local, from the first trial)
    cmaes_sigma: float = 0.02  # CMA-ES's first step, as a share of each prior's range
    # Every run restarts on this day from the host stocks observed then (multiple shooting): the
    # targets after it score the flows from the observed state, which is how a forecast starts.
    assimilate: dt.date | None = None

    def check(self) -> None:
        for name in ("trials", "seeds", "batch", "draws_per_round"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.start not in ("scenario", "neutral"):
            raise ValueError(f"start must be 'scenario' or 'neutral', got {self.start!r}")
        if self.sampler not in ("tpe", "cmaes"):
            raise ValueError(f"sampler must be 'tpe' or 'cmaes', got {self.sampler!r}")
        if not 0 < self.cmaes_sigma <= 1:
            raise ValueError(f"cmaes_sigma must be in (0, 1], got {self.cmaes_sigma!r}")
        for name in ("posterior_draws", "warm_start_rounds", "confirm_top", "confirm_seeds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        if self.scale is not None and (not isinstance(self.scale, int) or self.scale < 1):
            raise ValueError(f"scale must be a positive integer, got {self.scale!r}")
        if self.assimilate is not None and self.assimilate >= self.until:
            raise ValueError(
                f"assimilate ({self.assimilate}) must be before until ({self.until}): the "
                "targets after it are what the restart is scored on"
            )

    def identity(self, scenario: Scenario) -> dict:
        """What makes two calibrations the same study (compared on resume)."""
        return {
            "scenario_hash": scenario.content_hash,
            "until": self.until.isoformat(),
            "seeds": self.seeds,
            "scale": self.scale,
            "batch": self.batch,
            "seed": self.seed,
            "parameters": self.parameters,
            "constants": self.constants,
            "warm_start_rounds": self.warm_start_rounds,
            "start": self.start,
            "sampler": self.sampler,
            "cmaes_sigma": self.cmaes_sigma,
            "errors": json.loads(json.dumps(asdict(self.errors))),  # as the study stores it
            "version": __version__,
            # only when set, so that studies made before the option still resume
            **({"assimilate": self.assimilate.isoformat()} if self.assimilate else {}),
        }


@dataclass
class Calibration:
    folder: Path
    posterior: pd.DataFrame  # one row per completed trial
    summary: dict  # calibration.json


def calibrate(
    settings: CalibrationSettings,
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> Calibration:
    """Run (or resume) a calibration; `workers=0` evaluates in this process (no Dask)."""
    import optuna

    settings.check()
    scenario = load_scenario(settings.scenario)
    reference = scenario_reference(settings.scenario)
    if settings.assimilate is not None and is_flee(scenario):
        raise ValueError(
            "assimilate: a Flee scenario runs under Flee's rules, which have no restart from "
            "observed stocks; leave out --assimilate"
        )
    until = settings.until
    if until < scenario.spec.start:
        raise ValueError(f"until {until} is before the scenario starts ({scenario.spec.start})")
    end = min(until, scenario.spec.end)
    targets = [t for t in calibration_targets(scenario, until) if t.date >= scenario.spec.start]
    if not targets:
        raise ValueError(f"no calibration targets between {scenario.spec.start} and {until}")
    from ..modules.assimilation import observed_stocks

    if settings.assimilate is not None and not observed_stocks(scenario, settings.assimilate):
        raise ValueError(
            f"assimilate {settings.assimilate}: {scenario.name}'s targets.csv has no host stock "
            "observed in the year up to that day to restart from; give the date of one"
        )
    priors = calibration_priors(scenario, settings.parameters, settings.constants)
    errors = settings.errors.with_minor_hosts(targets)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{out / 'study.db'}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    identity = settings.identity(scenario)
    study = optuna.create_study(
        study_name=STUDY_NAME, storage=storage, direction="minimize", load_if_exists=True
    )
    fresh = not study.trials
    if fresh:
        study.set_user_attr("identity", identity)
    elif study.user_attrs.get("identity") != identity:
        raise ValueError(
            f"{out} holds a calibration with other settings "
            f"({study.user_attrs.get('identity')}); give another --out folder"
        )
    _fail_unfinished(study)
    distributions = _distributions(priors)
    started = time.perf_counter()
    done_before = _completed(study)
    with (
        optional_client(workers, scheduler) as client,
        _progress(
            progress,
            settings.trials
            + settings.posterior_draws
            + (settings.confirm_top if settings.confirm_seeds else 0),
        ) as show,
    ):
        agent_people = settings.scale or scenario.spec.default_scale
        floor = count_floor(agent_people)
        score = Scorer(tuple(targets), errors, floor, agent_people)
        evaluate = functools.partial(
            _evaluate, settings=settings, priors=priors, client=client, score=score,
            runs=functools.partial(
                TrialRun, reference, seed=0, scale=settings.scale, end=end,
                targets=tuple(targets), assimilate=settings.assimilate,
            ),
        )  # fmt: skip
        if fresh:
            first = warm_constants(
                point_of(scenario, priors)
                if settings.start == "scenario"
                else neutral_point(priors),
                priors,
                targets,
                lambda point: evaluate([point])[0]["simulated"],
                settings.warm_start_rounds,
                floor,
            )
            study.enqueue_trial(first)
        show(done_before, _best(study))
        local = _local_sampler(study, settings) if settings.sampler == "cmaes" else None
        while (n_done := len(_search_trials(study))) < settings.trials:
            batch_index = n_done // settings.batch
            size = min(settings.batch - n_done % settings.batch, settings.trials - n_done)
            study.sampler = local or optuna.samplers.TPESampler(
                seed=settings.seed * 1_000_003 + batch_index,
                multivariate=True,
                n_startup_trials=min(10, max(2, settings.trials // 4)),
            )
            asked = [study.ask(distributions) for _ in range(size)]
            for trial, result in zip(asked, evaluate([t.params for t in asked]), strict=True):
                total = result["log_likelihood"] + result["log_prior"]
                trial.set_user_attr("log_likelihood", result["log_likelihood"])
                trial.set_user_attr("log_prior", result["log_prior"])
                trial.set_user_attr("minor_stock_log_sd", result["minor_stock_log_sd"])
                trial.set_user_attr("simulated", [float(v) for v in result["simulated"]])
                study.tell(trial, -total if np.isfinite(total) else 1e300)
            show(_completed(study), _best(study))
            if on_batch is not None:
                on_batch(batch_index)
        _noise_phase(study, settings, evaluate, score)
        _posterior_phase(study, settings, priors, distributions, evaluate, show)
        _confirm_phase(study, settings, evaluate, show, score)
    posterior = posterior_table(study, priors)
    summary = _summary(
        settings, scenario, targets, held_back(scenario, until), posterior, priors, started,
        study.user_attrs.get("confirmed", {}), errors,
    )  # fmt: skip
    posterior.to_parquet(out / "posterior.parquet", index=False)
    (out / "calibration.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return Calibration(folder=out, posterior=posterior, summary=summary)


def _local_sampler(study, settings: CalibrationSettings):
    """CMA-ES centred on the study's first trial (the warm-started scenario values), with a first
    step of `cmaes_sigma` of each prior range (Optuna searches a [0, 1] box per dimension)."""
    import warnings

    import optuna

    first = study.trials[0]
    start = first.params or first.system_attrs.get("fixed_params", {})
    with warnings.catch_warnings():
        # x0 and sigma0 are deprecated in Optuna 5 (to go in 6; constraints.txt pins 5.0.0).
        warnings.simplefilter("ignore", FutureWarning)
        return optuna.samplers.CmaEsSampler(
            x0=dict(start),
            sigma0=settings.cmaes_sigma,
            seed=settings.seed,
            n_startup_trials=0,
            warn_independent_sampling=False,
        )


@dataclass(frozen=True)
class Scorer:
    """Total log-likelihood of a mean of `runs` seeds (likelihood.py), with the minor hosts'
    stock sd estimated at each point where the error model leaves it to be (profile
    likelihood)."""

    targets: tuple[Target, ...]
    errors: ErrorModel
    floor: float
    agent_people: float

    def fit(self, simulated, runs: int) -> tuple[float, ErrorModel]:
        targets = list(self.targets)
        errors = fitted_errors(targets, simulated, self.errors, self.floor, self.agent_people, runs)
        total = target_log_likelihoods(
            targets, simulated, errors, self.floor, agent_people=self.agent_people, runs=runs
        ).sum()
        return float(total), errors

    def __call__(self, simulated, runs: int) -> float:
        return self.fit(simulated, runs)[0]


def _minor_sd(errors: ErrorModel) -> float:
    """The minor hosts' stock sd a point was scored with (NaN where the model has none)."""
    return float("nan") if errors.minor_stock_log_sd is None else errors.minor_stock_log_sd


def _evaluate(points, *, settings, priors, client, runs, score, seeds=None) -> list[dict]:
    """Seed-mean simulated targets and log-likelihoods of parameter points (seeds 1 to
    `settings.seeds` unless `seeds` is given)."""
    seeds = list(seeds or range(1, settings.seeds + 1))
    batch = [runs(*split_point(point), seed=s) for point in points for s in seeds]
    values = map_in_order(client, simulate_targets, batch)
    out = []
    for i, point in enumerate(points):
        per_seed = np.array(values[i * len(seeds) : (i + 1) * len(seeds)])
        simulated = np.nanmean(per_seed, axis=0) if per_seed.size else per_seed
        log_prior = float(sum(p.log_density(point[p.name]) for p in priors))
        log_likelihood, errors = score.fit(simulated, len(seeds))
        out.append(
            {
                "log_likelihood": log_likelihood,
                "minor_stock_log_sd": _minor_sd(errors),
                "log_prior": log_prior,
                "simulated": simulated,
                "per_seed": per_seed,
            }
        )
    return out


def _confirm_phase(study, settings, evaluate, show, score) -> None:
    """Re-run the `confirm_top` best points on `confirm_seeds` fresh seeds and score each on the
    mean over all its seeds (study attribute "confirmed"), so the point applied to the scenario
    is the best fit, not the luckiest: with two seeds, the best few trials' order is mostly seed
    luck (docs/calibration.md)."""
    if settings.confirm_top == 0 or settings.confirm_seeds == 0:
        return
    confirmed = dict(study.user_attrs.get("confirmed", {}))
    done = sorted(_search_trials(study) + _posterior_trials(study), key=lambda t: t.value)
    todo = [t for t in done[: settings.confirm_top] if str(t.number) not in confirmed]
    fresh = range(settings.seeds + 1, settings.seeds + settings.confirm_seeds + 1)
    runs = settings.seeds + settings.confirm_seeds
    for start in range(0, len(todo), settings.batch):
        chunk = todo[start : start + settings.batch]
        for trial, result in zip(
            chunk, evaluate([t.params for t in chunk], seeds=fresh), strict=True
        ):
            earlier = np.array(trial.user_attrs["simulated"], dtype=np.float64)
            mean = (settings.seeds * earlier + settings.confirm_seeds * result["simulated"]) / runs
            log_likelihood, errors = score.fit(mean, runs)
            confirmed[str(trial.number)] = {
                "log_likelihood_search": trial.user_attrs["log_likelihood"],
                "log_likelihood": log_likelihood,
                "minor_stock_log_sd": _minor_sd(errors),
                "log_prior": trial.user_attrs["log_prior"],
                "seeds": runs,
                "replicates": replicate_log_likelihoods(result["per_seed"], settings.seeds, score),
            }
        study.set_user_attr("confirmed", confirmed)
        show(_completed(study) + len(confirmed), _best(study))


NOISE_POINTS = 3  # best search trials re-run before the posterior rounds to measure the noise
NOISE_GROUPS = 2  # fresh seed groups (of --seeds seeds) per point


def _noise_phase(study, settings, evaluate, score) -> None:
    """Before the posterior rounds, re-run the NOISE_POINTS best search trials on NOISE_GROUPS
    groups of fresh seeds (after the confirmation's), each group scored as a search trial is:
    replicates whose spread is the seeds' noise (study attribute "noise"), which the rounds'
    adaptation and the weights smooth out (surrogate.py)."""
    if settings.posterior_draws == 0 or "noise" in study.user_attrs:
        return
    first = settings.seeds + settings.confirm_seeds + 1
    seeds = range(first, first + NOISE_GROUPS * settings.seeds)
    best = sorted(_search_trials(study), key=lambda t: t.value)[:NOISE_POINTS]
    results = evaluate([t.params for t in best], seeds=seeds)
    study.set_user_attr(
        "noise",
        {
            str(t.number): {
                "replicates": replicate_log_likelihoods(r["per_seed"], settings.seeds, score)
            }
            for t, r in zip(best, results, strict=True)
        },
    )


def _measured_noise(study) -> tuple[float, int]:
    """The seeds' noise from every replicate the study holds (noise phase and confirmation)."""
    return seed_noise(
        [
            *study.user_attrs.get("noise", {}).values(),
            *study.user_attrs.get("confirmed", {}).values(),
        ]
    )


def replicate_log_likelihoods(per_seed: np.ndarray, group: int, score) -> list[float]:
    """Log-likelihoods of consecutive groups of `group` seeds (each scored as a search trial
    is): independent replicates of one point's log-likelihood, whose spread measures the seeds'
    noise (surrogate.py). The search's own value is left out: the confirmed points were chosen
    for it being high."""
    n = len(per_seed) // group if group > 0 else 0
    return [
        float(score(np.nanmean(per_seed[i * group : (i + 1) * group], axis=0), group))
        for i in range(n)
    ]


def seed_noise(points: Iterable[dict]) -> tuple[float, int]:
    """Pooled standard deviation of the points' replicate log-likelihoods (each point's
    "replicates"), and its degrees of freedom (nan, 0 without two replicates of some point)."""
    squares, dof = 0.0, 0
    for entry in points:
        values = np.asarray(entry.get("replicates", []), dtype=np.float64)
        values = values[np.isfinite(values)]
        if len(values) >= 2:
            squares += float(((values - values.mean()) ** 2).sum())
            dof += len(values) - 1
    return (float(np.sqrt(squares / dof)), dof) if dof else (float("nan"), 0)


def _posterior_phase(study, settings, priors, distributions, evaluate, show) -> None:
    """Importance-sampled posterior draws after the search, in adaptive rounds (importance.py),
    stored as trials with phase "posterior" and each round's proposal in the study, so an
    interrupted phase resumes with the same proposals and draws."""
    import optuna

    if settings.posterior_draws == 0:
        return
    proposals = _round_proposals(study)
    size = study.user_attrs.get("draws_per_round")
    if proposals and size != settings.draws_per_round:
        raise ValueError(
            f"this study's posterior draws come in rounds of {size}; "
            f"resume it with --draws-per-round {size}"
        )
    study.set_user_attr("draws_per_round", settings.draws_per_round)
    done = {t.user_attrs["draw"] for t in _posterior_trials(study)}
    for r, draws in enumerate(_rounds(settings.posterior_draws, settings.draws_per_round)):
        if r < len(proposals):
            proposal = proposals[r]
        else:
            proposal = _next_proposal(study, priors, proposals, settings.seed)
            proposals.append(proposal)
            study.set_user_attr("proposals", [q.to_json() for q in proposals])
        remaining = [i for i in draws if i not in done]
        for start in range(0, len(remaining), settings.batch):
            chunk = remaining[start : start + settings.batch]
            points = [
                parameter_values(priors, proposal.draw(priors, settings.seed, i)) for i in chunk
            ]
            for i, point, result in zip(chunk, points, evaluate(points), strict=True):
                s = search_coordinates(priors, point)
                total = result["log_likelihood"] + result["log_prior"]
                attrs = {
                    "phase": "posterior",
                    "draw": i,
                    "round": r,
                    "from_prior": Proposal.from_prior(settings.seed, i),
                    "log_likelihood": result["log_likelihood"],
                    "log_prior": result["log_prior"],
                    "minor_stock_log_sd": result["minor_stock_log_sd"],
                    "log_prior_search": log_prior(priors, s),
                    "log_proposal": proposal.log_density(priors, s),
                    "simulated": [float(v) for v in result["simulated"]],
                }
                study.add_trial(
                    optuna.trial.create_trial(
                        params=point,
                        distributions=distributions,
                        value=-total if np.isfinite(total) else 1e300,
                        user_attrs=attrs,
                    )
                )
            show(_completed(study), _best(study))


def _rounds(draws: int, size: int) -> list[range]:
    """Draw numbers of each adaptive round (`size` draws each, the last may be shorter), so
    extending `--posterior-draws` adds rounds after the earlier ones."""
    return [range(a, min(a + size, draws)) for a in range(0, draws, size)]


def _round_proposals(study) -> list[Proposal]:
    return [Proposal.from_json(q) for q in study.user_attrs.get("proposals", [])]


def _next_proposal(study, priors, proposals: list[Proposal], seed: int) -> Proposal:
    """Round 0: from the search trials; later rounds: adapted to the previous round's draws."""
    search = _search_trials(study)
    if not proposals:
        return fit_proposal(
            priors,
            np.array([search_coordinates(priors, t.params) for t in search]),
            np.array([t.value for t in search], dtype=np.float64),
            seed,
        )
    every = search + _posterior_trials(study)
    # The best point and the drops below it on the smoothed log posterior: raw values carry the
    # seeds' noise, which makes the luckiest point the best and inflates every drop, so the
    # rounds would shrink far below the posterior's width (docs/calibration.md).
    low, high = prior_box(priors)
    values = smooth_log_likelihood(
        np.array([search_coordinates(priors, t.params) for t in every]),
        np.array([-t.value for t in every], dtype=np.float64),
        low, high, seed=0, noise_sd=_measured_noise(study)[0],
    ).log_likelihood  # fmt: skip
    best = int(np.argmax(values))
    previous = [
        i
        for i, t in enumerate(every)
        if t.user_attrs.get("phase") == "posterior"
        and t.user_attrs.get("round") == len(proposals) - 1
        and not t.user_attrs["from_prior"]
    ]
    return adapt_proposal(
        priors,
        proposals[-1],
        search_coordinates(priors, every[best].params),
        float(values[best]),
        values[previous],
        seed + len(proposals),
    )


def _search_trials(study) -> list:
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return [t for t in done if t.user_attrs.get("phase") != "posterior"]


def _posterior_trials(study) -> list:
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return [t for t in done if t.user_attrs.get("phase") == "posterior"]


def scenario_reference(name_or_path: str) -> str:
    """A scenario name for shipped scenarios, an absolute path for folders (workers may run
    elsewhere)."""
    path = Path(name_or_path)
    return str(path.resolve()) if path.is_dir() else str(name_or_path)


def posterior_table(study, priors: list[Prior]) -> pd.DataFrame:
    """Completed trials with their weights.

    With posterior draws (phase "posterior"), the weights are importance weights, prior x
    likelihood / proposal, over those draws, and the search trials weigh 0. Without them
    (`posterior_draws = 0`), the search trials are weighted by exp(log-likelihood + log-prior):
    TPE's proposal density is not recorded, so those weights describe the explored set, not
    posterior draws (docs/calibration.md).
    """
    import optuna

    rows = []
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        _, constants = split_point(trial.params)
        attrs = trial.user_attrs
        rows.append(
            {
                "trial": trial.number,
                "phase": attrs.get("phase", "search"),
                "draw": attrs.get("draw", -1),
                "round": attrs.get("round", 0 if attrs.get("phase") == "posterior" else -1),
                **{p.name: trial.params[p.name] for p in priors},
                **{f"constant_{k}": v for k, v in constants.items()},
                "log_likelihood": attrs.get("log_likelihood", -np.inf),
                "log_prior": attrs.get("log_prior", -np.inf),
                "minor_stock_log_sd": attrs.get("minor_stock_log_sd", np.nan),
                "log_prior_search": attrs.get("log_prior_search", np.nan),
                "log_proposal": attrs.get("log_proposal", np.nan),
                "loss": trial.value,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    drawn = (table["phase"] == "posterior").to_numpy()
    noise, dof = _measured_noise(study)
    low, high = prior_box(priors)
    smoothed = smooth_log_likelihood(
        np.array([search_coordinates(priors, r) for r in table[[p.name for p in priors]]
                  .to_dict("records")]),
        table["log_likelihood"].to_numpy(dtype=np.float64),
        low, high, seed=0, noise_sd=noise,
    )  # fmt: skip
    table["log_likelihood_smoothed"] = smoothed.log_likelihood
    weight, raw = np.zeros(len(table)), np.zeros(len(table))
    if drawn.any():
        proposal = _mixture_densities(study, priors, table.loc[drawn])
        prior = table.loc[drawn, "log_prior_search"]
        raw[drawn] = importance_weights(table.loc[drawn, "log_likelihood"], prior, proposal)
        weight[drawn] = importance_weights(smoothed.log_likelihood[drawn], prior, proposal)
    else:
        raw = importance_weights(table["log_likelihood"], table["log_prior"], 0.0)
        weight = importance_weights(smoothed.log_likelihood, table["log_prior"], 0.0)
    table["weight_raw"] = raw
    table["weight"] = weight
    table = table.sort_values("trial").reset_index(drop=True)
    table.attrs["smoothing"] = {
        "fitted": smoothed.fitted,
        "noise_sd": smoothed.noise_sd,
        "noise_measured": bool(np.isfinite(noise)),
        "noise_dof": dof,
        "points_used": smoothed.points_used,
    }
    return table


def _mixture_densities(study, priors: list[Prior], drawn: pd.DataFrame) -> np.ndarray:
    """log proposal density of each draw: the deterministic mixture of the rounds' proposals
    (importance.py); a study without stored rounds keeps each draw's own density."""
    proposals = _round_proposals(study)
    if not proposals:
        return drawn["log_proposal"].to_numpy()
    rounds = drawn["round"].to_numpy()
    counts = [int((rounds == r).sum()) for r in range(len(proposals))]
    return np.array(
        [
            mixture_log_density(priors, proposals, counts, search_coordinates(priors, row))
            for row in drawn[[p.name for p in priors]].to_dict("records")
        ]
    )


def _summary(
    settings, scenario, targets, later, posterior, priors, started, confirmed, errors
) -> dict:
    best = posterior.loc[posterior["loss"].idxmin()]
    if confirmed:  # the best on all its seeds among the re-run points
        number = max(
            confirmed, key=lambda k: confirmed[k]["log_likelihood"] + confirmed[k]["log_prior"]
        )
        best = posterior.loc[posterior["trial"] == int(number)].iloc[0].copy()
        best["log_likelihood"] = confirmed[number]["log_likelihood"]
        best["loss"] = -(confirmed[number]["log_likelihood"] + confirmed[number]["log_prior"])
        best["minor_stock_log_sd"] = confirmed[number].get("minor_stock_log_sd", np.nan)
    w = posterior["weight"].to_numpy()
    ess = _ess(w)
    smoothing = {
        **posterior.attrs.get("smoothing", {}),
        "effective_sample_size_raw": _ess(posterior["weight_raw"].to_numpy()),
    }
    columns = [p.name for p in priors] + [c for c in posterior if c.startswith("constant_")]
    summaries = {}
    for column in columns:
        values = posterior[column].to_numpy()
        order = np.argsort(values)
        cdf = np.cumsum(w[order])
        summaries[column] = {
            "mean": float((values * w).sum()),
            "q05": float(values[order][np.searchsorted(cdf, 0.05)]),
            "q95": float(values[order][min(np.searchsorted(cdf, 0.95), len(values) - 1)]),
            "best": float(best[column]),
        }
    parameters, constants = split_point({p.name: float(best[p.name]) for p in priors})
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash,
        "until": settings.until.isoformat(),
        "trials": len(posterior),
        "seeds": settings.seeds,
        "scale": settings.scale,
        "batch": settings.batch,
        "seed": settings.seed,
        # The error model the best point was scored with: a validation or forecast from this
        # calibration uses the minor hosts' sd estimated there.
        "error_model": asdict(_at_best(errors, best.get("minor_stock_log_sd", np.nan))),
        "targets_used": [{"row": t.row, "target": t.label, "value": t.value} for t in targets],
        "targets_held_back": len(later),
        "best": {
            "trial": int(best["trial"]),
            "loss": float(best["loss"]),
            "log_likelihood": float(best["log_likelihood"]),
            "parameters": parameters,
            "constants": constants,
        },
        "confirmed": [
            {"trial": int(k), **v}
            for k, v in sorted(confirmed.items(), key=lambda kv: -kv[1]["log_likelihood"])
        ],
        "effective_sample_size": ess,
        "smoothing": smoothing,
        "weights": "importance" if (posterior["phase"] == "posterior").any() else "search",
        "posterior": summaries,
        "version": __version__,
        "seconds": round(time.perf_counter() - started, 1),
        "command": command_line(settings),
    }


def command_line(settings: CalibrationSettings, procedure: str | None = None) -> str:
    """The `trocha calibrate` command of these settings (a staged `procedure` sets what each
    stage fits and its warm start itself)."""
    fitted = (
        ""
        if procedure
        else "".join(f" --parameter {name}" for name in settings.parameters or [])
        + ("" if settings.constants else " --no-constants")
    )
    return (
        f"trocha calibrate {settings.scenario} --until {settings.until}"
        + (f" --procedure {procedure}" if procedure else "")
        + f" --trials {settings.trials} --seeds {settings.seeds}"
        + (f" --scale {settings.scale}" if settings.scale else "")
        + f" --batch {settings.batch} --seed {settings.seed}{fitted}"
        + f" --posterior-draws {settings.posterior_draws}"
        + f" --draws-per-round {settings.draws_per_round}"
        + f" --confirm-top {settings.confirm_top} --confirm-seeds {settings.confirm_seeds}"
        + ("" if procedure else f" --warm-start-rounds {settings.warm_start_rounds}")
        + (f" --assimilate {settings.assimilate}" if settings.assimilate else "")
    )


def _at_best(errors: ErrorModel, minor_sd: float) -> ErrorModel:
    """`errors` with the minor hosts' sd estimated at the best point, where it was estimated."""
    if not errors.estimates_minor_sd or not np.isfinite(minor_sd):
        return errors
    return replace(errors, minor_stock_log_sd=float(minor_sd))


def _ess(weights: np.ndarray) -> float:
    """Effective sample size of normalised weights (1 / sum of squares; 0 without weight)."""
    return float(1.0 / (weights**2).sum()) if weights.sum() > 0 else 0.0


def _distributions(priors: list[Prior]) -> dict:
    from optuna.distributions import FloatDistribution

    return {p.name: FloatDistribution(p.low, p.high, log=p.log) for p in priors}


def _completed(study) -> int:
    import optuna

    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _best(study) -> float | None:
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return min(t.value for t in done) if done else None


def _fail_unfinished(study) -> None:
    """Trials left running by an interrupted calibration are marked failed (and asked again)."""
    import optuna

    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
    # Trials enqueued but never asked stay WAITING and are asked first, as intended.


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[int, float | None], None]]:
    """An update(done, best loss) function drawing trials done, the best loss and an ETA on
    stderr (doing nothing when not wanted)."""
    if not enabled:
        yield lambda done, best: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("[bold]trials[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("best loss {task.fields[best]}"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("trials", total=total, best="-")

        def update(done: int, best: float | None) -> None:
            progress.update(task, completed=done, best="-" if best is None else f"{best:,.1f}")

        yield update
