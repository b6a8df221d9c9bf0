"""Experiments: ensembles of runs, each described by a RunSpec and run locally or on Dask.

`runs` describes and executes one run; `dask_runner` runs many (resumable, retried). The Dask
runner is imported on use (`from trocha.experiments.dask_runner import run_many`) so that
importing this package does not import Dask.
"""

from .runs import RunSpec, build_simulation, execute_run

__all__ = ["RunSpec", "build_simulation", "execute_run"]
