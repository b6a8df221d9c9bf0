"""Fuzz sweep specs: a spec is refused up front with file: field: message lines, or every point
it would run is a valid set of parameters (no run of a sweep fails on a bad value)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from contract import PROBLEM
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_scenario import toml_value

from trocha.experiments.specs import load_spec
from trocha.experiments.sweep import _points_grid, _points_lhs
from trocha.scenario.loader import load_scenario
from trocha.scenario.parameters import parameter_table
from trocha.scenario.problems import ScenarioError

NAMES = sorted(parameter_table())
TINY = load_scenario("tiny")
numbers = st.one_of(st.floats(), st.floats(min_value=-1, max_value=2), st.integers(-100, 100))
ranges = st.one_of(
    st.fixed_dictionaries({"values": st.lists(numbers, max_size=3)}),
    st.fixed_dictionaries({"low": numbers, "high": numbers}),
)


@given(
    st.dictionaries(
        st.sampled_from(["passport_share", "visa_share", "return_rate_per_year", *NAMES]),
        ranges,
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["grid", "lhs"]),
)
def test_sweep_specs_are_refused_or_every_point_is_valid(parameters, method):
    lines = ["[sweep]", 'scenario = "tiny"', f'method = "{method}"', "samples = 5", ""]
    for name, given_range in parameters.items():
        lines.append(f"[parameters.{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in given_range.items()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.toml"
        path.write_text("\n".join(lines) + "\n")
        try:
            settings, found, _ = load_spec(path, "sweep")
        except ScenarioError as error:
            assert error.problems
            assert all(PROBLEM.match(str(p)) for p in error.problems), error
            return
    if method == "grid":
        points = _points_grid(found)
    else:
        points = _points_lhs(found, settings.samples, settings.sample_seed)
    for point in points:
        TINY.with_parameters(**point)  # raises ScenarioError on any invalid value
