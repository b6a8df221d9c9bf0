"""Fuzz the shipped `tiny` scenario: broken tables and scenario.toml either run to a complete,
conserved result or are refused with file:row: field: message lines, and check agrees with run."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from contract import assert_complete_trocha_run, invoke, outcome, problem_lines
from hypothesis import given
from hypothesis import strategies as st
from mutations import (
    apply_cell_edit,
    apply_encoding_edit,
    apply_structural_edit,
    cell_edit,
    encoding_edit,
    structural_edit,
)

from trocha.interventions import KINDS
from trocha.scenario.parameters import parameter_table

TINY = Path(str(resources.files("trocha").joinpath("data/scenarios/tiny")))
TABLES = sorted(p.name for p in TINY.glob("*.csv"))
PARAMETERS = parameter_table()
END = "2017-01-15"  # two weeks: each example runs in a fraction of a second


def check_and_run(folder: Path, runs: Path, *options: str) -> None:
    """The contract, and that `check` accepts exactly what `run` accepts (same problems)."""
    checked = invoke("check", folder)
    ran = invoke("run", folder, *options, "--quiet", "--out", runs)
    checked_ok = outcome(checked)
    ran_ok = outcome(ran, runs)
    assert checked_ok == ran_ok, f"check and run disagree:\n{checked.output}\n{ran.output}"
    if ran_ok:
        assert_complete_trocha_run(runs)
    else:
        assert problem_lines(checked) == problem_lines(ran)


def tiny_copy(tmp: str) -> Path:
    folder = Path(tmp) / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def apply(folder: Path, edit, how) -> None:
    # An earlier edit may have removed or re-encoded the file: then this one changes nothing.
    with contextlib.suppress(OSError, UnicodeError, csv.Error):
        how(folder, edit)


edits = st.one_of(
    cell_edit(TABLES).map(lambda e: (e, apply_cell_edit)),
    structural_edit(TABLES).map(lambda e: (e, apply_structural_edit)),
    encoding_edit(TABLES).map(lambda e: (e, apply_encoding_edit)),
)


@given(st.lists(edits, min_size=1, max_size=3))
def test_broken_tables_run_or_are_refused(changes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiny_copy(tmp)
        for edit, how in changes:
            apply(folder, edit, how)
        check_and_run(folder, Path(tmp) / "runs", "--end", END)


def toml_value(value) -> str:
    """`value` as TOML (nan and inf are TOML floats too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


anything = st.one_of(
    st.floats(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.text(max_size=8),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.lists(st.sampled_from(["COL", "PER", "ZZZ", "*", "Caracas", "Lima", "Cúcuta"]), max_size=3),
    st.sampled_from(["COL", "VEN", "ECU", "PER", "ZZZ", "*", "Caracas", "Lima", "Tren de Aragua"]),
)
parameter_values = st.one_of(
    st.floats(),
    st.floats(min_value=-1, max_value=2),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(max_size=5),
    st.booleans(),
)
interventions = st.fixed_dictionaries(
    {"type": st.sampled_from([*KINDS, "teleport"])},
    optional={
        "start": st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2018, 1, 1)),
        "end": st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2018, 1, 1)),
        "countries": anything,
        "country": anything,
        "from_countries": anything,
        "place_a": anything,
        "place_b": anything,
        "places": anything,
        "organisation": anything,
        "multiplier": anything,
        "coverage": anything,
        "reduction": anything,
        "regime": st.sampled_from(["open", "closed", "visa", "passport", "shut"]),
        "crossing": st.sampled_from(["official", "irregular", "both", "none"]),
    },
)


