"""Run many RunSpecs on a Dask `distributed` cluster, or one after another, resumably.

Every run is independent and seeded, so the files do not depend on the number of workers. A spec
whose run directory is already complete with the same key is skipped, so an interrupted ensemble
resumes where it stopped. A run that raises is retried (`retries`); a run whose worker dies is
rescheduled by the scheduler (up to `distributed.scheduler.allowed-failures` times). Retries do
not duplicate results: a run writes to the folder named by its run_id, and its manifest says
`complete` only after every file is written.

Workers on other machines (`scheduler="tcp://HOST:PORT"`) need Trocha installed and `out_dir`
at the same path (a shared file system).
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..results.outdir import check_output_folder
from ..scenario.loader import Scenario, load_scenario
from ..scenario.problems import ScenarioError
from .runs import RunSpec, check_spec, complete_runs, execute_run

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT = "10s"  # to a running scheduler (Dask's default is 30 s)


class RunError(RuntimeError):
    """Some runs failed (after retries); the others are saved and a rerun resumes."""


class EnsembleInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ensemble: `finished` of `total` distinct runs are saved; a rerun resumes."""

    def __init__(self, finished: int, total: int, before: int):
        super().__init__(f"interrupted: {finished} of {total} runs finished")
        self.finished, self.total, self.before = finished, total, before


@contextmanager
def _interruptible(out: Path, folders: dict[str, Path], todo: dict[str, RunSpec]) -> Iterator[None]:
    """Turn Ctrl-C into EnsembleInterrupted, counting the runs saved so far.

    Counted on disk once the workers are gone: a run a worker finished while the cluster closed
    is saved too.
    """
    before = len(folders)
    try:
        yield
    except EnsembleInterrupted:
        raise
    except KeyboardInterrupt:
        wanted = set(folders) | set(todo)
        finished = len(wanted & set(complete_runs(out)))
        raise EnsembleInterrupted(finished, len(wanted), before) from None


def _say_skipped(progress: bool, folders: dict[str, Path], todo: dict[str, RunSpec]) -> None:
    """On resuming, say how many runs are skipped as already complete."""
    if progress and folders:
        total = len(folders) + len(todo)
        Console(stderr=True).print(
            f"Resuming: {len(folders)} of {total} runs already complete, skipped; "
            f"{len(todo)} to run.",
            highlight=False,
        )


def run_many(
    specs: Iterable[RunSpec],
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    retries: int = 2,
    announce: bool | None = None,
) -> list[Path]:
    """Run every spec on Dask and return their run directories, in the order of `specs`.

    A local cluster of `workers` single-threaded processes (default: one per core) is started
    and closed, unless `scheduler` gives the address of a running one ("tcp://HOST:PORT").
    Raises RunError naming every run that failed, after the others have finished, and
    EnsembleInterrupted (a KeyboardInterrupt) on Ctrl-C, saying how many runs are saved.
    """
    from distributed import as_completed

    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    out, keys, folders, todo, _ = _plan(specs, out_dir)
    _say_skipped(progress if announce is None else announce, folders, todo)
    failures: list[str] = []
    if todo:
        with (
            _interruptible(out, folders, todo),
            _client(workers, scheduler) as client,
            _progress(progress, len(todo), folders) as bar,
        ):
            futures = {
                client.submit(
                    _run_task,
                    spec,
                    str(out),
                    key=f"trocha-run-{key}-{uuid.uuid4().hex[:8]}",
                    retries=retries,
                ): key
                for key, spec in todo.items()
            }
            for future in as_completed(futures):
                key = futures[future]
                try:
                    status, value = future.result()
                except Exception as problem:  # raised on every try, or its worker kept dying
                    status, value = "error", f"{type(problem).__name__}: {problem}"
                if status == "ok":
                    folders[key] = Path(value)
                else:
                    failures.append(f"{_describe(todo[key])}: {value}")
                bar.advance()
    _raise_failures(failures, len(todo))
    return [folders[key] for key in keys]


def run_ensemble(
    specs: Iterable[RunSpec],
    out_dir: Path | str,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    announce: bool | None = None,
) -> list[Path]:
    """`run_many` on Dask, or `run_many_serial` in this process where `workers` is 0.

    `announce` (default: as `progress`) says on stderr how many runs a resume skips.
    """
    if workers == 0 and scheduler is None:
        return run_many_serial(specs, out_dir, progress=progress, announce=announce)
    return run_many(
        specs, out_dir, workers=workers, scheduler=scheduler, progress=progress, announce=announce
    )


def run_many_serial(
    specs: Iterable[RunSpec],
    out_dir: Path | str,
    progress: bool = True,
    announce: bool | None = None,
) -> list[Path]:
    """Run every spec in this process, one after another (same skipping as `run_many`)."""
    out, keys, folders, todo, scenarios = _plan(specs, out_dir)
    _say_skipped(progress if announce is None else announce, folders, todo)
    failures: list[str] = []
    first_problem: BaseException | None = None
    with _interruptible(out, folders, todo), _progress(progress, len(todo), folders) as bar:
        for key, spec in todo.items():
            try:
                folders[key] = execute_run(spec, out, scenario=scenarios[spec.scenario])
            except Exception as problem:
                failures.append(f"{_describe(spec)}: {type(problem).__name__}: {problem}")
                first_problem = first_problem or problem
            bar.advance()
    try:
        _raise_failures(failures, len(todo))
    except RunError as failed:
        raise failed from first_problem
    return [folders[key] for key in keys]


