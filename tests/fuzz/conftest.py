"""Hypothesis profiles for the fuzz suite: a bounded one for CI and a long one for `make fuzz`.

The default ("ci") keeps the whole suite well under two minutes on two cores; `make fuzz` sets
HYPOTHESIS_PROFILE=long for a thorough search. No deadline: a run's time depends on the machine,
and the contract is about outcomes, not speed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": False,
    "print_blob": True,
}
settings.register_profile("ci", max_examples=20, **_COMMON)
settings.register_profile("long", max_examples=600, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
