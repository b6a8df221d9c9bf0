"""Two runs side by side: their outcomes in one table (DuckDB, in memory) and shared curves."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..experiments.outcomes import OUTCOMES
from ..report.data import RunData
from ..report.html import Section, figure_html, frame_html
from ..report.series import dates, monthly
from ..report.style import colour, layout

CURVES = (
    ("migrant_stock", "last", "Migrant stock abroad", "people"),
    ("victims_current", "last", "Trafficking victims held", "people"),
    ("migrant_money_taken_usd", "sum", "Money taken from migrants", "USD per month"),
    ("org_members", "last", "Organisations' members", "members"),
    ("deaths", "sum", "Deaths on the way", "people per month"),
)
TOTALS_SQL = """
SELECT metric,
       sum(value) FILTER (WHERE run = 'A') AS a_sum, sum(value) FILTER (WHERE run = 'B') AS b_sum,
       arg_max(value, date) FILTER (WHERE run = 'A') AS a_end,
       arg_max(value, date) FILTER (WHERE run = 'B') AS b_end
FROM (SELECT 'A' AS run, * FROM read_parquet(?) UNION ALL
      SELECT 'B' AS run, * FROM read_parquet(?))
WHERE country = 'ALL'
GROUP BY metric ORDER BY metric
"""
# outcome -> (metric, sum or end value, divisor)
OUTCOME_SQL = {
    "people_trafficked": ("victims_new", "sum", 1.0),
    "exploited_person_years": ("victims_current", "sum", 365.0),
    "victims_identified": ("victims_identified", "sum", 1.0),
    "money_taken_from_migrants_usd": ("migrant_money_taken_usd", "sum", 1.0),
    "deaths": ("deaths_cumulative", "end", 1.0),
    "irregular_crossings": ("irregular_crossings", "sum", 1.0),
    "org_revenue_usd": ("org_revenue_usd", "sum", 1.0),
    "org_members_end": ("org_members", "end", 1.0),
    "org_countries_end": ("org_countries", "end", 1.0),
    "migrant_stock_end": ("migrant_stock", "end", 1.0),
}


def outcome_table(runs: list[RunData], con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The comparison outcomes of both runs and B - A, computed in DuckDB from the Parquet."""
    paths = [str(r.folder / "timeseries.parquet") for r in runs]
    totals = con.execute(TOTALS_SQL, paths).df().set_index("metric")
    rows = []
    for outcome, (metric, how, divisor) in OUTCOME_SQL.items():
        if metric not in totals.index:
            continue
        a = float(totals.loc[metric, f"a_{how}"]) / divisor
        b = float(totals.loc[metric, f"b_{how}"]) / divisor
        rows.append(
            {"outcome": outcome, "unit": OUTCOMES[outcome][0], "A": a, "B": b, "B - A": b - a}
        )
    return pd.DataFrame(rows)


def compare_sections(runs: list[RunData], con: duckdb.DuckDBPyConnection) -> list[Section]:
    import plotly.graph_objects as go

    a, b = runs
    card = pd.DataFrame(
        [
            {
                "": name,
                "run": r.run_id,
                "scenario": r.manifest.get("scenario"),
                "seed": r.manifest.get("seed"),
                "scale": r.manifest.get("scale"),
                "interventions": ", ".join(
                    str(i.get("type")) for i in r.manifest.get("interventions") or []
                ),
            }
            for name, r in (("A", a), ("B", b))
        ]
    )
    sections = [
        Section("runs", "The two runs", "", frame_html(card)),
        Section(
            "outcomes",
            "Outcomes",
            "Computed from each run's timeseries.parquet (one run "
            "each: no interval; use `trocha compare` over seeds for one).",
            frame_html(outcome_table(runs, con), "{:,.1f}"),
        ),
    ]
    for i, (metric, how, title, unit) in enumerate(CURVES):
        fig = go.Figure()
        for j, (name, run) in enumerate((("A", a), ("B", b))):
            s = monthly(run.timeseries, metric, how=how)
            fig.add_trace(
                go.Scatter(
                    x=dates(s.index),
                    y=s.to_numpy(),
                    mode="lines",
                    name=f"{name}: {run.run_id}",
                    line={"color": colour(j), "width": 2, "dash": "solid" if j == 0 else "dash"},
                )
            )
        fig.update_layout(layout(title, "month", unit))
        sections.append(Section(f"curve-{i}", title, "", figure_html(fig, f"fig-curve-{i}")))
    return sections
