"""Hypothesis strategies that break a scenario folder the ways people and spreadsheets do."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from hypothesis import strategies as st

NASTY_TEXT = [
    "", " ", "-1", "-0", "0", "0.5", "1", "2", "7", "-100", "nan", "NaN", "inf", "-inf",
    "1e308", "1e400", "-1e308", "12345678901234567890123", "1.5e3", "0x10", "1,5", "abc",
    "é", '"', "'", "#", "*", "ALL", "none", "VEN", "ZZZ", "2017-01-01", "2017-02-30",
    "2017-1-5", "20170101", "true", "\t",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.text(max_size=12),
)


def read_table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_table(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@st.composite
def cell_edit(draw, files: list[str]):
    """(file, row, column, value): set one cell (row 0 is the header)."""
    return (
        draw(st.sampled_from(files)),
        draw(st.integers(min_value=0, max_value=40)),
        draw(st.integers(min_value=0, max_value=12)),
        draw(values),
    )


def apply_cell_edit(folder: Path, edit) -> None:
    file, row, column, value = edit
    path = folder / file
    rows = read_table(path)
    if not rows:
        return
    r = rows[row % len(rows)]
    if r:
        r[column % len(r)] = value
    write_table(path, rows)


STRUCTURAL = [
    "delete_row",
    "duplicate_row",
    "delete_column",
    "duplicate_column",
    "header_only",
    "empty",
    "delete_file",
    "folder_instead",
    "extra_value",
    "garbage_line",
]


@st.composite
def structural_edit(draw, files: list[str]):
    return (
        draw(st.sampled_from(files)),
        draw(st.sampled_from(STRUCTURAL)),
        draw(st.integers(min_value=0, max_value=40)),
    )


def apply_structural_edit(folder: Path, edit) -> None:
    file, kind, index = edit
    path = folder / file
    if kind == "delete_file":
        path.unlink()
        return
    if kind == "folder_instead":
        path.unlink()
        path.mkdir()
        return
    if kind == "empty":
        path.write_text("")
        return
    rows = read_table(path)
    if not rows:
        return
    if kind == "header_only":
        rows = rows[:1]
    elif kind == "delete_row" and len(rows) > 1:
        del rows[1 + index % (len(rows) - 1)]
    elif kind == "duplicate_row" and len(rows) > 1:
        i = 1 + index % (len(rows) - 1)
        rows.insert(i, list(rows[i]))
    elif kind in ("delete_column", "duplicate_column") and rows[0]:
        c = index % len(rows[0])
        for r in rows:
            if c < len(r):
                if kind == "delete_column":
                    del r[c]
                else:
                    r.insert(c, r[c])
    elif kind == "extra_value":
        rows[index % len(rows)].append("extra")
    elif kind == "garbage_line":
        rows.insert(index % (len(rows) + 1), ["\x00garbage", '"unclosed'])
    write_table(path, rows)


ENCODINGS = ["utf-8-sig", "utf-16", "utf-16-le-no-bom", "latin-1", "cp1252", "nul", "truncate"]


@st.composite
def encoding_edit(draw, files: list[str]):
    return draw(st.sampled_from(files)), draw(st.sampled_from(ENCODINGS))


def apply_encoding_edit(folder: Path, edit) -> None:
    file, encoding = edit
    path = folder / file
    text = path.read_text(encoding="utf-8-sig")
    if encoding == "utf-8-sig":
        path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    elif encoding == "utf-16":
        path.write_bytes(text.encode("utf-16"))
    elif encoding == "utf-16-le-no-bom":
        path.write_bytes(text.encode("utf-16-le"))
    elif encoding in ("latin-1", "cp1252"):
        path.write_bytes(text.encode(encoding, errors="replace"))
    elif encoding == "nul":
        path.write_bytes(text.encode("utf-8")[:10] + b"\x00" + text.encode("utf-8")[10:])
    elif encoding == "truncate":
        data = text.encode("utf-8")
        path.write_bytes(data[: len(data) // 2 + 1])
