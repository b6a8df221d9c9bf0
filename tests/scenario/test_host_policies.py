"""host_policies.csv: dated host-country policies parse, and bad rows get clear messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import trocha
from trocha.modules.host_policies import policy_values
from trocha.scenario.problems import ScenarioError

HEADER = "date,country,policy,value,source_id,notes\n"


def _problems(folder: Path, rows: str) -> list[str]:
    (folder / "host_policies.csv").write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(folder)
    return [str(p) for p in caught.value.problems]


def test_the_venezuela_policies_parse_with_sources():
    scenario = trocha.load_scenario("venezuela")
    rows = scenario.host_policies
    sources = {s.source_id for s in scenario.sources}
    assert {(r.country, r.policy) for r in rows} >= {
        ("USA", "apprehension"),
        ("USA", "expulsion"),
        ("USA", "protection"),
        ("CHL", "expulsion"),
    }
    assert all(r.source_id in sources for r in rows)
    title42 = [r for r in rows if r.country == "USA" and r.policy == "expulsion"]
    assert min(r.date for r in title42) == dt.date(2020, 3, 20)


def test_a_valid_table_loads(tiny_copy):
    (tiny_copy / "host_policies.csv").write_text(
        HEADER + "2019-01-01,PER,expulsion,0.5,ILLUSTRATIVE,\n", encoding="utf-8"
    )
    scenario = trocha.load_scenario(tiny_copy)
    assert [(r.country, r.policy, r.value) for r in scenario.host_policies] == [
        ("PER", "expulsion", 0.5)
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2019-01-01,PER,deportation,0.5,ILLUSTRATIVE,", "host_policies.csv:2: policy: Input"),
        ("2019-01-01,PER,expulsion,1.5,ILLUSTRATIVE,", "expulsion is a share of people"),
        ("2019-01-01,CHL,irregular_status,2,ILLUSTRATIVE,", "irregular_status is a share of"),
        (
            "2019-01-01,XYZ,expulsion,0.5,ILLUSTRATIVE,",
            "host_policies.csv:2: country: 'XYZ' is not",
        ),
        ("2019-01-01,PER,expulsion,0.5,S999,", "host_policies.csv:2: source_id: 'S999'"),
        ("2019-13-01,PER,expulsion,0.5,ILLUSTRATIVE,", "host_policies.csv:2: date:"),
        ("2019-01-01,PER,protection,-1,ILLUSTRATIVE,", "host_policies.csv:2: value:"),
        ("2019-01-01,PER,protection,11,ILLUSTRATIVE,", "protection is in logit units"),
    ],
)
def test_bad_rows_are_reported_with_file_row_and_field(tiny_copy, row, expected):
    problems = _problems(tiny_copy, row + "\n")
    assert any(expected in p for p in problems), problems


def test_a_repeated_policy_on_one_day_is_refused(tiny_copy):
    rows = (
        "2019-01-01,PER,expulsion,0.5,ILLUSTRATIVE,\n2019-01-01,PER,expulsion,0.2,ILLUSTRATIVE,\n"
    )
    problems = _problems(tiny_copy, rows)
    assert any("host_policies.csv:3: date: a second expulsion row for PER" in p for p in problems)


def test_the_latest_row_on_or_before_a_date_is_in_force(tiny_copy):
    (tiny_copy / "host_policies.csv").write_text(
        HEADER
        + "2020-01-01,PER,expulsion,0.1,ILLUSTRATIVE,\n"
        + "2019-01-01,PER,expulsion,0.5,ILLUSTRATIVE,\n"
        + "2019-06-01,COL,protection,2,ILLUSTRATIVE,\n",
        encoding="utf-8",
    )
    rows = trocha.load_scenario(tiny_copy).host_policies
    index = {"VEN": 0, "COL": 1, "ECU": 2, "PER": 3}
    before = policy_values(rows, index, dt.date(2018, 12, 31))
    assert not any(v.any() for v in before.values())
    mid = policy_values(rows, index, dt.date(2019, 7, 1))
    assert mid["expulsion"][3] == 0.5 and mid["protection"][1] == 2.0
    late = policy_values(rows, index, dt.date(2021, 1, 1))
    assert np.allclose(late["expulsion"], [0, 0, 0, 0.1])
