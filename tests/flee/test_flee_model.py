"""Runs under the `flee` ruleset: Flee's data handling reproduced exactly, determinism,
conservation of agents, closures, and the run directory with flee_out.csv."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from flee.datamanager import handle_refugee_data
from flee_driver import run_flee_subprocess

from conftest import DATA, SUITE_SETTINGS
from trocha import Simulation
from trocha.flee.outputs import averaged_relative_difference
from trocha.flee.refugee_data import RefugeeData, spawn_schedule
from trocha.results.rundir import save_run
from trocha.results.tables import Result


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


def _run(scenario, seed: int, scale: int, days: int | None = None) -> tuple[Simulation, Result]:
    end = None if days is None else scenario.inputs.start + dt.timedelta(days=days - 1)
    sim = Simulation(scenario, seed=seed, scale=scale, end=end)
    return sim, sim.run()


@pytest.fixture(scope="module")
def mali(imported):
    return _run(imported("mali2012"), 5, 50)


@pytest.fixture(scope="module")
def mali_run(mali):
    """The flee recorder's arrays (agent counts) of the mali run."""
    return mali[0].flee.record


def test_same_seed_same_outputs_and_seeds_differ(imported, mali, tmp_path):
    sim, result = mali
    again_sim, again = _run(imported("mali2012"), 5, 50)
    np.testing.assert_array_equal(again_sim.flee.record.present, sim.flee.record.present)
    other, _ = _run(imported("mali2012"), 6, 50)
    assert not np.array_equal(other.flee.record.present, sim.flee.record.present)
    a = save_run(result, tmp_path / "a")
    b = save_run(again, tmp_path / "b")
    for file in ("flee_out.csv", "timeseries.parquet", "locations.parquet", "events.parquet"):
        assert (a / file).read_bytes() == (b / file).read_bytes(), file


def test_agents_are_conserved(mali):
    sim, _ = mali
    r, state = sim.flee.record, sim.flee
    # every agent is at a location or on a link; none is created or lost outside spawning
    assert (r.present.sum(axis=1) <= r.total_agents).all()
    day0 = r.total_agents[0] - state.spawned[0]
    np.testing.assert_array_equal(r.total_agents, day0 + np.cumsum(state.spawned))
    on_links = int((state.link[: state.n] >= 0).sum())
    assert r.present[-1].sum() + on_links == r.total_agents[-1]


def test_totals_and_data_columns_equal_flee(mali, tmp_path):
    """Spawning is data-driven: Flee 3.1 and Trocha create the same number of agents each day."""
    out = tmp_path / "flee.csv"
    run_flee_subprocess(DATA / "mali2012", SUITE_SETTINGS, 1, out, hasten=50)
    flee = pd.read_csv(out)
    state = mali[0].flee
    ours = state.record
    np.testing.assert_array_equal(flee["total refugees (simulation)"], ours.total_agents)
    np.testing.assert_array_equal(flee["raw UNHCR refugee count"], state.refugees_raw)
    np.testing.assert_array_equal(flee["refugee_debt"], state.refugee_debt)
    for j, camp in enumerate(ours.camp_names):
        np.testing.assert_array_equal(flee[f"{camp} data"], ours.camp_data[:, j])
    assert list(flee.columns[2:5]) == [
        f"{ours.camp_names[0]} {c}" for c in ("sim", "data", "error")
    ]


def test_closed_borders_stop_arrivals(mali):
    """Mali-Burkina Faso is closed on days 0-21 and Mali-Niger on days 0-32 (closures.csv)."""
    sim, result = mali
    r = sim.flee.record
    countries = np.array(sim.flee.net.countries)
    for country, reopened in (("Burkina_Faso", 22), ("Niger", 33)):
        people = r.present[:, countries == country].sum(axis=1)
        # agents may travel inside the country, but nobody enters it while the border is closed
        assert people[:reopened].max() <= people[0], country
        assert people[reopened + 30] > people[reopened - 1], country
        # the Result's migrant_stock of the country is the same count, in people
        stock = result.metric("migrant_stock", country).to_numpy()
        np.testing.assert_array_equal(stock, people * 50)


def test_camp_closure_turns_camp_into_town(imported):
    """burundi2015 closes the camp Nduta on days 0-100 (a town meanwhile) and reopens it."""
    scenario = imported("burundi2015")
    sim, _ = _run(scenario, 1, 20, days=40)
    net = sim.flee.net
    nduta = net.names.index("Nduta")
    assert not net.camp[nduta] and net.town[nduta]
    assert net.movechance[nduta] == scenario.settings.default_movechance
    assert "Nduta" in sim.flee.record.camp_names  # Flee lists the camps of day 0 in out.csv
    later, _ = _run(scenario, 1, 20, days=110)
    net = later.flee.net
    assert net.camp[nduta] and not net.town[nduta]
    assert net.movechance[nduta] == scenario.settings.camp_movechance


def test_run_directory(mali, tmp_path):
    sim, result = mali
    rec = sim.flee.record
    folder = save_run(result, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["ruleset"] == "flee"
    assert "flee_out.csv" in manifest["files"]
    out = pd.read_csv(folder / "flee_out.csv")
    assert list(out.columns[-6:]) == [
        "Total error", "refugees in camps (UNHCR)", "total refugees (simulation)",
        "raw UNHCR refugee count", "refugees in camps (simulation)", "refugee_debt",
    ]  # fmt: skip
    sims = out[[f"{c} sim" for c in rec.camp_names]].to_numpy()
    datas = out[[f"{c} data" for c in rec.camp_names]].to_numpy()
    assert manifest["flee"]["ard"] == pytest.approx(averaged_relative_difference(sims, datas))
    assert manifest["flee"]["ard_rescaled"] == pytest.approx(
        averaged_relative_difference(sims, datas, rescaled=True)
    )
    ts = pd.read_parquet(folder / "timeseries.parquet")
    total = ts[(ts.metric == "displaced_total") & (ts.country == "ALL")]["value"].to_numpy()
    np.testing.assert_array_equal(total, rec.total_agents * 50)
    stock = ts[(ts.metric == "migrant_stock") & (ts.country == "ALL")]["value"].to_numpy()
    transit = ts[(ts.metric == "in_transit") & (ts.country == "ALL")]["value"].to_numpy()
    np.testing.assert_array_equal(stock + transit, total)
    locations = pd.read_parquet(folder / "locations.parquet")
    camp = rec.camp_names[0]
    present = locations[(locations.location == camp) & (locations.metric == "present")]
    np.testing.assert_array_equal(present["value"].to_numpy(), rec.camp_sim[:, 0] * 50)
    observed = locations[(locations.location == camp) & (locations.metric == "observed")]
    np.testing.assert_array_equal(observed["value"].to_numpy(), rec.camp_data[:, 0] * 50)


def test_flee_module_list_is_checked(imported):
    from trocha.flee.modules import FleeMovement, FleeRecorder

    with pytest.raises(ValueError, match="requires"):
        Simulation(imported("flee_test"), modules=[FleeMovement(), FleeRecorder()])
    with pytest.raises(ValueError, match="interventions"):
        Simulation(imported("flee_test"), interventions=[object()])


def test_ard_known_answer():
    sim = np.array([[10, 0], [5, 5]])
    data = np.array([[5, 5], [5, 5]])
    # day 0: (5 + 5) / 10, day 1: 0
    assert averaged_relative_difference(sim, data) == pytest.approx(0.5)
    assert averaged_relative_difference(sim, data, rescaled=True) == pytest.approx(0.5)
    assert averaged_relative_difference(np.array([[20, 20]]), data[:1], rescaled=True) == 0.0
