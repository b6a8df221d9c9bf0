"""Non-finite and absurdly large numbers in the scenario tables are problems, not overflows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import trocha
from trocha.scenario.problems import ScenarioError


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize(
    ("file", "column", "value", "expected"),
    [
        (
            "routes.csv",
            "cost_usd",
            "inf",
            "routes.csv:2: cost_usd: Input should be a finite number",
        ),
        (
            "routes.csv",
            "cost_usd",
            "1e308",
            "routes.csv:2: cost_usd: Input should be less than or equal to 1000000000",
        ),
        (
            "routes.csv",
            "distance_km",
            "nan",
            "routes.csv:2: distance_km: Input should be a finite number",
        ),
        (
            "locations.csv",
            "population",
            "12345678901234567890123",
            "locations.csv:2: population: Input should be less than or equal to 10000000000",
        ),
        (
            "countries.csv",
            "wage_usd_month",
            "inf",
            "countries.csv:2: wage_usd_month: Input should be a finite number",
        ),
        (
            "countries.csv",
            "choice_constant",
            "-inf",
            "countries.csv:2: choice_constant: Input should be a finite number",
        ),
        (
            "push_factors.csv",
            "inflation_pct",
            "NaN",
            "push_factors.csv:2: inflation_pct: Input should be a finite number",
        ),
        ("locations.csv", "lat", "nan", "locations.csv:2: lat: Input should be a finite number"),
    ],
)
def test_non_finite_and_huge_values_are_rejected(tiny_copy, file, column, value, expected):
    set_cell(tiny_copy / file, 2, column, value)
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    assert str(caught.value.problems[0]).startswith(expected)


def test_scenario_too_large_for_memory_at_its_scale_is_refused(tiny_copy):
    set_cell(tiny_copy / "push_factors.csv", 2, "population", "10000000000")
    toml = tiny_copy / "scenario.toml"
    toml.write_text(toml.read_text().replace("default_scale = 100", "default_scale = 10"))
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(tiny_copy)
    assert [str(p) for p in caught.value.problems] == [
        "scenario.toml: scenario.default_scale: at 10 people per agent a run may need "
        "350,002,500 agents (more than 20,000,000); raise default_scale"
    ]
