"""Every class of scenario error is reported with file, row, field and a useful message."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import trocha
from trocha.scenario.problems import ScenarioError


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set `column` of data row `row` (row numbers as users see them: header is row 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[row - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(folder)
    return [str(p) for p in caught.value.problems]


def test_shipped_tiny_is_valid(tiny):
    assert tiny.name == "tiny"
    assert len(tiny.locations) == 10


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "expected"),
    [
        (
            "locations.csv",
            3,
            "lat",
            "north",
            "locations.csv:3: lat: Input should be a valid number",
        ),
        (
            "locations.csv",
            3,
            "lat",
            "95",
            "locations.csv:3: lat: Input should be less than or equal to 90",
        ),
        (
            "locations.csv",
            4,
            "kind",
            "village",
            "locations.csv:4: kind: Input should be 'origin', 'city'",
        ),
        (
            "locations.csv",
            4,
            "country",
            "Col",
            "locations.csv:4: country: Value error, expected a 3-letter",
        ),
        (
            "locations.csv",
            4,
            "country",
            "BRA",
            "locations.csv:4: country: 'BRA' is not in countries.csv",
        ),
        (
            "locations.csv",
            5,
            "population",
            "-1",
            "locations.csv:5: population: Input should be greater than or equal to 0",
        ),
        (
            "locations.csv",
            5,
            "population",
            "0",
            "locations.csv:5: population: a city needs a population > 0",
        ),
        (
            "locations.csv",
            3,
            "name",
            "Caracas",
            "locations.csv:3: name: duplicate 'Caracas' (first on row 2)",
        ),
        (
            "locations.csv",
            2,
            "source_id",
            "S999",
            "locations.csv:2: source_id: 'S999' is not in sources.csv",
        ),
        ("locations.csv", 2, "source_id", "", "locations.csv:2: source_id: missing value"),
        ("routes.csv", 2, "to", "Bogota", "routes.csv:2: to: unknown location 'Bogota'"),
        (
            "routes.csv",
            2,
            "mode",
            "horse",
            "routes.csv:2: mode: Input should be 'walk', 'bus', 'boat' or 'air'",
        ),
        (
            "routes.csv",
            2,
            "distance_km",
            "0",
            "routes.csv:2: distance_km: Input should be greater than 0",
        ),
        (
            "routes.csv",
            2,
            "crossing",
            "official",
            "routes.csv:2: crossing: both ends are in one country",
        ),
        (
            "routes.csv",
            4,
            "crossing",
            "none",
            "routes.csv:4: crossing: the ends are in two countries",
        ),
        (
            "routes.csv",
            2,
            "death_risk",
            "1.5",
            "routes.csv:2: death_risk: Input should be less than 1",
        ),
        (
            "routes.csv",
            2,
            "distance_basis",
            "guess",
            "routes.csv:2: distance_basis: Input should be",
        ),
        (
            "border_regimes.csv",
            2,
            "date",
            "2018-13-01",
            "border_regimes.csv:2: date: Input should be a valid date",
        ),
        (
            "border_regimes.csv",
            2,
            "regime",
            "shut",
            "border_regimes.csv:2: regime: Input should be 'open', 'passport', 'visa' or 'closed'",
        ),
        (
            "border_regimes.csv",
            2,
            "from_country",
            "any",
            "border_regimes.csv:2: from_country: Value error, expected an ISO3",
        ),
        (
            "border_regimes.csv",
            2,
            "country",
            "XXX",
            "border_regimes.csv:2: country: 'XXX' is not in countries.csv",
        ),
        (
            "countries.csv",
            3,
            "wage_usd_month",
            "0",
            "countries.csv:3: wage_usd_month: Input should be greater than 0",
        ),
        (
            "countries.csv",
            3,
            "role",
            "destination",
            "countries.csv:3: role: Input should be 'origin', 'host' or 'transit'",
        ),
        (
            "push_factors.csv",
            3,
            "mobility",
            "2",
            "push_factors.csv:3: mobility: Input should be less than or equal to 1",
        ),
        ("push_factors.csv", 3, "year", "2016", "push_factors.csv:3: year: duplicate '2016'"),
        (
            "sources.csv",
            3,
            "source_id",
            "ILLUSTRATIVE",
            "sources.csv:3: source_id: duplicate 'ILLUSTRATIVE'",
        ),
    ],
)
def test_row_errors_name_file_row_field(tiny_copy, file, row, column, value, expected):
    edit_csv(tiny_copy / file, row, column, value)
    found = problems_of(tiny_copy)
    assert any(p.startswith(expected) for p in found), found


def test_all_problems_are_reported_at_once(tiny_copy):
    edit_csv(tiny_copy / "locations.csv", 3, "lat", "north")
    edit_csv(tiny_copy / "routes.csv", 5, "mode", "horse")
    edit_csv(tiny_copy / "countries.csv", 3, "wage_usd_month", "-5")
    found = problems_of(tiny_copy)
    assert {p.split(":")[0] for p in found} == {"locations.csv", "routes.csv", "countries.csv"}


def test_missing_file(tiny_copy):
    (tiny_copy / "routes.csv").unlink()
    assert "routes.csv: file: missing; see docs/scenario-format.md" in problems_of(tiny_copy)


def test_missing_and_unknown_columns(tiny_copy):
    path = tiny_copy / "routes.csv"
    text = path.read_text(encoding="utf-8").replace("cost_usd", "price", 1)
    path.write_text(text, encoding="utf-8")
    found = problems_of(tiny_copy)
    assert "routes.csv:1: cost_usd: missing column; add it to the header" in found
    assert any(
        p.startswith("routes.csv:1: price: unknown column; expected columns:") for p in found
    )


def test_header_names_that_cannot_stand_as_a_field_are_given_by_position(tiny_copy):
    # Found by the fuzz suite: a header cell ":" made "drug_routes.csv:1: :: unknown column",
    # a line that no longer reads as file:row: field: message.
    path = tiny_copy / "routes.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    cells = header.split(",")
    cells[-1], cells[-2] = ":", " padded"
    path.write_text(",".join([*cells, "a:b", "a:b"]) + "\n" + rest, encoding="utf-8")
    found = problems_of(tiny_copy)
    n = len(cells)
    assert any(p.startswith(f"routes.csv:1: column {n}: unknown column named ':';") for p in found)
    assert any(
        p.startswith(f"routes.csv:1: column {n - 1}: unknown column named ' padded';")
        for p in found
    )
    assert f"routes.csv:1: column {n + 1}: repeated column named 'a:b'; keep one" in found
    line = re.compile(r"^[^\s:][^:]*(:\d+)?: [^:\s][^:]*: \S.*$")  # tests/fuzz/contract.py
    assert all(line.match(p) for p in found), found


def test_too_many_values(tiny_copy):
    path = tiny_copy / "countries.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "BRA,Brazil,host,300,0,ILLUSTRATIVE,,extra\n"
    )
    assert "countries.csv:6: row: more values than header columns" in problems_of(tiny_copy)


def test_disconnected_place(tiny_copy):
    path = tiny_copy / "locations.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "Island,PER,-10,-80,city,1000,ILLUSTRATIVE,\n"
    )
    assert (
        "locations.csv:12: name: 'Island' is not connected to 'Caracas' by any route"
        in problems_of(tiny_copy)
    )


def test_unknown_parameter_suggests_name(tiny_copy):
    path = tiny_copy / "scenario.toml"
    path.write_text(path.read_text().replace("exodus_base_rate", "exodus_base_rat"))
    found = problems_of(tiny_copy)
    assert any(
        "scenario.toml: parameters.exodus_base_rat: unknown parameter; did you mean 'exodus_base_rate'?"
        in p
        for p in found
    ), found


def test_a_parameter_name_with_a_newline_stays_one_problem_line(tiny_copy):
    # Found by the scenario fuzz test: a quoted TOML key holding a newline.
    path = tiny_copy / "scenario.toml"
    path.write_text(path.read_text().replace("[parameters]", '[parameters]\n"a\\nb\\t" = 0.0'))
    found = problems_of(tiny_copy)
    expected = "scenario.toml: parameters.a\\nb\\t: unknown parameter"
    assert any(p.startswith(expected) for p in found), found
    assert all("\n" not in p and "\t" not in p for p in found), found


def test_bad_toml_and_bad_settings(tiny_copy):
    path = tiny_copy / "scenario.toml"
    path.write_text(path.read_text().replace('end = "2020-12-31"', 'end = "2016-01-01"'))
    assert "scenario.toml: scenario.end: must be after start" in problems_of(tiny_copy)
    path.write_text("[scenario\nname=")
    assert problems_of(tiny_copy)[0].startswith("scenario.toml: syntax: not valid TOML")


def test_push_factors_must_cover_the_period(tiny_copy):
    path = tiny_copy / "scenario.toml"
    path.write_text(path.read_text().replace('end = "2020-12-31"', 'end = "2023-12-31"'))
    found = problems_of(tiny_copy)
    assert any(p.startswith("push_factors.csv: year: no row for 2023") for p in found), found


def test_no_origin(tiny_copy):
    for row in (2, 3):
        edit_csv(tiny_copy / "locations.csv", row, "kind", "city")
    assert "locations.csv: kind: no origin place; add at least one kind=origin row" in problems_of(
        tiny_copy
    )


def test_unknown_shipped_name():
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario("atlantis")
    assert "no such folder or shipped scenario" in str(caught.value)


def test_parameter_overrides_are_validated(tiny):
    changed = tiny.with_parameters(passport_share=0.9)
    assert changed.parameters["passport_share"] == 0.9
    assert tiny.parameters["passport_share"] != 0.9
    with pytest.raises(ScenarioError, match="unknown parameter"):
        tiny.with_parameters(passport_sahre=0.9)
