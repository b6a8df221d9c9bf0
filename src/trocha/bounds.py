"""The domains of a run's seed, scale and dates, checked before anything is simulated.

Seeds are 0..2^63-1: they are stored as signed 64-bit integers (manifest, catalog) and mixed
modulo 2^64 into the random streams, so a larger seed would either break the catalog or silently
repeat another seed's numbers. A scale must leave at least one agent per place, or a run
"completes" with nobody in it. Trafficking victims are far fewer than migrants, so at a coarse
scale a run holds few victim agents and its trafficking outputs carry seed noise of about
1/sqrt(victim agents): `trafficking_noise` says when that exceeds what a reader would expect. The
organisations' decisions add noise that no scale removes (between seeds of the default scenario
at scale 5, victims held vary by about a tenth and the gangs' exploitation revenue by a fifth,
benchmarks/scale_stability.py), so the warning points to several seeds first.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scenario.loader import Scenario

MAX_SEED = 2**63 - 1


def check_seed(seed: object, name: str = "seed") -> int:
    """`seed` as an int in 0..2^63-1; ValueError with a one-line reason otherwise."""
    value = _whole(seed)
    if value is None:
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be from 0 to {MAX_SEED} (2^63-1), got {value}")
    return value


def people_in_scope(pool_share: float, push_factors, initial_stock) -> float:
    """People agents are allocated for: those who could ever leave and those abroad at first."""
    pool = pool_share * max(r.population for r in push_factors)
    return pool + sum(r.people for r in initial_stock or [])


def largest_scale(people: float, places: int) -> int:
    """The largest scale that still leaves one agent per place."""
    return max(1, int(people // max(1, places)))


def max_scale(scenario: Scenario) -> int:
    """The largest scale that still leaves one agent per place."""
    people = people_in_scope(
        scenario.parameters["exodus_pool_share"], scenario.push_factors, scenario.initial_stock
    )
    return largest_scale(people, len(scenario.locations))


def check_scale(scale: object, scenario: Scenario) -> int:
    """`scale` (people per agent) as an int; ValueError where it leaves fewer agents than places."""
    value = _whole(scale)
    if value is None or value < 1:
        raise ValueError(f"scale must be a positive integer (people per agent), got {scale!r}")
    largest = max_scale(scenario)
    if value > largest:
        raise ValueError(
            f"scale {value} leaves fewer agents than {scenario.name}'s "
            f"{len(scenario.locations)} places; use a scale of at most {largest}"
        )
    return value


MIN_VICTIM_AGENTS = 100  # 1/sqrt(100) = 10 % seed noise on victims held


STABLE_SCALE = 400  # trafficking outputs within 10% of scale 5's (benchmarks/scale_stability.py)


def trafficking_noise(
    peak_victims: float, scale: int, organisations_active: bool = False
) -> str | None:
    """A warning when a run's trafficking outputs rest on fewer than MIN_VICTIM_AGENTS victim
    agents at their peak (`peak_victims` in people), else None. With no victim agent at all the
    outputs read 0: said when criminal organisations were active and the scale is coarser than
    STABLE_SCALE, where the zeros are the scale's rather than the model's."""
    agents = peak_victims / scale
    if agents <= 0:
        if not organisations_active or scale <= STABLE_SCALE:
            return None
        return (
            f"no agent became a victim in this run although criminal organisations were active: "
            f"victims are whole agents, and at --scale {scale} one agent stands for {scale:,} "
            f"people, so the trafficking outputs read 0. Use --scale {STABLE_SCALE} or finer for "
            "them (within 10% of the finest scale's there, docs/benchmarks.md) and several "
            "seeds (--seeds 1-10)"
        )
    if agents >= MIN_VICTIM_AGENTS:
        return None
    noise = 1.0 / agents**0.5
    finer = max(1, int(scale * agents / MIN_VICTIM_AGENTS))
    return (
        f"trafficking outputs rest on {agents:.0f} victim agents at most: the agent count alone "
        f"gives them about {noise:.0%} seed noise (migrant stocks far less), and the "
        "organisations' decisions add more at any scale (between seeds of the default scenario "
        "at scale 5, victims held vary by about a tenth and the gangs' exploitation revenue by a "
        "fifth). Read victims, detections and "
        f"exploitation revenue over several seeds (--seeds 1-10); --scale {finer} or less "
        "removes the agent-count part"
    )


def check_dates(scenario: Scenario, start: dt.date, end: dt.date) -> None:
    """ValueError unless start < end and both fall in the years the scenario has data for."""
    if end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    years = {r.year for r in scenario.push_factors}
    for bound in (start, end):
        if bound.year not in years:
            raise ValueError(
                f"{bound} is outside the years of {scenario.name}'s push_factors.csv "
                f"({min(years)}-{max(years)}); choose dates within them"
            )


def _whole(value: object) -> int | None:
    """An int from an int-like value (int, NumPy integer, whole float, digits); else None."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# A paired comparison shares its runs' randomness (common random numbers: trafficking intervals
# 0.13-0.36 of the independent width, docs/benchmarks.md), so it is warned about only below this
# many victim agents per run, where the agent count alone gives over 30% noise.
MIN_COMPARE_VICTIM_AGENTS = 10


def comparison_trafficking_noise(
    people_trafficked: float, scale: int, organisations_active: bool
) -> str | None:
    """The warning for a comparison (`trocha compare`) whose runs traffic few victim agents:
    `people_trafficked` is the smallest mean over the scenarios compared, in people."""
    agents = people_trafficked / scale
    if agents >= MIN_COMPARE_VICTIM_AGENTS or (agents <= 0 and not organisations_active):
        return None
    if agents <= 0 and scale <= STABLE_SCALE:
        return None
    if agents < 1:
        few, finer = "fewer than one victim agent", STABLE_SCALE
    else:
        few = f"about {agents:.0f} victim agents"
        finer = max(1, min(STABLE_SCALE, int(scale * agents / MIN_VICTIM_AGENTS)))
    return (
        f"the trafficking outcomes rest on {few} per run at --scale {scale} (victims are whole "
        "agents), so their differences and intervals are mostly the agent count's noise; use "
        f"--scale {finer} or finer for them"
    )
