"""The parameter table is complete, sourced, within its priors, and documented."""

from pathlib import Path

from trocha.scenario.parameters import parameter_table
from trocha.scenario.parameters_doc import parameters_markdown


def test_every_parameter_has_unit_source_and_prior():
    for p in parameter_table().values():
        assert p.unit and p.source and p.description, p.name
        assert p.prior_low <= p.value <= p.prior_high, p.name


def test_docs_parameters_md_is_up_to_date():
    doc = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"
    assert doc.read_text() == parameters_markdown(), (
        "run: trocha parameters --markdown > docs/parameters.md"
    )


def test_every_parameter_is_used_by_the_code():
    src = Path(__file__).resolve().parents[2] / "src" / "trocha"
    code = "".join(p.read_text() for p in src.rglob("*.py"))
    for name in parameter_table():
        assert f'"{name}"' in code, f"{name} is in the table but never read"
