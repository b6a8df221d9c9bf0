"""Runs under the `flee` ruleset: Flee's data handling reproduced exactly, determinism,
conservation of agents, closures, and the run directory with flee_out.csv."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from flee.datamanager import handle_refugee_data
from flee_driver import run_flee_subprocess

from conftest import DATA, SUITE_SETTINGS
from trocha.flee import FleeSimulation, save_flee_run
from trocha.flee.outputs import averaged_relative_difference
from trocha.flee.refugee_data import RefugeeData, spawn_schedule


@pytest.mark.parametrize("name", ["mali2012", "car2013", "burundi2015", "ssudan2013", "flee_test"])
@pytest.mark.parametrize("hasten", [1, 20])
def test_data_series_equal_flee_datatable(imported, name, hasten):
    scenario = imported(name)
    inputs = scenario.inputs
    table = handle_refugee_data.RefugeeTable(
        csvformat="generic",
        data_directory=str(inputs.data_dir),
        start_date=inputs.start.isoformat(),
        data_layout="data_layout.csv",
        population_scaledown_factor=hasten,
    )
    table.ReadL1Corrections(str(inputs.input_dir / "registration_corrections.csv"))
    ours = RefugeeData(inputs, hasten)
    for data_name, _ in inputs.layout:
        expected = [table.get_field(data_name, t) for t in range(inputs.days)]
        assert list(ours.series(data_name, inputs.days)) == expected, data_name


def test_spawn_schedule_debt_known_answer():
    total = np.array([100, 130, 120, 110, 125, 140])
    new, raw, debt = spawn_schedule(total, insert_day0=True)
    # day 0 goes to camps; two falls of 10 add up to a debt of 20 that the next rises pay off
    assert list(new) == [0, 30, 0, 0, 0, 10]
    assert list(debt) == [0, 0, 10, 20, 5, 0]
    assert list(raw) == list(total)
    new, _, _ = spawn_schedule(total, insert_day0=False)
    assert new[0] == 100


@pytest.fixture(scope="module")
def mali_run(imported):
    return FleeSimulation(imported("mali2012"), seed=5, scale=50).run()


def test_same_seed_same_outputs_and_seeds_differ(imported, mali_run, tmp_path):
    again = FleeSimulation(imported("mali2012"), seed=5, scale=50).run()
    np.testing.assert_array_equal(again.present, mali_run.present)
    other = FleeSimulation(imported("mali2012"), seed=6, scale=50).run()
    assert not np.array_equal(other.present, mali_run.present)
    a = save_flee_run(mali_run, tmp_path / "a")
    b = save_flee_run(again, tmp_path / "b")
    for file in ("flee_out.csv", "timeseries.parquet", "locations.parquet", "events.parquet"):
        assert (a / file).read_bytes() == (b / file).read_bytes(), file


def test_agents_are_conserved(mali_run, imported):
    r = mali_run
    # every agent is at a location or on a link; none is created or lost outside spawning
    assert (r.present.sum(axis=1) <= r.total_agents).all()
    day0 = r.total_agents[0] - r.spawned[0]
    np.testing.assert_array_equal(r.total_agents, day0 + np.cumsum(r.spawned))
    sim = FleeSimulation(imported("mali2012"), seed=5, scale=50)
    sim.run()
    on_links = int((sim.link[: sim.n] >= 0).sum())
    assert r.present[-1].sum() + on_links == r.total_agents[-1]


def test_totals_and_data_columns_equal_flee(imported, mali_run, tmp_path):
    """Spawning is data-driven: Flee 3.1 and Trocha create the same number of agents each day."""
    out = tmp_path / "flee.csv"
    run_flee_subprocess(DATA / "mali2012", SUITE_SETTINGS, 1, out, hasten=50)
    flee = pd.read_csv(out)
    ours = mali_run
    np.testing.assert_array_equal(flee["total refugees (simulation)"], ours.total_agents)
    np.testing.assert_array_equal(flee["raw UNHCR refugee count"], ours.refugees_raw)
    np.testing.assert_array_equal(flee["refugee_debt"], ours.refugee_debt)
    for j, camp in enumerate(ours.camp_names):
        np.testing.assert_array_equal(flee[f"{camp} data"], ours.camp_data[:, j])
    assert list(flee.columns[2:5]) == [
        f"{ours.camp_names[0]} {c}" for c in ("sim", "data", "error")
    ]


def test_closed_borders_stop_arrivals(mali_run):
    """Mali-Burkina Faso is closed on days 0-21 and Mali-Niger on days 0-32 (closures.csv)."""
    r = mali_run
    countries = np.array(r.location_countries)
    for country, reopened in (("Burkina_Faso", 22), ("Niger", 33)):
        people = r.present[:, countries == country].sum(axis=1)
        # agents may travel inside the country, but nobody enters it while the border is closed
        assert people[:reopened].max() <= people[0], country
        assert people[reopened + 30] > people[reopened - 1], country


def test_camp_closure_turns_camp_into_town(imported):
    """burundi2015 closes the camp Nduta on days 0-100 (a town meanwhile) and reopens it."""
    scenario = imported("burundi2015")
    sim = FleeSimulation(scenario, seed=1, scale=20, days=40)
    result = sim.run()
    nduta = sim.net.names.index("Nduta")
    assert not sim.net.camp[nduta] and sim.net.town[nduta]
    assert sim.net.movechance[nduta] == scenario.settings.default_movechance
    assert "Nduta" in result.camp_names  # Flee lists the camps of day 0 in out.csv
    later = FleeSimulation(scenario, seed=1, scale=20, days=110)
    later.run()
    assert later.net.camp[nduta] and not later.net.town[nduta]
    assert later.net.movechance[nduta] == scenario.settings.camp_movechance


def test_run_directory(mali_run, tmp_path):
    folder = save_flee_run(mali_run, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    out = pd.read_csv(folder / "flee_out.csv")
    assert list(out.columns[-6:]) == [
        "Total error", "refugees in camps (UNHCR)", "total refugees (simulation)",
        "raw UNHCR refugee count", "refugees in camps (simulation)", "refugee_debt",
    ]  # fmt: skip
    sims = out[[f"{c} sim" for c in mali_run.camp_names]].to_numpy()
    datas = out[[f"{c} data" for c in mali_run.camp_names]].to_numpy()
    assert manifest["flee"]["ard"] == pytest.approx(averaged_relative_difference(sims, datas))
    assert manifest["flee"]["ard_rescaled"] == pytest.approx(
        averaged_relative_difference(sims, datas, rescaled=True)
    )
    ts = pd.read_parquet(folder / "timeseries.parquet")
    total = ts[(ts.metric == "displaced_total") & (ts.country == "ALL")]["value"].to_numpy()
    np.testing.assert_array_equal(total, mali_run.total_agents * 50)


def test_ard_known_answer():
    sim = np.array([[10, 0], [5, 5]])
    data = np.array([[5, 5], [5, 5]])
    # day 0: (5 + 5) / 10, day 1: 0
    assert averaged_relative_difference(sim, data) == pytest.approx(0.5)
    assert averaged_relative_difference(sim, data, rescaled=True) == pytest.approx(0.5)
    assert averaged_relative_difference(np.array([[20, 20]]), data[:1], rescaled=True) == 0.0
