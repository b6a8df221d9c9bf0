"""docs/parameters.md is generated from the parameter table, so the two never disagree."""

from __future__ import annotations

from .parameters import parameter_table

HEADER = """# Parameters

Every model parameter, its default value, unit, source (or "assumption") and prior range for
calibration. Generated from `src/trocha/data/parameters.csv` by `trocha parameters --markdown`;
a scenario overrides values in the `[parameters]` section of its `scenario.toml` (the default
scenario's calibrated overrides are listed there, with the calibration script that produced them).

"""


def parameters_markdown() -> str:
    lines = [
        HEADER.rstrip("\n") + "\n",
        "| name | value | unit | module | source | prior | description |",
        "|---|---:|---|---|---|---|---|",
    ]
    for p in parameter_table().values():
        lines.append(
            f"| `{p.name}` | {p.value:g} | {p.unit} | {p.module} | {p.source} | "
            f"{p.prior_low:g} to {p.prior_high:g} | {p.description} |"
        )
    return "\n".join(lines) + "\n"
