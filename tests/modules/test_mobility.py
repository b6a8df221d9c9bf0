"""Mobility by date: a lockdown starts on a day, not half a year early by interpolation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import trocha
from trocha.calendar import Calendar
from trocha.modules.exodus import daily_drivers, dated_steps
from trocha.scenario.problems import ScenarioError

HEADER = "date,mobility,source_id,notes\n"


def _write(folder: Path, table: str, push_mobility: float = 1.0) -> None:
    """mobility.csv with `table`'s rows, and every yearly mobility of tiny (0.55 and 0.85 in
    2020-2021) set to `push_mobility`."""
    (folder / "mobility.csv").write_text(HEADER + table)
    push = folder / "push_factors.csv"
    lines = push.read_text().splitlines()
    cells = [line.split(",") for line in lines[1:]]
    for row in cells:
        row[4] = str(push_mobility)
    push.write_text("\n".join([lines[0], *(",".join(r) for r in cells)]) + "\n")


def _drivers(scenario: trocha.Scenario, scale: int = 1000) -> tuple[list[dt.date], np.ndarray]:
    sim = trocha.Simulation(scenario, seed=1, scale=scale)
    return sim.calendar.dates(), daily_drivers(sim)["mobility"]


def test_each_day_takes_the_last_row_on_or_before_it():
    rows = [
        SimpleNamespace(date=dt.date(2020, 3, 14), mobility=0.44),
        SimpleNamespace(date=dt.date(2021, 1, 1), mobility=0.85),
    ]
    days = [dt.date(2020, 3, 13), dt.date(2020, 3, 14), dt.date(2020, 12, 31), dt.date(2021, 1, 1)]
    calendar = Calendar(days[0], days[-1])
    steps = dated_steps(rows, calendar)
    assert [steps[calendar.day_of(d)] for d in days] == [1.0, 0.44, 0.44, 0.85]


def test_venezuela_moves_freely_until_the_closure_of_march_2020():
    """The yearly value (0.55 for 2020, at mid-year) used to cut 2019's autumn by interpolation."""
    dates, mobility = _drivers(trocha.load_scenario("venezuela"))
    by_day = dict(zip(dates, mobility, strict=True))
    assert by_day[dt.date(2019, 10, 1)] == 1.0 and by_day[dt.date(2020, 3, 13)] == 1.0
    assert by_day[dt.date(2020, 3, 14)] == 0.44 and by_day[dt.date(2021, 6, 1)] == 0.85
    assert by_day[dt.date(2022, 1, 1)] == 1.0
    year_2020 = [m for d, m in by_day.items() if d.year == 2020]
    assert np.mean(year_2020) == pytest.approx(0.55, abs=0.005)  # the assumed mean kept


def test_no_one_leaves_while_mobility_is_zero(tiny_copy: Path):
    _write(tiny_copy, "2018-01-01,0,S02,\n2018-07-01,1,S02,\n")
    result = trocha.Simulation(trocha.load_scenario(tiny_copy), seed=3, scale=100).run()
    ts = result.timeseries
    departures = ts[(ts.metric == "departures") & (ts.country == "ALL")].set_index("date").value
    assert departures["2018-01-01":"2018-06-30"].sum() == 0
    assert departures["2017-07-01":"2017-12-31"].sum() > 0
    assert departures["2018-07-01":"2018-12-31"].sum() > 0


@pytest.mark.parametrize(
    ("table", "push_mobility", "row", "field", "message"),
    [
        ("2020-03-14,0.4,S02,\n2020-01-01,0.8,S02,\n", None, 3, "date", "is not after"),
        ("2020-03-14,0.4,S02,\n", 0.5, 2, "mobility", "set this column to 1"),
        ("2020-03-14,0.4,NOPE,\n", None, 2, "source_id", "not in sources.csv"),
        ("2020-03-14,1.5,S02,\n", None, 2, "mobility", ""),
    ],
)
def test_bad_mobility_rows_name_file_row_and_field(
    tiny_copy: Path, table, push_mobility, row, field, message
):
    _write(tiny_copy, table, 1.0 if push_mobility is None else push_mobility)
    with pytest.raises(ScenarioError) as error:
        trocha.load_scenario(tiny_copy)
    problems = [p for p in error.value.problems if p.field == field]
    assert problems, error.value.problems
    file = "push_factors.csv" if push_mobility is not None else "mobility.csv"
    assert problems[0].file == file and problems[0].row == row
    assert message in problems[0].message
