"""What a calibration may change, within which bounds: the calibrated parameters of the parameter
table and the destination-choice constants of the scenario's countries.

Parameters: those whose `source` in parameters.csv says they are calibrated, uniform on their prior
range (log-uniform when the range spans a factor of 20 or more).
Country constants (countries.csv `choice_constant`) are not free numbers each: they are drawn from
one shared distribution, c = mean + spread x z with z ~ N(0, 1) per destination country, so a
country with little data is pulled towards the others (partial pooling, as in a hierarchical
model) instead of being fitted to two data points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.loader import Scenario
from ..scenario.parameters import parameter_table

CONSTANT_MEAN = "choice_constant_mean"
CONSTANT_SPREAD = "choice_constant_spread"
Z_PREFIX = "choice_z_"
Z_BOUND = 3.5  # z is searched in [-3.5, 3.5] (the N(0, 1) prior puts 99.95% of its mass there)


@dataclass(frozen=True)
class Prior:
    name: str
    low: float
    high: float
    log: bool = False
    normal: bool = False  # a standard normal prior (z of a country constant), bounded for search

    def log_density(self, value: float) -> float:
        """Log prior density up to a constant (uniform priors contribute 0 inside their range)."""
        if not self.low <= value <= self.high:
            return -np.inf
        return -0.5 * value * value if self.normal else 0.0


def is_calibrated(source: str) -> bool:
    return source.strip().lower().startswith("calibrated")


def calibration_priors(
    scenario: Scenario, parameters: list[str] | None = None, constants: bool = True
) -> list[Prior]:
    """Priors of everything a calibration of `scenario` fits.

    `parameters` restricts the fitted parameters to those names (each must be calibrated in the
    parameter table); `constants=False` keeps the countries' choice constants as they are.
    """
    table = parameter_table()
    names = [n for n, p in table.items() if is_calibrated(p.source)]
    if parameters is not None:
        unknown = [n for n in parameters if n not in table]
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; see docs/parameters.md")
        fixed = [n for n in parameters if n not in names]
        if fixed:
            raise ValueError(
                f"{fixed} are not marked calibrated in parameters.csv (source 'calibrated ...'); "
                f"calibrated parameters: {', '.join(names)}"
            )
        names = list(parameters)
    priors = []
    for name in names:
        p = table[name]
        log = p.prior_low > 0 and p.prior_high / p.prior_low >= 20
        priors.append(Prior(name, p.prior_low, p.prior_high, log=log))
    if constants:
        hosts = destination_codes(scenario)
        if hosts:
            priors.append(Prior(CONSTANT_MEAN, -6.0, 6.0))
            priors.append(Prior(CONSTANT_SPREAD, 0.1, 6.0))
            priors += [Prior(Z_PREFIX + c, -Z_BOUND, Z_BOUND, normal=True) for c in hosts]
    if not priors:
        raise ValueError("nothing to calibrate: no parameters and no country constants")
    return priors


def destination_codes(scenario: Scenario) -> list[str]:
    """Countries whose choice constant is calibrated: the hosts (transit countries keep theirs)."""
    return [c.iso3 for c in scenario.countries if c.role == "host"]


def split_point(point: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Model parameters and country constants of a point in the search space."""
    parameters = {
        k: v
        for k, v in point.items()
        if not k.startswith(Z_PREFIX) and k not in (CONSTANT_MEAN, CONSTANT_SPREAD)
    }
    constants = {
        k[len(Z_PREFIX) :]: point[CONSTANT_MEAN] + point[CONSTANT_SPREAD] * v
        for k, v in point.items()
        if k.startswith(Z_PREFIX)
    }
    return parameters, constants


def point_of(scenario: Scenario, priors: list[Prior]) -> dict[str, float]:
    """The scenario's current values as a point of the search space (the first trial), clipped
    to the priors."""
    point = {}
    codes = [p.name[len(Z_PREFIX) :] for p in priors if p.name.startswith(Z_PREFIX)]
    current = {c.iso3: c.choice_constant for c in scenario.countries}
    values = np.array([current[c] for c in codes]) if codes else np.zeros(0)
    mean = float(values.mean()) if codes else 0.0
    spread = float(values.std()) if len(codes) > 1 else 1.0
    by_name = {p.name: p for p in priors}
    for prior in priors:
        if prior.name == CONSTANT_MEAN:
            value = mean
        elif prior.name == CONSTANT_SPREAD:
            value = spread
        elif prior.name.startswith(Z_PREFIX):
            value = (current[prior.name[len(Z_PREFIX) :]] - mean) / max(spread, 1e-9)
        else:
            value = scenario.parameters[prior.name]
        point[prior.name] = float(np.clip(value, prior.low, prior.high))
    if CONSTANT_SPREAD in by_name:
        point[CONSTANT_SPREAD] = max(point[CONSTANT_SPREAD], by_name[CONSTANT_SPREAD].low)
    return point


def neutral_point(priors: list[Prior]) -> dict[str, float]:
    """A first trial that knows nothing the scenario's own calibration learnt: the parameter
    table's values and every host at the pool's mean (mean 0, spread 1, z 0).

    A backtest starts here, so its fit to data up to the origin cannot inherit anything from a
    calibration that read later data."""
    table = parameter_table()
    point = {}
    for prior in priors:
        if prior.name == CONSTANT_MEAN:
            value = 0.0
        elif prior.name == CONSTANT_SPREAD:
            value = 1.0
        elif prior.name.startswith(Z_PREFIX):
            value = 0.0
        else:
            value = table[prior.name].value
        point[prior.name] = float(np.clip(value, prior.low, prior.high))
    return point
