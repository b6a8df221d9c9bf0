"""Parameter values are range-checked wherever they enter: scenario.toml, with_parameters, specs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import trocha
from trocha.experiments.specs import load_spec
from trocha.scenario.parameters import parameter_table
from trocha.scenario.problems import ScenarioError


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(folder)
    return [str(p) for p in caught.value.problems]


def add_parameters(folder: Path, text: str) -> None:
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace("[parameters]\n", "[parameters]\n" + text))


def test_every_parameter_has_a_valid_range_around_its_prior():
    for p in parameter_table().values():
        assert math.isfinite(p.low) and math.isfinite(p.high), p.name
        assert p.low <= p.prior_low <= p.value <= p.prior_high <= p.high, p.name
        if p.unit.startswith("share") or p.name.endswith("_probability"):
            assert (p.low, p.high) == (0, 1), p.name
        if p.unit.startswith("per ") and ("year" in p.unit or "week" in p.unit):
            assert p.low == 0, p.name


def test_out_of_range_shares_and_money_fail_the_scenario(tiny_copy):
    add_parameters(tiny_copy, "passport_share = 7\nsavings_median_usd = -100\n")
    assert problems_of(tiny_copy) == [
        "scenario.toml: parameters.passport_share: 7 is outside the valid range 0 to 1 "
        "(share of emigrants)",
        "scenario.toml: parameters.savings_median_usd: -100 is outside the valid range 1 to "
        "1e+06 (USD)",
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_parameters_fail_the_scenario(tiny_copy, value):
    add_parameters(tiny_copy, f"exodus_network_weight = {value}\n")
    assert problems_of(tiny_copy) == [
        f"scenario.toml: parameters.exodus_network_weight: expected a finite number, got {value}"
    ]


def test_negative_rate_fails_the_scenario(tiny_copy):
    toml = tiny_copy / "scenario.toml"
    toml.write_text(toml.read_text().replace("exodus_base_rate = 0.01", "exodus_base_rate = -5"))
    assert problems_of(tiny_copy) == [
        "scenario.toml: parameters.exodus_base_rate: -5 is outside the valid range 0 to 1 "
        "(per year)"
    ]


def test_visa_share_may_not_exceed_passport_share(tiny_copy):
    add_parameters(tiny_copy, "passport_share = 0.1\nvisa_share = 0.3\n")
    assert problems_of(tiny_copy) == [
        "scenario.toml: parameters.visa_share: visa_share (0.3) must not exceed passport_share "
        "(0.1): emigrants with a visa are among those with a passport"
    ]


def test_with_parameters_checks_ranges(tiny):
    with pytest.raises(ScenarioError, match=r"parameters.victim_escape_rate_year: 50 is outside"):
        tiny.with_parameters(victim_escape_rate_year=50)
    with pytest.raises(ScenarioError, match="expected a finite number"):
        tiny.with_parameters(savings_sigma=float("nan"))
    with pytest.raises(ScenarioError, match="must not exceed passport_share"):
        tiny.with_parameters(passport_share=0.05)
    assert tiny.with_parameters(passport_share=1.0, visa_share=1.0).parameters["visa_share"] == 1.0


def test_run_spec_checks_ranges():
    from trocha.experiments.runs import RunSpec

    with pytest.raises(ScenarioError, match="outside the valid range"):
        RunSpec("tiny", overrides={"female_share": 1.5}).key()


def spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text('[sweep]\nscenario = "tiny"\n\n' + text)
    return path


def test_sweep_values_outside_the_range_are_rejected(tmp_path):
    path = spec(tmp_path, "[parameters.return_rate_per_year]\nvalues = [-3, 0.01, 50]\n")
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, "sweep")
    assert [str(p) for p in caught.value.problems] == [
        "spec.toml: parameters.return_rate_per_year.values: -3 is outside the valid range 0 to 10 "
        "(per year)",
        "spec.toml: parameters.return_rate_per_year.values: 50 is outside the valid range 0 to 10 "
        "(per year)",
    ]


def test_sweep_ranges_and_coupled_parameters_are_checked(tmp_path):
    path = spec(
        tmp_path,
        "[parameters.minor_share]\nlow = 0.1\nhigh = nan\n\n"
        "[parameters.visa_share]\nvalues = [0.1, 0.6]\n\n"
        "[parameters.savings_sigma]\nvalues = []\n",
    )
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, "sweep")
    assert [str(p) for p in caught.value.problems] == [
        "spec.toml: parameters.minor_share.high: expected a finite number, got nan",
        "spec.toml: parameters.savings_sigma: Value error, values is empty; give at least one value",
        "spec.toml: parameters.visa_share: the largest visa_share (0.6) exceeds the smallest "
        "passport_share (0.45): emigrants with a visa are among those with a passport",
    ]


def test_latin_hypercube_needs_two_values(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(
        '[sweep]\nscenario = "tiny"\nmethod = "lhs"\n\n[parameters.passport_share]\nvalues = [1.0]\n'
    )
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, "sweep")
    assert [str(p) for p in caught.value.problems] == [
        "spec.toml: parameters.passport_share: a Latin hypercube samples between two values; "
        "give low and high"
    ]


def test_sweep_variant_targets_are_checked_up_front(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(
        '[sweep]\nscenario = "tiny"\n\n[[variants]]\nname = "surge"\n'
        '[[variants.interventions]]\ntype = "policing_surge"\nstart = 2018-01-01\n'
        'countries = ["ZZZ"]\nmultiplier = 2\n'
    )
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, "sweep")
    assert [str(p) for p in caught.value.problems] == [
        "spec.toml: variants[1].interventions[1].countries: policing_surge: countries ['ZZZ'] "
        "are not in countries.csv"
    ]
