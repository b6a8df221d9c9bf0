"""docs/parameters.md is generated from the parameter table, so the two never disagree."""

from __future__ import annotations

from .parameters import COUPLED, parameter_table

HEADER = """# Parameters

Every model parameter, its default value, unit, source (or "assumption"), valid range and prior
range for calibration. Generated from `src/trocha/data/parameters.csv` by
`trocha parameters --markdown`; a scenario overrides values in the `[parameters]` section of its
`scenario.toml` (the default scenario's calibrated overrides are listed there, with the calibration
script that produced them).

A value outside the valid range (or not a finite number) is rejected wherever it is given: in
`scenario.toml`, `Scenario.with_parameters`, a run spec, or a sweep or sensitivity spec. The prior
is where calibration searches; the valid range is what the model can meaningfully run with.

"""


def parameters_markdown() -> str:
    lines = [
        HEADER.rstrip("\n") + "\n",
        "| name | value | unit | module | source | valid | prior | description |",
        "|---|---:|---|---|---|---|---|---|",
    ]
    for p in parameter_table().values():
        lines.append(
            f"| `{p.name}` | {p.value:g} | {p.unit} | {p.module} | {p.source} | "
            f"{p.low:g} to {p.high:g} | {p.prior_low:g} to {p.prior_high:g} | {p.description} |"
        )
    lines.append("")
    lines.append("Coupled constraints:")
    lines.append("")
    for smaller, larger, why in COUPLED:
        lines.append(f"- `{smaller}` <= `{larger}`: {why}.")
    return "\n".join(lines) + "\n"
