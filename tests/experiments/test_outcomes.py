"""Outcomes of a run: the stock outcomes follow the scenario's countries, not a fixed list."""

from __future__ import annotations

import trocha
from trocha.experiments.outcomes import destination_countries, outcomes_of


def test_stock_outcomes_cover_every_destination_of_the_scenario(tiny):
    countries = destination_countries(tiny)
    assert countries == ["COL", "ECU", "PER"]  # tiny's countries.csv without the origin, VEN
    result = trocha.Simulation(tiny, seed=3, scale=500, end="2018-12-31").run()
    out = outcomes_of(result.timeseries, countries)
    stocks = {k: v for k, v in out.items() if k.startswith("migrant_stock_end_")}
    assert set(stocks) == {
        "migrant_stock_end_COL",
        "migrant_stock_end_ECU",
        "migrant_stock_end_PER",
    }
    last = result.timeseries["date"].max()
    for code in countries:
        ts = result.timeseries
        row = ts[(ts.metric == "migrant_stock") & (ts.country == code) & (ts.date == last)]
        assert stocks[f"migrant_stock_end_{code}"] == float(row["value"].iloc[0])
    assert sum(stocks.values()) == out["migrant_stock_end"] > 0


def test_venezuela_stock_outcomes_include_every_host():
    scenario = trocha.load_scenario("venezuela")
    countries = destination_countries(scenario)
    assert "VEN" not in countries
    # Hosts beyond the eight a fixed list used to name (e.g. Mexico and Spain) are outcomes too.
    assert {"COL", "PER", "USA", "MEX", "ESP"} <= set(countries)
    assert len(countries) == len(scenario.countries) - 1
