"""Figures of an experiment: a forest plot of outcome differences, paired curves, sweep spreads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .figures_run import line
from .style import colour, layout

# outcome -> (metric, country, cumulative?) to draw it over time
OUTCOME_CURVES: dict[str, tuple[str, bool]] = {
    "people_trafficked": ("victims_new", True),
    "exploited_person_years": ("victims_current", False),
    "victims_identified": ("victims_identified", True),
    "money_taken_from_migrants_usd": ("migrant_money_taken_usd", True),
    "deaths": ("deaths_cumulative", False),
    "irregular_crossings": ("irregular_crossings", True),
    "org_revenue_usd": ("org_revenue_usd", True),
    "org_members_end": ("org_members", False),
    "org_countries_end": ("org_countries", False),
    "migrant_stock_end": ("migrant_stock", False),
}


def curve_of(outcome: str) -> tuple[str, str, bool] | None:
    """(metric, country, cumulative) behind an outcome, or None."""
    if outcome.startswith("migrant_stock_end_"):
        return "migrant_stock", outcome.removeprefix("migrant_stock_end_"), False
    if outcome in OUTCOME_CURVES:
        metric, cumulative = OUTCOME_CURVES[outcome]
        return metric, "ALL", cumulative
    return None


def forest(comparison: pd.DataFrame):
    """Every outcome's mean difference (alternative - base) with its 95% interval, as a percentage
    of the base mean so outcomes in people, USD and members share one axis."""
    import plotly.graph_objects as go

    fig = go.Figure()
    outcomes = list(dict.fromkeys(comparison["outcome"]))
    for i, (alt, rows) in enumerate(comparison.groupby("alternative", sort=True)):
        base = rows["base_mean"].where(rows["base_mean"] != 0)
        pct = 100 * rows["diff_mean"] / base
        low = 100 * rows["diff_ci_low"] / base
        high = 100 * rows["diff_ci_high"] / base
        text = [
            f"{o}: {d:+,.0f} {u} (95% CI {lo:+,.0f} to {hi:+,.0f}); base {b:,.0f}"
            for o, d, lo, hi, u, b in zip(
                rows["outcome"],
                rows["diff_mean"],
                rows["diff_ci_low"],
                rows["diff_ci_high"],
                rows["unit"],
                rows["base_mean"],
                strict=True,
            )
        ]
        fig.add_trace(
            go.Scatter(
                x=pct.fillna(0).round(4).tolist(),
                y=list(rows["outcome"]),
                mode="markers",
                name=str(alt),
                text=text,
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
                marker={"color": colour(i + 1), "size": 9},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (high - pct).fillna(0).round(4).tolist(),
                    "arrayminus": (pct - low).fillna(0).round(4).tolist(),
                },
            )
        )
    fig.add_shape(
        type="line", x0=0, x1=0, y0=0, y1=1, yref="paper", line={"color": "black", "width": 1}
    )
    fig.update_layout(
        layout(
            "Difference from the baseline with 95% interval",
            "difference (% of the baseline mean)",
            "outcome",
            height=max(360, 28 * len(outcomes) + 120),
            hovermode="closest",
            yaxis={
                "title": {"text": ""},  # the tick labels name the outcomes
                "automargin": True,
                "gridcolor": "#E3E3E3",
                "autorange": "reversed",
                "categoryorder": "array",
                "categoryarray": outcomes,
            },
        )
    )
    return fig


def changed(comparison: pd.DataFrame) -> pd.DataFrame:
    """Rows whose 95% interval excludes zero."""
    c = comparison
    return c[(c["diff_ci_low"] > 0) | (c["diff_ci_high"] < 0)]


def mean_curve(folders: list[Path], metric: str, country: str, cumulative: bool) -> pd.Series:
    """The mean over runs of a metric's monthly curve (month end, or running total)."""
    curves = []
    for folder in folders:
        ts = pd.read_parquet(
            folder / "timeseries.parquet",
            filters=[("metric", "==", metric), ("country", "==", country)],
        )
        s = ts.set_index(pd.to_datetime(ts["date"]))["value"].sort_index()
        if cumulative:
            s = s.cumsum()
        curves.append(s.resample("MS").last())
    if not curves:
        return pd.Series(dtype=float)
    return pd.concat(curves, axis=1).mean(axis=1)


def paired(outcome: str, unit: str, groups: dict[str, list[Path]]):
    """Baseline and alternative mean curves of the metric behind an outcome."""
    import plotly.graph_objects as go

    metric, country, cumulative = curve_of(outcome) or ("", "", False)
    fig = go.Figure()
    for i, (label, folders) in enumerate(groups.items()):
        s = mean_curve(folders, metric, country, cumulative).round(6)
        name = f"{label} (mean of {len(folders)} runs)"
        fig.add_trace(line(go, s, name, colour(i), style={"dash": "solid" if i == 0 else "dash"}))
    what = f"{metric}{'' if country == 'ALL' else ' in ' + country}"
    what += ", running total" if cumulative else ""
    fig.update_layout(layout(f"{outcome}: {what}", "month", unit))
    return fig


def sweep_spread(results: pd.DataFrame, outcome: str, unit: str):
    """One outcome across a sweep's runs, by variant (each point a run)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    by = "variant" if "variant" in results else None
    groups = results.groupby(by, sort=True) if by else [("all runs", results)]
    for i, (name, rows) in enumerate(groups):
        fig.add_trace(
            go.Box(
                y=rows[outcome].round(6).tolist(),
                name=str(name),
                boxpoints="all",
                jitter=0.3,
                marker={"color": colour(i)},
                line={"color": colour(i)},
            )
        )
    fig.update_layout(
        layout(f"{outcome} across the runs", "variant", unit, hovermode="closest", showlegend=False)
    )
    return fig


def sensitivity_bars(indices: pd.DataFrame, outcome: str):
    """Each parameter's Morris mu* (or Sobol first-order and total indices) for one outcome, with
    the confidence half-widths SALib reports."""
    import plotly.graph_objects as go

    rows = indices[indices["outcome"] == outcome]
    fig = go.Figure()
    if "mu_star" in rows:
        bars = [("mu_star", "mu* (mean absolute elementary effect)")]
        x_title = "mu* (outcome units per parameter range)"
    else:
        bars = [("S1", "first-order index S1"), ("ST", "total index ST")]
        x_title = "share of the outcome's variance"
    for i, (column, label) in enumerate(bars):
        fig.add_trace(
            go.Bar(
                y=list(rows["parameter"]),
                x=rows[column].round(6).tolist(),
                orientation="h",
                name=label,
                marker={"color": colour(i)},
                error_x={"type": "data", "array": rows[f"{column}_conf"].round(6).tolist()},
            )
        )
    fig.update_layout(
        layout(
            f"Sensitivity of {outcome}",
            x_title,
            "parameter",
            hovermode="closest",
            barmode="group",
            height=max(300, 40 * len(rows) + 150),
            yaxis={"title": {"text": ""}, "automargin": True},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        )
    )
    return fig
