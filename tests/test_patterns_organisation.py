"""Patterns of the organisation that no input schedules (ODD 7.10-7.11), over twenty seeds (slow).

Nothing here is dated in the scenario except the 2023 Tocorón raid (S58) and the alliance: cells,
crossings, members, arrests and rotations come from the organisation's decisions. Each pattern is
asserted on the ensemble (the mean and at least 80% of the seeds) at a coarse scale and a horizon
that ends six months after the raid, to keep the cost low (about a minute on two cores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import trocha

pytestmark = pytest.mark.slow
SEEDS = tuple(range(1, 21))
SCALE, END = 2000, "2024-03-20"
RAID = pd.Timestamp("2023-09-20")  # enforcement_events.csv (S58)
GANG = "Tren de Aragua"


@pytest.fixture(scope="module")
def runs():
    scenario = trocha.load_scenario("venezuela")
    out = []
    for seed in SEEDS:
        sim = trocha.Simulation(scenario, seed=seed, scale=SCALE, end=END)
        out.append((sim, sim.run()))
    return out


def holds(values, condition, share=0.8):
    return np.mean([condition(v) for v in values]) >= share


def countries_with_cells(result, date: str) -> set[str]:
    ts = result.timeseries
    cells = ts[(ts["metric"] == "org_cells") & (ts["date"] == date) & (ts["country"] != "ALL")]
    return set(cells.loc[cells["value"] > 0, "country"])


def before_raid(result, metric):
    series = result.metric(metric)
    return series[: RAID - pd.Timedelta(days=1)].iloc[-1]


def test_cells_in_four_to_nine_countries_never_the_united_states(runs):
    found = [countries_with_cells(r, "2023-12-31") for _, r in runs]
    n = [len(c) for c in found]
    assert 4 <= np.mean(n) <= 9 and holds(n, lambda x: 4 <= x <= 9), n
    assert all("USA" not in c for c in found)


# Measured 2026-12-04 (scale 2000, seeds 1-20): Chile in 19 of 20 seeds by 2023 (first cells
# 2020-01 to 2023-12), Bolivia in 18 (2019-11 to 2023-07). They come from managers sent to open
# cells in new countries when a cell's heat rotates them (rotation_new_country 0.3; seed article:
# "rotating them to new countries when the police caught on"); without it, 9 and 4 of 20. The
# share is an assumption: 0.15 gives Bolivia in 10 seeds, 0.25-0.5 in 16-18.
def test_cells_in_chile_and_bolivia_by_2023(runs):
    # Tren de Aragua was reported in both countries by 2023.
    found = [countries_with_cells(r, "2023-12-31") for _, r in runs]
    chile = np.mean(["CHL" in c for c in found])
    bolivia = np.mean(["BOL" in c for c in found])
    assert chile >= 0.8 and bolivia >= 0.8, f"Chile in {chile:.0%}, Bolivia in {bolivia:.0%}"


def test_thousands_of_members_many_in_prison_before_the_raid(runs):
    members = [before_raid(r, "org_members") for _, r in runs]
    prison = [before_raid(r, "org_members_prison") for _, r in runs]
    assert 2000 <= np.mean(members) <= 10000, members
    assert holds(members, lambda x: 2000 <= x <= 10000), members
    assert np.mean(prison) > 1500 and holds(prison, lambda x: x > 1500), prison


def cell_months_and_rotations(sim, result) -> tuple[float, float]:
    """Cell-months of cells that can rotate (not the headquarters), and manager rotations."""
    eco = sim.economy
    headquarters = int((eco.hq_place[eco.gangs()] >= 0).sum())
    cells = result.metric("org_cells") - headquarters
    return cells.sum() / 30.44, result.metric("org_rotations").iloc[-1]


def test_a_manager_rotation_every_two_to_twenty_four_months_per_cell(runs):
    # Months between rotations, not days (the issue: one cell rotated every week), in every seed;
    # rotations in at least 80% of the seeds; and the ensemble's rate, pooling cell-months and
    # rotations (the pattern is a rate), within 2-24 months. Not each seed within 24: where the
    # gang never opens a cell at Cúcuta, whose heat drives most rotations, its cells rotate every
    # two to four years (measured 2026-12-03: 3 of these ten seeds, 26-44 cell-months per
    # rotation; 393 in one seed with other draws), which a mean of the seeds' ratios would also
    # let dominate. Nor the median seed, asserted until 2026-12-06: its 90% bootstrap interval
    # over these 20 seeds spans 15-31 months at the calibration before the flights to Mexico
    # (median 19.8, pooled 17.9) and 15-28 at the one after (24.4; pooled 18.4, 90% 14.7-24.2),
    # so a bound at 24 asserted the draw, not the model.
    both = [cell_months_and_rotations(sim, r) for sim, r in runs]
    pooled = sum(m for m, _ in both) / max(sum(n for _, n in both), 1e-9)
    months = [m / max(n, 1e-9) for m, n in both]
    assert all(m >= 2 for m in months), months
    assert holds([n for _, n in both], lambda n: n > 0), both
    assert 2 <= pooled <= 24, (pooled, months)


def test_revenue_falls_by_less_than_half_after_the_raid(runs):
    ratios = []
    for _, r in runs:
        revenue = r.metric("org_revenue_usd")
        before = revenue[RAID - pd.Timedelta(days=180) : RAID - pd.Timedelta(days=1)].sum()
        after = revenue[RAID + pd.Timedelta(days=1) : RAID + pd.Timedelta(days=180)].sum()
        ratios.append(after / before)
    assert holds(ratios, lambda x: x > 0.5) and np.mean(ratios) > 0.5, ratios
    events = [r.events[r.events["kind"] == "prison_raid"] for _, r in runs]
    assert all(len(e) == 1 and "80 high-ranking" in e["detail"].iloc[0] for e in events)


def corridor_correlation(result, threshold: float) -> float:
    """Spearman correlation between the order of the gang's first cell by country and the order
    in which each of those countries first held `threshold` emigrants."""
    ev = result.events
    first = (
        ev[(ev["kind"] == "expansion") & ev["detail"].str.startswith(GANG)]
        .groupby("country")["date"]
        .min()
    )
    first = first.drop(labels=["VEN"], errors="ignore")
    ts = result.timeseries
    stock = ts[(ts["metric"] == "migrant_stock") & ts["country"].isin(first.index)]
    large = stock[stock["value"] >= threshold].groupby("country")["date"].min()
    large = large.reindex(first.index).fillna(ts["date"].max() + pd.Timedelta(days=1))
    if len(first) < 3:
        return np.nan
    return spearmanr(first.rank(), large.rank()).statistic


def test_cells_spread_along_the_migrant_corridor(runs, threshold=50_000):
    """Measured 2026-12-04 (scale 2000, seeds 1-20, managers sent to new countries at 0.3 of
    rotations): Spearman rho 0.79, 0.61, 0.86, 0.93, 0.79, 0.64, 0.62, 0.90, 0.46, 0.54, 0.30,
    0.93, 0.93, 0.88, 0.54, 0.95, 0.77, 0.81, 0.86, 0.75 (mean 0.74, median 0.79, 16 of 20 seeds
    >= 0.6). Before that mechanism: mean 0.64, median 0.70-0.77, 14-15 of 20 (seeds 1-10 alone
    6 of 10, which is why the ensemble has twenty seeds). The pattern is judged on the seeds'
    mean and median, with most seeds agreeing."""
    rho = [corridor_correlation(r, threshold) for _, r in runs]
    typical = np.nanmean(rho) >= 0.6 and np.nanmedian(rho) >= 0.6
    assert typical and holds(rho, lambda x: x >= 0.6, share=0.7), np.round(rho, 2)
