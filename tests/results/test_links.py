"""People per link (links.parquet): they add up to the crossings counted by country, and the map
draws them instead of an estimate."""

from __future__ import annotations

import pandas as pd
import pytest

import trocha
from trocha.results.rundir import save_run


@pytest.fixture(scope="module")
def result():
    return trocha.Simulation(trocha.load_scenario("tiny"), seed=2, scale=200).run()


def test_link_use_adds_up_to_the_crossings_by_country(result):
    links = result.links
    assert set(links.columns) == {"date", "from", "to", "crossing", "mode", "value"}
    country = {p.name: p.country for p in trocha.load_scenario("tiny").locations}
    links = links.assign(entered=links["to"].map(country))
    ts = result.timeseries
    for kind in ("irregular", "official"):
        by_link = links[links["crossing"] == kind].groupby("entered")["value"].sum()
        counted = ts[ts["metric"] == f"{kind}_crossings"].groupby("country")["value"].sum()
        counted = counted.drop("ALL")
        assert by_link.sum() > 0, kind
        pd.testing.assert_series_equal(
            by_link.reindex(counted.index, fill_value=0.0), counted, check_names=False
        )
    # The last row date is the run's last day: nothing after the last weekly count is lost.
    assert pd.Timestamp(result.links["date"].max()) == ts["date"].max()


def test_links_are_saved_and_drawn(result, tmp_path):
    folder = save_run(result, tmp_path)
    assert (folder / "links.parquet").is_file()
    from trocha.report.data import load_run
    from trocha.report.figures_map import corridor_map
    from trocha.report.geography import geography_for

    run = load_run(folder)
    figure = corridor_map(run, geography_for(run.manifest))
    names = [trace.name for trace in figure.data]
    assert any("irregular crossing" in n for n in names)
    assert not any("estimate" in n for n in names)


def test_links_are_in_the_catalog(result, tmp_path):
    save_run(result, tmp_path)
    con = trocha.open_catalog(tmp_path)
    total = con.sql("SELECT sum(value) FROM links WHERE crossing = 'irregular'").fetchall()[0][0]
    assert total == pytest.approx(result.links.query("crossing == 'irregular'")["value"].sum())


def test_links_carry_their_mode():
    # The venezuela flights are "air" and its trochas are walked or crossed by boat.
    result = trocha.Simulation(
        trocha.load_scenario("venezuela"), seed=1, scale=20000, end="2014-03-31"
    ).run()
    links = result.links.drop_duplicates(["from", "to", "crossing"])
    modes = links.set_index(["from", "to", "crossing"])["mode"]
    assert modes[("Maiquetía", "Madrid-Barajas Airport", "official")] == "air"
    assert modes[("Madrid-Barajas Airport", "Maiquetía", "official")] == "air"
    assert modes[("San Antonio del Táchira", "Cúcuta", "irregular")] == "walk"
    assert set(modes) <= {"walk", "bus", "boat", "air"}


def test_air_entries_are_the_international_flights_by_country_entered():
    """`air_entries` adds up, by country entered, to the people on international flights in
    links.parquet, and never exceeds the official crossings on any day."""
    scenario = trocha.load_scenario("venezuela")
    result = trocha.Simulation(scenario, seed=1, scale=5000, end="2016-12-31").run()
    country = {p.name: p.country for p in scenario.locations}
    links = result.links[result.links["mode"] == "air"]
    links = links.assign(left=links["from"].map(country), entered=links["to"].map(country))
    flown = links[links["left"] != links["entered"]].groupby("entered")["value"].sum()
    ts = result.timeseries
    air = ts[ts["metric"] == "air_entries"].pivot(index="date", columns="country", values="value")
    official = ts[ts["metric"] == "official_crossings"].pivot(
        index="date", columns="country", values="value"
    )
    assert flown.sum() > 0
    pd.testing.assert_series_equal(
        air.drop(columns="ALL").sum()[flown.index], flown, check_names=False
    )
    assert air.drop(columns="ALL").sum().sum() == flown.sum()
    assert (air <= official).all().all()
    assert (air["ALL"] == air.drop(columns="ALL").sum(axis=1)).all()
