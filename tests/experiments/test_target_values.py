"""What the model says of each kind of target, read from a run's long table (known answers)."""

import datetime as dt

import numpy as np
import pandas as pd

from trocha.experiments.targets import FLOW, INTERVAL, LEVEL, Target, simulated_values


def _table() -> pd.DataFrame:
    """Daily rows sorted by metric, country and date, as a run's timeseries is."""
    days = pd.date_range("2019-01-01", "2019-01-10", freq="D")
    rows = []
    for metric, country, values in (
        ("arrivals", "PER", np.arange(1.0, 11.0)),  # 1, 2, ..., 10
        ("migrant_stock", "PER", 100.0 + np.arange(10.0)),
        ("trocha_fee_usd", "COL", [np.nan, 10, 20, 30, np.nan, 50, 60, 70, 80, 90]),
    ):
        rows += [(d, country, metric, v) for d, v in zip(days, values, strict=True)]
    table = pd.DataFrame(rows, columns=["date", "country", "metric", "value"])
    return table.sort_values(["metric", "country", "date"], kind="stable")


def _target(metric, country, date, kind=LEVEL, start=None, high=None) -> Target:
    return Target(
        row=2,
        date=dt.date.fromisoformat(date),
        country=country,
        metric=metric,
        value=1.0,
        kind=kind,
        start_date=dt.date.fromisoformat(start) if start else None,
        value_high=high,
    )


def test_each_kind_of_target_reads_its_own_rule():
    targets = [
        _target("migrant_stock", "PER", "2019-01-04"),  # the value on the date: 103
        _target("arrivals", "PER", "2019-01-05", FLOW, "2019-01-03"),  # 3 + 4 + 5 = 12
        _target("trocha_fee_usd", "COL", "2019-01-06", INTERVAL, "2019-01-01", 60.0),  # NaN skipped
        _target("trocha_fee_usd", "COL", "2019-01-03", INTERVAL, high=60.0),  # on the date: 20
        _target("migrant_stock", "PER", "2019-02-01"),  # after the run: NaN
        _target("migrant_stock", "PER", "2018-12-31"),  # before the run: NaN
        _target("migrant_stock", "ECU", "2019-01-04"),  # no such country in the table: NaN
        _target("deaths", "PER", "2019-01-04"),  # no such metric: NaN
        _target("trocha_fee_usd", "COL", "2019-01-01", INTERVAL, "2019-01-01", 60.0),  # all NaN
    ]
    values = simulated_values(_table(), targets)
    expected = [103.0, 12.0, (10 + 20 + 30 + 50) / 4, 20.0] + [np.nan] * 5
    np.testing.assert_array_equal(values, expected)


def test_a_share_is_the_ratio_of_its_metrics_sums_over_the_period():
    """air_entry_share: air_entries over official + irregular crossings, summed from start_date
    to date; NaN where the run does not cover the period or nobody entered."""
    from trocha.experiments.targets import SHARE

    days = pd.date_range("2019-01-01", "2019-01-10", freq="D")
    rows = []
    for metric, values in (
        ("air_entries", [1.0] * 10),
        ("official_crossings", [2.0] * 10),
        ("irregular_crossings", [0.0, 0.0, 2.0, 2.0] + [0.0] * 6),
    ):
        rows += [(d, "ARG", metric, v) for d, v in zip(days, values, strict=True)]
    rows += [(d, "CHL", m, 0.0) for d in days for m in ("air_entries", "official_crossings")]
    rows += [(d, "CHL", "irregular_crossings", 0.0) for d in days]
    table = pd.DataFrame(rows, columns=["date", "country", "metric", "value"])
    table = table.sort_values(["metric", "country", "date"], kind="stable")
    targets = [
        _target("air_entry_share", "ARG", "2019-01-04", SHARE, "2019-01-01"),  # 4 / (8 + 4)
        _target("air_entry_share", "ARG", "2019-01-10", SHARE, "2019-01-05"),  # 6 / 12
        _target("air_entry_share", "ARG", "2019-01-12", SHARE, "2019-01-05"),  # past the run
        _target("air_entry_share", "ARG", "2019-01-04", SHARE, "2018-12-30"),  # before it
        _target("air_entry_share", "CHL", "2019-01-04", SHARE, "2019-01-01"),  # nobody entered
    ]
    values = simulated_values(table, targets)
    np.testing.assert_array_equal(values, [4 / 12, 0.5, np.nan, np.nan, np.nan])


def test_the_share_metrics_the_scenario_check_knows_are_those_the_targets_compute():
    from trocha.experiments.targets import SHARES
    from trocha.scenario.tables import SHARE_METRICS

    assert set(SHARES) == SHARE_METRICS
