"""How much do common random numbers narrow a comparison's intervals, and how much could they?

Runs `trocha compare BASE ALTERNATIVE` twice as a user would (whole processes): paired on common
random numbers (the default) and with `--no-crn` (the alternative on other seeds), and reports for
each outcome the width of the 95% interval of the difference in both, and their ratio.

Pairing narrows an interval only as far as the two arms' outcomes move together over seeds. Even
perfectly paired runs (correlation 1) leave a difference whose spread is |sd_base - sd_alt|, so
an intervention that changes an outcome's spread between seeds bounds the ratio from below by
|sd_base - sd_alt| / sqrt(sd_base^2 + sd_alt^2). The table gives that bound and the correlation
reached, from the paired runs, so a ratio can be read as a pairing defect or as the spread the
intervention itself changes.

    python benchmarks/crn_widths.py [--base venezuela] [--alternative venezuela-open-border ...]
        [--seeds 16] [--scale 200] [--workers 2] [--doc-only]

Writes benchmarks/results/crn_widths_<alternative>.json for each alternative measured and the
section of docs/benchmarks.md, one table per results file found (--doc-only: only the section).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from doc_sections import write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- crn-widths -->", "<!-- /crn-widths -->"
OUTCOMES = (
    "people_trafficked",
    "exploited_person_years",
    "victims_identified",
    "money_taken_from_migrants_usd",
    "deaths",
    "irregular_crossings",
    "org_revenue_usd",
    "org_members_end",
    "org_countries_end",
    "migrant_stock_end",
    *(f"migrant_stock_end_{c}" for c in ("COL", "PER", "ECU", "CHL", "BRA", "ARG", "USA")),
)


def results_file(alternative: str) -> Path:
    return RESULTS / f"crn_widths_{alternative}.json"


def run_compare(
    args: argparse.Namespace, alternative: str, crn: bool, out: Path
) -> tuple[Path, float]:
    """One `trocha compare` in its own process; its experiment folder and wall time."""
    command = [
        sys.executable, "-m", "trocha", "compare", args.base, alternative,
        "--seeds", str(args.seeds), "--scale", str(args.scale), "--workers", str(args.workers),
        "--out", str(out), "--format", "csv", *([] if crn else ["--no-crn"]),
    ]  # fmt: skip
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return next(out.glob("compare_*")), time.perf_counter() - began


def widths(folder: Path) -> pd.Series:
    table = pd.read_csv(folder / "comparison.csv").set_index("outcome")
    return table["diff_ci_high"] - table["diff_ci_low"]


def paired_outcomes(folder: Path, base: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each run's outcomes, base and alternative, indexed by seed."""
    import trocha
    from trocha.experiments.outcomes import destination_countries, outcomes_from_run

    countries = destination_countries(trocha.load_scenario(base))
    rows = {"base": {}, "alt": {}}
    for run in json.loads((folder / "experiment.json").read_text())["runs"]:
        manifest = json.loads((folder / run / "manifest.json").read_text())
        arm = "base" if manifest["scenario"] == base else "alt"
        rows[arm][manifest["seed"]] = outcomes_from_run(folder / run, countries)
    return pd.DataFrame(rows["base"]).T.sort_index(), pd.DataFrame(rows["alt"]).T.sort_index()


def measure(args: argparse.Namespace, alternative: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        paired, paired_s = run_compare(args, alternative, True, Path(tmp) / "crn")
        independent, independent_s = run_compare(
            args, alternative, False, Path(tmp) / "independent"
        )
        crn_width, ind_width = widths(paired), widths(independent)
        base, alt = paired_outcomes(paired, args.base)
    rows = []
    for outcome in OUTCOMES:
        if outcome not in crn_width.index:
            continue
        b, a = base[outcome].to_numpy(), alt[outcome].to_numpy()
        sd_b, sd_a = float(np.std(b, ddof=1)), float(np.std(a, ddof=1))
        spread = math.hypot(sd_b, sd_a)
        moving = sd_b > 0 and sd_a > 0
        rows.append(
            {
                "outcome": outcome,
                "crn_width": float(crn_width[outcome]),
                "independent_width": float(ind_width[outcome]),
                "ratio": float(crn_width[outcome] / ind_width[outcome])
                if ind_width[outcome] > 0
                else None,
                "correlation": float(np.corrcoef(b, a)[0, 1]) if moving else None,
                "sd_base": sd_b,
                "sd_alternative": sd_a,
                "perfect_pairing_ratio": abs(sd_b - sd_a) / spread if spread > 0 else None,
            }
        )
    return {
        "command": " ".join(sys.argv),
        "base": args.base,
        "alternative": alternative,
        "seeds": args.seeds,
        "scale": args.scale,
        "workers": args.workers,
        "wall_seconds": {"crn": round(paired_s, 1), "independent": round(independent_s, 1)},
        "measured": dt.date.today().isoformat(),
        "outcomes": rows,
    }


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 10 else f"{value:,.0f}"


def comparison_table(results: dict) -> list[str]:
    lines = [
        f"### {results['base']} vs {results['alternative']}",
        "",
        f"`trocha compare {results['base']} {results['alternative']} --seeds "
        f"{results['seeds']} --scale {results['scale']} --workers {results['workers']}`, "
        f"measured {results['measured']}; wall time {results['wall_seconds']['crn']:.0f} s "
        f"paired, {results['wall_seconds']['independent']:.0f} s independent. Raw results: "
        f"`{results_file(results['alternative']).relative_to(ROOT)}`.",
        "",
        "| outcome | CRN width | independent width | ratio | correlation | sd base "
        "| sd alternative | perfect pairing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["outcomes"]:
        lines.append(
            f"| {row['outcome']} | {_number(row['crn_width'])} | "
            f"{_number(row['independent_width'])} | {_number(row['ratio'])} | "
            f"{_number(row['correlation'])} | {_number(row['sd_base'])} | "
            f"{_number(row['sd_alternative'])} | {_number(row['perfect_pairing_ratio'])} |"
        )
    return [*lines, ""]


def doc_section(all_results: list[dict]) -> str:
    lines = [
        START,
        "## Common random numbers: interval widths and their bound",
        "",
        "`benchmarks/crn_widths.py` (method in its docstring) runs `trocha compare` paired (CRN) "
        "and with `--no-crn` and gives the width of the 95% interval of the difference in both. "
        "*Correlation*: of the paired runs' outcomes over seeds. *Perfect pairing*: the ratio if "
        "the paired runs moved together exactly (correlation 1) with the spreads they have, "
        "|sd_base - sd_alt| / sqrt(sd_base^2 + sd_alt^2): an intervention that changes an "
        "outcome's spread between seeds bounds the ratio from below, whatever the pairing.",
        "",
    ]
    for results in all_results:
        lines += comparison_table(results)
    return "\n".join([*lines, END])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="venezuela")
    parser.add_argument("--alternative", nargs="+", default=["venezuela-open-border"])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--scale", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--doc-only", action="store_true", help="rewrite the doc section from the results files"
    )
    args = parser.parse_args()
    if not args.doc_only:
        RESULTS.mkdir(parents=True, exist_ok=True)
        for alternative in args.alternative:
            results = measure(args, alternative)
            results_file(alternative).write_text(json.dumps(results, indent=2) + "\n")
    found = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("crn_widths_*.json"))]
    write_section(DOC, doc_section(found), START, END)
    print(doc_section(found))


if __name__ == "__main__":
    main()