def _plan(
    specs: Iterable[RunSpec], out_dir: Path | str
) -> tuple[Path, list[str], dict[str, Path], dict[str, RunSpec], dict[str, Scenario]]:
    """Keys of every spec, the runs already complete, and the distinct runs left to do."""
    specs = list(specs)
    for i, spec in enumerate(specs):
        if not isinstance(spec, RunSpec):
            raise TypeError(f"specs[{i}] is a {type(spec).__name__}, not a RunSpec")
    out = check_output_folder(out_dir).resolve()  # OutputError (a ValueError): bad location
    scenarios: dict[str, Scenario] = {}
    keys = []
    for spec in specs:
        if spec.scenario not in scenarios:
            scenarios[spec.scenario] = load_scenario(spec.scenario)  # ScenarioError: bad input
        try:
            check_spec(spec, scenarios[spec.scenario])
        except ValueError as problem:
            raise ValueError(f"{_describe(spec)}: {problem}") from None
        keys.append(spec.key(scenarios[spec.scenario]))
    out.mkdir(parents=True, exist_ok=True)
    done = complete_runs(out)
    folders = {key: done[key] for key in keys if key in done}
    todo: dict[str, RunSpec] = {}
    for spec, key in zip(specs, keys, strict=True):
        # Specs with one key are one run (a label does not change outputs): run it once.
        if key not in folders and key not in todo:
            todo[key] = spec
    return out, keys, folders, todo, scenarios


def _run_task(spec: RunSpec, out_dir: str) -> tuple[str, str]:
    """Executed on a worker: ("ok", folder) or ("error", reason) for bad input (not retried)."""
    try:
        folder = execute_run(spec, out_dir)
    except (ScenarioError, ValueError) as problem:
        return "error", str(problem).replace("\n", "; ")
    return "ok", str(folder)


@contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[Client]:
    from distributed import Client

    if scheduler is not None:
        try:
            check_scheduler(scheduler)
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as problem:
            raise RunError(
                f"cannot reach the Dask scheduler at {scheduler} ({problem}); "
                "start one with `dask scheduler` or leave scheduler unset for a local cluster"
            ) from None
        with client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client


def check_scheduler(address: str, timeout: float = 3.0) -> None:
    """OSError at once where nothing listens at a tcp://HOST:PORT address (Dask itself retries
    for its whole connect timeout); ValueError for an address that is not one."""
    if not address.startswith("tcp://"):
        if "://" in address:
            return  # another transport (tls://, inproc://): left to Dask
        raise ValueError(f"scheduler address must look like tcp://HOST:PORT, got {address!r}")
    host, _, port = address.removeprefix("tcp://").rstrip("/").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"scheduler address must look like tcp://HOST:PORT, got {address!r}")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
        pass


@contextmanager
def local_cluster(workers: int | None) -> Iterator:
    """A local cluster of single-threaded worker processes, set up for simulation runs."""
    import dask
    from distributed import LocalCluster

    # The statistical profiler samples every worker thread's stack every few milliseconds while
    # holding the GIL, which slows the Python part of a simulation; runs do not need it.
    # Dask also makes glibc return freed memory to the system at 64 KiB (MALLOC_TRIM_THRESHOLD_),
    # which turns a simulation's many short-lived NumPy arrays into system calls.
    settings = {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(256 * 2**20),
    }
    with (
        dask.config.set(settings),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with another cluster
            silence_logs=logging.ERROR,
        ) as cluster,
    ):
        yield cluster


class _Bar:
    def __init__(self, progress: Progress | None, task: int | None):
        self.progress, self.task = progress, task

    def advance(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)


@contextmanager
def _progress(enabled: bool, total: int, done: dict[str, Path]) -> Iterator[_Bar]:
    if not enabled or total == 0:
        yield _Bar(None, None)
        return
    skipped = f" ({len(done)} already complete)" if done else ""
    with Progress(
        TextColumn(f"[bold]runs[/]{skipped}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield _Bar(progress, progress.add_task("runs", total=total))


def _describe(spec: RunSpec) -> str:
    label = f" [{spec.label}]" if spec.label else ""
    overrides = ", ".join(f"{k}={v:g}" for k, v in spec.overrides.items())
    return f"{Path(spec.scenario).name} seed {spec.seed}{label}" + (
        f" ({overrides})" if overrides else ""
    )


def _raise_failures(failures: list[str], attempted: int) -> None:
    if failures:
        lines = "\n".join(failures)
        raise RunError(
            f"{len(failures)} of {attempted} runs failed (the others are saved; rerun to resume "
            f"them):\n{lines}"
        )


@contextmanager
def optional_client(workers: int | None, scheduler: str | None) -> Iterator[Client | None]:
    """No client with `workers=0` and no scheduler (tasks run in this process), else a client on
    `scheduler` or on a local cluster of `workers` processes, closed with the context."""
    if workers == 0 and scheduler is None:
        yield None
        return
    with _client(workers, scheduler) as client:
        yield client


def map_in_order(client: Client | None, func, tasks: list) -> list:
    """`func` over `tasks` on `client` (None: in this process), results in the tasks' order.

    Tasks are pure functions of their arguments (seeded runs), so a retried one gives the same
    result and the results do not depend on the number of workers."""
    if client is None:
        return [func(task) for task in tasks]
    return client.gather(client.map(func, tasks, pure=False, retries=2))
