"""Messages say what is wrong: a folder is not "missing", no routes is one line, encodings."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

import trocha
from trocha.scenario.problems import ScenarioError


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        trocha.load_scenario(folder)
    return [str(p) for p in caught.value.problems]


def test_a_folder_where_a_file_should_be_is_named_as_such(tiny_copy):
    (tiny_copy / "routes.csv").unlink()
    (tiny_copy / "routes.csv").mkdir()
    assert problems_of(tiny_copy) == ["routes.csv: file: is a folder; a file is expected here"]


def test_an_optional_table_that_is_a_folder_is_not_taken_as_absent(tiny_copy):
    (tiny_copy / "targets.csv").mkdir()
    assert problems_of(tiny_copy) == ["targets.csv: file: is a folder; a file is expected here"]


def test_link_loops_and_broken_links_are_named_as_such(tiny_copy):
    (tiny_copy / "states.csv").unlink()
    os.symlink("states.csv", tiny_copy / "states.csv")
    (tiny_copy / "sources.csv").unlink()
    os.symlink("nowhere.csv", tiny_copy / "sources.csv")
    assert problems_of(tiny_copy) == [
        "sources.csv: file: a link to 'nowhere.csv', which does not exist",
        "states.csv: file: a symbolic link that loops back on itself; replace it with the file",
    ]


def test_header_only_routes_is_one_problem(tiny_copy):
    path = tiny_copy / "routes.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    assert problems_of(tiny_copy) == ["routes.csv: rows: no routes; add at least one route"]


def test_repeated_column_is_reported(tiny_copy):
    path = tiny_copy / "states.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line + "," + line.split(",")[1] for line in lines) + "\n")
    assert "states.csv:1: policing: repeated column; keep one" in problems_of(tiny_copy)


def test_byte_order_marks_are_accepted_in_toml_and_csv(tiny_copy):
    for name in ("scenario.toml", "locations.csv"):
        path = tiny_copy / name
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert trocha.load_scenario(tiny_copy).name == "tiny"


def test_utf16_csv_as_spreadsheets_save_it_is_read(tiny_copy):
    path = tiny_copy / "locations.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert len(trocha.load_scenario(tiny_copy).locations) == 10


def test_latin1_csv_is_refused_with_the_encoding_to_use(tiny_copy):
    path = tiny_copy / "locations.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    (problem,) = problems_of(tiny_copy)
    assert problem.startswith("locations.csv: file: is not UTF-8 text (byte 0xE1 on line ")
    assert problem.endswith("save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')")


def test_latin1_toml_is_refused_with_the_encoding_to_use(tiny_copy):
    path = tiny_copy / "scenario.toml"
    path.write_bytes(path.read_bytes().replace(b"Ten places", "Díez".encode("latin-1")))
    (problem,) = problems_of(tiny_copy)
    assert problem.startswith("scenario.toml: file: is not UTF-8 text (byte 0xED on line 5;")


def test_utf16_without_byte_order_mark_is_refused_by_name(tiny_copy):
    path = tiny_copy / "states.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    assert problems_of(tiny_copy) == [
        "states.csv: file: contains NUL bytes (UTF-16 without a BOM?); save it as UTF-8 (in a "
        "spreadsheet: 'CSV UTF-8')"
    ]