@given(
    parameters=st.dictionaries(
        st.one_of(st.sampled_from(sorted(PARAMETERS)), st.text(max_size=6)),
        parameter_values,
        max_size=3,
    ),
    start=st.dates(min_value=dt.date(2016, 6, 1), max_value=dt.date(2021, 3, 1)),
    days=st.integers(min_value=-3, max_value=20),
    scale=st.one_of(st.integers(min_value=-5, max_value=10**7), st.floats(), st.text(max_size=3)),
    added=st.lists(interventions, max_size=2),
)
def test_broken_scenario_toml_runs_or_is_refused(parameters, start, days, scale, added):
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiny_copy(tmp)
        lines = [
            "[scenario]",
            'name = "tiny"',
            f"start = {start.isoformat()}",
            f"end = {(start + dt.timedelta(days=days)).isoformat()}",
            f"default_scale = {toml_value(scale)}",
            'origin_country = "VEN"',
            "",
            "[parameters]",
            *(f"{json.dumps(k)} = {toml_value(v)}" for k, v in parameters.items()),
        ]
        for table in added:
            lines += ["", "[[interventions]]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        (folder / "scenario.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        check_and_run(folder, Path(tmp) / "runs")


def valid_value(name: str):
    p = PARAMETERS[name]
    return st.floats(min_value=p.low, max_value=p.high, allow_nan=False)


@given(
    st.lists(st.sampled_from(sorted(PARAMETERS)), min_size=1, max_size=4, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: valid_value(n) for n in names})
    )
)
def test_every_value_in_the_valid_ranges_runs(values):
    """Within the valid ranges (and the coupled constraints) a scenario runs to a conserved end."""
    if values.get("visa_share", 0.08) > values.get("passport_share", 0.45):
        values["visa_share"], values["passport_share"] = (
            values.get("passport_share", 0.45),
            values.get("visa_share", 0.08),
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiny_copy(tmp)
        toml = folder / "scenario.toml"
        extra = "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
        # tiny's own values of the drawn parameters give way (a TOML key may appear once).
        text = "".join(
            line
            for line in toml.read_text().splitlines(keepends=True)
            if line.split("=")[0].strip() not in values
        )
        toml.write_text(text.replace("[parameters]\n", "[parameters]\n" + extra))
        runs = Path(tmp) / "runs"
        ran = invoke("run", folder, "--end", END, "--quiet", "--out", runs)
        assert outcome(ran, runs), ran.output
        assert_complete_trocha_run(runs)


PLACES = ["Caracas", "San Antonio del Táchira", "Cúcuta", "Bogotá", "Ipiales", "Tulcán", "Lima"]
CODES = ["VEN", "COL", "ECU", "PER", "ZZZ", "*", "col"]


def field_values(name: str):
    """Values for an intervention field: mostly well-formed, with targets real or not."""
    if name in ("start", "end"):
        return st.dates(min_value=dt.date(2016, 12, 1), max_value=dt.date(2017, 2, 1))
    if name in ("countries", "from_countries"):
        return st.lists(st.sampled_from(CODES), min_size=1, max_size=3)
    if name == "country":
        return st.sampled_from(CODES)
    if name in ("place_a", "place_b"):
        return st.sampled_from([*PLACES, "Atlantis"])
    if name == "places":
        return st.lists(st.sampled_from([*PLACES, "Atlantis"]), min_size=1, max_size=4)
    if name == "organisation":
        return st.sampled_from(["Gang", "Border group", "Nobody"])
    if name == "regime":
        return st.sampled_from(["open", "passport", "visa", "closed"])
    if name == "crossing":
        return st.sampled_from(["official", "irregular", "both"])
    if name == "open":
        return st.booleans()
    return st.one_of(st.floats(min_value=-1, max_value=25), st.sampled_from([0.0, 1.0, 20.0]))


@st.composite
def well_formed_intervention(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    fields = KINDS[kind].model_fields
    table = {"type": kind}
    for name, info in fields.items():
        if info.is_required() or draw(st.booleans()):
            table[name] = draw(field_values(name))
    return table


@given(st.lists(well_formed_intervention(), min_size=1, max_size=3))
def test_interventions_run_or_are_refused_alike_by_check_and_run(added):
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiny_copy(tmp)
        lines = []
        for table in added:
            lines += ["", "[[interventions]]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        with (folder / "scenario.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        check_and_run(folder, Path(tmp) / "runs", "--end", END)


def numeric_columns() -> list[tuple[str, str, float, float, bool]]:
    """(file, column, low, high, integer) for every bounded number in the shipped tiny tables."""
    from annotated_types import Ge, Gt, Le, Lt

    from trocha.scenario.tables import OPTIONAL_TABLES, TABLES

    found = []
    for table, schema in {**TABLES, **OPTIONAL_TABLES}.items():
        if not (TINY / f"{table}.csv").exists():
            continue
        for name, info in schema.model_fields.items():
            if info.annotation not in (int, float):
                continue
            low, high = -1e6, 1e12
            for bound in info.metadata:
                if isinstance(bound, Ge | Gt):
                    low = float(getattr(bound, "ge", getattr(bound, "gt", low)))
                if isinstance(bound, Le | Lt):
                    high = float(getattr(bound, "le", getattr(bound, "lt", high)))
            found.append((f"{table}.csv", info.alias or name, low, high, info.annotation is int))
    return found


NUMERIC = numeric_columns()


@st.composite
def in_range_edit(draw):
    file, column, low, high, integer = draw(st.sampled_from(NUMERIC))
    if integer:
        value = str(draw(st.integers(min_value=int(low), max_value=int(high))))
    else:
        value = repr(draw(st.floats(min_value=low, max_value=high, allow_nan=False)))
    return file, draw(st.integers(min_value=1, max_value=20)), column, value


@given(st.lists(in_range_edit(), min_size=1, max_size=4))
def test_numbers_within_their_bounds_run_or_are_refused(edits):
    """Every number a table's schema allows: the run completes, or a cross-check refuses it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiny_copy(tmp)
        for file, row, column, value in edits:
            with (folder / file).open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            if column in rows[0] and len(rows) > 1:
                rows[1 + row % (len(rows) - 1)][rows[0].index(column)] = value
            with (folder / file).open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
        check_and_run(folder, Path(tmp) / "runs", "--end", END)
