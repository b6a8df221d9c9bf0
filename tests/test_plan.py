"""The daily plan: phases and module order, module lists chosen from Python, a pure recorder."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import trocha
from trocha.kernels.counters import PRESENT
from trocha.loop import PHASES
from trocha.modules.borders import Borders
from trocha.modules.destinations import Destinations
from trocha.modules.exodus import Exodus
from trocha.modules.journeys import Journeys
from trocha.results.recorder import Recorder

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- custom-module-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "README lost its custom module example"
    return match.group(1)


def test_the_readme_custom_module_example_runs(capsys):
    namespace: dict = {}
    exec(compile(readme_example(), str(README), "exec"), namespace)
    result = namespace["result"]
    weekly = result.metric("present_weekly", "COL")
    stock = result.metric("migrant_stock", "COL")
    assert len(weekly) == len(stock[::7]) and weekly.sum() > 0
    assert np.array_equal(weekly.to_numpy(), stock[weekly.index].to_numpy())
    assert "present_weekly" in result.manifest["timings"]["phase_seconds"]
    assert capsys.readouterr().out.strip()


def test_phases_are_timed_per_module(tiny_result):
    phases = tiny_result.manifest["timings"]["phase_seconds"]
    assert list(phases) == [m.name for m in trocha.default_modules()]
    assert all(list(t) == list(PHASES) for t in phases.values())
    steps = tiny_result.manifest["timings"]["step_seconds"]
    assert steps["journeys"] == pytest.approx(sum(phases["journeys"].values()))


def test_a_subset_of_modules_runs(tiny):
    modules = [Borders(), Destinations(), Exodus(), Journeys(), Recorder()]
    result = trocha.Simulation(tiny, seed=1, scale=500, modules=modules).run()
    assert result.metric("arrivals").sum() > 0
    assert result.metric("recruitment_origin").sum() == 0  # no organisations' modules


def test_unmet_needs_are_refused(tiny):
    with pytest.raises(ValueError, match=r"module exodus requires \['choice'\]"):
        trocha.Simulation(tiny, modules=[Borders(), Exodus(), Recorder()])
    with pytest.raises(ValueError, match="needs a Recorder"):
        trocha.Simulation(tiny, modules=[Borders(), Destinations()])

    class Odd(trocha.Module):
        name = "odd"
        parameters = ("weather",)

    with pytest.raises(ValueError, match=r"declares parameters \['weather'\]"):
        trocha.Simulation(tiny, modules=[*trocha.default_modules(), Odd()])

    class Clash(trocha.Module):
        name = "clash"
        metrics = ("migrant_stock",)

    with pytest.raises(ValueError, match="'migrant_stock' is already recorded by recorder"):
        trocha.Simulation(tiny, modules=[*trocha.default_modules(), Clash()])


def test_interventions_need_the_modules_owning_their_levers(tiny):
    awareness = trocha.interventions.AwarenessCampaign(
        start="2018-01-01", countries="VEN", coverage=0.5
    )
    modules = [m for m in trocha.default_modules() if m.name != "exploitation"]
    with pytest.raises(ValueError, match="no module in this simulation declares the lever"):
        trocha.Simulation(tiny, interventions=[awareness], modules=modules)


def test_undeclared_metrics_are_refused(tiny):
    sim = trocha.Simulation(tiny)
    with pytest.raises(ValueError, match="not declared by any module"):
        sim.record("anything", 0, 1.0)
    with pytest.raises(ValueError, match="not declared by any module"):
        sim.record("migrant_stock", 0, 1.0)  # the recorder's own, from the counters


def test_recording_is_a_pure_read(tiny):
    sim = trocha.Simulation(tiny, seed=1, scale=500)
    for module in sim.modules:
        module.init(sim)
    for day in range(3):
        for phase in ("start_step", "step"):
            for module in sim.modules:
                getattr(module, phase)(sim, day)
        before = (sim.current.copy(), sim.daily.copy(), sim.cumulative.copy())
        for module in sim.modules:
            module.update_results(sim, day)
        after = (sim.current, sim.daily, sim.cumulative)
        assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
        total = sim.cumulative + sim.daily
        sim.finish_day(day)
        assert np.array_equal(sim.cumulative, total) and not sim.daily.any()
    recorder = next(m for m in sim.modules if m.name == "recorder")
    assert recorder.current[2, PRESENT].sum() == sim.current[PRESENT].sum()
