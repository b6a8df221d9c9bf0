"""Pattern-oriented validation of the default scenario (DESIGN.md P2-P6), over ten seeds (slow).

Each test states the pattern, computes it per seed, and asserts it on the ensemble: the mean and
at least 80% of the seeds, so no single lucky run passes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trocha

pytestmark = pytest.mark.slow
SEEDS = tuple(range(1, 11))
SCALE = 400


@pytest.fixture(scope="module")
def runs():
    scenario = trocha.load_scenario("venezuela")
    return [trocha.Simulation(scenario, seed=s, scale=SCALE).run() for s in SEEDS]


def yearly(result, metric, country="ALL", how="sum"):
    series = result.metric(metric, country)
    grouped = series.groupby(series.index.year)
    return getattr(grouped, how)()


def holds(values, condition, share=0.8):
    ok = [condition(v) for v in values]
    return np.mean(ok) >= share


# The closures of the official crossings into Colombia (border_regimes.csv): the Táchira bridges
# in 2019 and the pandemic closure to the reopening of October 2021.
CLOSURES = (("2019-02-22", "2019-06-07"), ("2020-03-14", "2021-10-04"))


def test_p2_trocha_fees_spike_under_closure_and_fall_after_reopening(runs):
    """Fees while each closure lasts against the open year before (2018), not one year against
    another: 2019 held a closure of its own, so a yearly 2020/2019 ratio measured how much longer
    2020's closure was rather than how far a closure raises the fee."""
    fees = [r.metric("trocha_fee_usd", "COL") for r in runs]
    for start, end in CLOSURES:
        spike = [f[start:end].mean() / f["2018"].mean() for f in fees]
        assert np.mean(spike) >= 2 and holds(spike, lambda x: x >= 2), (start, spike)
    fee = [yearly(r, "trocha_fee_usd", "COL", "mean") for r in runs]
    fall = [f[2023] / f[2020] for f in fee]
    assert np.mean(fall) <= 0.5 and holds(fall, lambda x: x <= 0.5), fall


def test_p2_irregular_share_rises_under_closure(runs):
    for r in runs:
        irregular = yearly(r, "irregular_crossings", "COL")
        official = yearly(r, "official_crossings", "COL")
        share = irregular / (irregular + official)
        assert share[2020] > share[2018] + 0.3, share.round(2).to_dict()


def test_p3_exploitation_overtakes_smuggling_within_five_years(runs):
    # Exploitation revenue exceeds what migrants pay for passage (trocha fees and packages) within
    # five years of the first trafficking, which starts by mechanism (the first cell abroad).
    def overtakes(r):
        exploitation = yearly(r, "revenue_exploitation")
        passage = yearly(r, "revenue_smuggling") + yearly(r, "revenue_packages")
        first = int(exploitation[exploitation > 0].index.min())
        return any(
            exploitation[y] > passage[y] > 0 for y in range(first, first + 6) if y in passage
        )

    # Over seeds 1-40 the pattern holds in 33 (9 of seeds 1-10; 32 before Costa Rica's airport
    # and the calibrated death-risk penalty, 2026-12-05): a rate of about 80%, the bar of the
    # other patterns. The 90% this test asked before was what seeds 1-10 gave, not the rate.
    assert holds([overtakes(r) for r in runs], bool, share=0.8)


def test_p3_packages_appear_after_the_2020_closures(runs):
    # No date sets them (organisations.csv packages_from is empty): organisations start selling
    # once the closures make them pay: a yearly margin and a rent per client (what each client
    # brings over the usual fee) both above their thresholds. The passport rules of late 2018
    # give yearly margins as large as 2020's, on many clients at a low rent each, and sell no
    # package in any seed. Where the gang holds the Ecuadorian and Peruvian trochas, the visa
    # rules of mid-2019 (Peru 2019-06-15, Ecuador 2019-08-26) raise its rent per client past
    # the threshold a few months before the closures: measured (2026-12-03) in 2 or 3 of these
    # ten seeds and 5 of seeds 1-20 at scale 2000 (re-measured 2026-12-04, after the victims'
    # review draws changed: seeds 2, 6, 8, 17 and 18, from 2019-11-04; seeds 9 and 10 sell none
    # by 2021); so the pattern is asserted on the ensemble.
    starts = []
    for r in runs:
        sold = r.metric("revenue_packages")
        starts.append(sold[sold > 0].index.min())
    sold = [s for s in starts if not pd.isna(s)]
    assert all(s >= np.datetime64("2019-06-15") for s in sold), starts
    assert holds(starts, lambda s: not pd.isna(s) and s >= np.datetime64("2020-03-14"), 0.7), starts


def test_p4_spreads_to_several_countries_but_not_the_united_states(runs):
    countries = [r.metric("org_countries")["2023-12-31"] for r in runs]
    assert 4 <= np.mean(countries) <= 9 and holds(countries, lambda x: 4 <= x <= 9), countries
    for r in runs:
        assert r.metric("org_cells", "USA").max() == 0


def test_p5_membership_grows_to_thousands(runs):
    # Active members the day before the 2023 raid, which sends the headquarters' inmates to other
    # prisons (then counted in org_members_prison, not org_members).
    members = [r.metric("org_members")["2023-09-19"] for r in runs]
    start = [r.metric("org_members")["2014-12-31"] for r in runs]
    assert 2000 <= np.mean(members) <= 10000, members
    assert holds(members, lambda x: 2000 <= x <= 10000), members
    assert all(m > 3 * s for m, s in zip(members, start, strict=True))


def test_p6_revenue_from_migrants_declines_as_the_pool_shrinks(runs):
    # Revenue from migrants in 2024 under 0.8 of its 2019-2021 peak: over seeds 1-30 it holds in
    # 28 (9 of seeds 1-10; measured 2026-12-05 once departures followed the value of leaving);
    # the seeds where it fails are those whose organisation sells little before 2021 (seed 4:
    # USD 3.7 million in 2018 against 12-19 million in most), so its peak comes late. Asked of
    # every seed before, now as of the other patterns: the mean and 80% of the seeds.
    ratios = []
    for r in runs:
        from_migrants = yearly(r, "revenue_smuggling") + yearly(r, "revenue_packages")
        ratios.append(from_migrants[2024] / from_migrants[[2019, 2020, 2021]].max())
        departures = yearly(r, "departures")
        assert departures[2024] < departures[[2018, 2019]].max()
    assert np.mean(ratios) < 0.8 and holds(ratios, lambda x: x < 0.8), np.round(ratios, 2)
