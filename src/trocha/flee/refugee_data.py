"""UNHCR camp series as Flee 3.1's `DataTable` reads them: merged files, registration corrections,
population scale-down (`hasten`), linear interpolation truncated to whole agents.

Ported rule by rule so that spawning and the `data` columns match Flee's, including its quirks:
merging two files of one camp (`AddCSVTables`) drops rows of the second file dated after the last
row of the first; values before the first row take the first row's value.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .inputs import FleeInputs


def _file_table(rows, start: dt.date, hasten: int) -> list[list[float]]:
    return [[float((day - start).days), count / hasten] for day, count in rows]


def _add_tables(table1: list[list[float]], table2: list[list[float]]) -> list[list[float]]:
    # Flee 3.1 DataTable.AddCSVTables, step for step.
    table: list[list[float]] = []
    offset = 0
    last_c2 = [0.0, 0.0]
    for c2 in table2:
        while c2[0] > table1[offset][0]:
            table.append([table1[offset][0], last_c2[1] + table1[offset][1]])
            if offset < len(table1) - 1:
                offset += 1
            else:
                break
        if c2[0] == table1[offset][0]:
            table.append([c2[0], c2[1] + table1[offset][1]])
            if offset < len(table1) - 1:
                offset += 1
            last_c2 = c2
            continue
        if c2[0] < table1[offset][0]:
            table.append([c2[0], c2[1] + table1[offset][1]])
            last_c2 = c2
            continue
    return table


def merged_table(files: list[str], series: dict, start: dt.date, hasten: int) -> list[list[float]]:
    table = _file_table(series[files[0]], start, hasten)
    for name in files[1:]:
        table = _add_tables(table, _file_table(series[name], start, hasten))
    return table


def interpolate(table: np.ndarray, day: int) -> int:
    """Flee 3.1 `get_interpolated_data`: linear between rows, truncated with int()."""
    old_val = table[0, 1]
    old_day = table[0, 0]
    if day <= old_day:
        return int(old_val)
    for i in range(1, len(table)):
        if day < table[i, 0]:
            old_val = table[i - 1, 1]
            old_day = table[i - 1, 0]
            fraction = float(day - old_day) / float(table[i, 0] - old_day)
            return int(old_val + fraction * float(table[i, 1] - old_val))
    return int(table[-1, 1])


class RefugeeData:
    """The data series of one scenario at one scale, with Flee's corrections applied."""

    def __init__(self, inputs: FleeInputs, hasten: int):
        self.tables: dict[str, np.ndarray] = {}
        for name, files in inputs.layout:
            self.tables[name] = np.array(merged_table(files, inputs.series, inputs.start, hasten))
        for name, when in inputs.corrections:
            table = self.tables[name]
            days = (when - inputs.start).days
            for i in range(len(table)):
                if int(table[i, 0]) == int(days) and i > 0:
                    table[0:i, 1] *= table[i, 1] / table[i - 1, 1]

    def field(self, name: str, day: int) -> int:
        return interpolate(self.tables[name], day)

    def series(self, name: str, days: int) -> np.ndarray:
        return np.array([self.field(name, t) for t in range(days)], dtype=np.int64)


def spawn_schedule(total: np.ndarray, insert_day0: bool) -> tuple[np.ndarray, ...]:
    """Flee 3.1's data-driven spawning: new agents per day, raw UNHCR count and refugee debt.

    A fall in the total becomes a debt that the next rise pays off first; with `insert_day0` the
    day-0 total is placed in camps instead of spawned.
    """
    days = len(total)
    new = np.zeros(days, dtype=np.int64)
    raw = np.zeros(days, dtype=np.int64)
    debt_out = np.zeros(days, dtype=np.int64)
    refugees_raw = 0
    debt = 0
    for t in range(days):
        diff = int(total[0]) if t == 0 else int(total[t]) - int(total[t - 1])
        count = diff - debt
        refugees_raw += diff
        if insert_day0 and t == 0:
            count = 0
        if count < 0:
            debt = -count
            count = 0
        elif debt > 0:
            debt = 0
        new[t], raw[t], debt_out[t] = count, refugees_raw, debt
    return new, raw, debt_out
