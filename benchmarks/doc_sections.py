"""Sections of docs/benchmarks.md that benchmark scripts rewrite between their markers."""

from __future__ import annotations

from pathlib import Path


def write_section(doc: Path, section: str, start: str, end: str) -> None:
    """Replace the text from `start` to `end` (markers included) in `doc` with `section`, which
    begins with `start` and ends with `end`; append it when the markers are not there yet."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def save_report(
    report: dict, out: Path, results: Path, section: str, doc: Path, start: str, end: str
) -> None:
    """Write `report` as JSON to `out`; when `out` is the script's own results file, also rewrite
    its section of `doc` (a run written elsewhere leaves the shipped figures alone). Prints the
    section."""
    import json

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    if out == results:
        write_section(doc, section, start, end)
    print(section)
