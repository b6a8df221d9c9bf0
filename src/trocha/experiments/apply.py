"""Make a calibration the scenario's own values: the best point goes into the scenario folder.

A calibrated scenario is an ordinary scenario folder: its parameters are in scenario.toml's
[parameters] table and its destination constants in countries.csv, so variants built on it
(`base = "venezuela"`) inherit them and `trocha parameters` shows them. The study's
`calibration.json` and `posterior.parquet` are copied next to them, so the folder says how its
numbers were made and `trocha forecast --calibration SCENARIO_FOLDER` can draw from the posterior.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

# With the backtest's measured drift when the calibration folder holds it (forecast_error.py).
CALIBRATION_FILES = ("calibration.json", "posterior.parquet", "forecast_drift.json")
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_HEADER = re.compile(r"^\s*\[")


def apply_calibration(
    calibration_dir: Path, scenario_folder: Path, command: str | None = None
) -> dict:
    """Write the best point of `calibration_dir` into `scenario_folder`; return calibration.json.

    The note next to the values names the calibration's command, or `command` (a staged
    calibration's, whose stages ran on copies of the folder).
    """
    summary_path = calibration_dir / "calibration.json"
    if not summary_path.is_file():
        raise ValueError(f"{summary_path}: missing; run `trocha calibrate` first")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    toml_path = scenario_folder / "scenario.toml"
    if not toml_path.is_file():
        raise ValueError(f"{toml_path}: missing; --apply needs a scenario folder")
    best = summary["best"]
    note = (
        f"calibrated: trial {best['trial']} of `{command or summary['command']}` "
        f"(targets up to {summary['until']}, see calibration.json)"
    )
    toml_path.write_text(
        set_parameters(toml_path.read_text(encoding="utf-8"), best["parameters"], note),
        encoding="utf-8",
    )
    if best["constants"]:
        countries = scenario_folder / "countries.csv"
        raw = countries.read_bytes().decode("utf-8")
        countries.write_bytes(set_constants(raw, best["constants"], note).encode("utf-8"))
    for name in CALIBRATION_FILES:
        if (calibration_dir / name).is_file():
            shutil.copyfile(calibration_dir / name, scenario_folder / name)
    return summary


def set_parameters(text: str, values: dict[str, float], note: str) -> str:
    """scenario.toml text with `values` set in its [parameters] table (added if missing).

    Other lines, comments included, are kept; each value is written with full precision.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "[parameters]"), None)
    if start is None:
        insert = next(
            (i for i, line in enumerate(lines) if line.strip().startswith("[[interventions]]")),
            len(lines),
        )
        lines[insert:insert] = ["[parameters]", ""]
        start = insert
    end = next(
        (i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])),
        len(lines),
    )
    body = [
        line
        for line in lines[start + 1 : end]
        if not (_KEY.match(line) and _KEY.match(line).group(1) in values)
        and not line.startswith("# calibrated: ")
    ]
    while body and not body[0].strip():
        body.pop(0)
    new = [f"# {note}", *(f"{k} = {float(v)!r}" for k, v in sorted(values.items()))]
    # Right under the header: comments further down belong to what follows them.
    lines[start + 1 : end] = [*new, "", *body]
    return "\n".join(lines).rstrip("\n") + "\n"


def set_constants(text: str, constants: dict[str, float], note: str) -> str:
    """countries.csv text with each host's `choice_constant` replaced; notes say where from."""
    newline = "\r\n" if "\r\n" in text else "\n"  # keep the file's line endings
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        raise ValueError("countries.csv: no rows")
    fields = list(rows[0].keys())
    unknown = sorted(set(constants) - {r["iso3"] for r in rows})
    if unknown:
        raise ValueError(f"countries.csv: no row for calibrated countries {unknown}")
    for row in rows:
        if row["iso3"] in constants:
            row["choice_constant"] = f"{constants[row['iso3']]:.4f}"
            kept = re.sub(r";? ?choice_constant calibrated[^;]*", "", row.get("notes") or "")
            row["notes"] = "; ".join(p for p in (kept.strip(), f"choice_constant {note}") if p)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
