"""Every kind of intervention acts through levers only while active, overlapping ones combine by
the lever's rule, and ending one leaves exactly the state the remaining ones give.

The state compared is what the model reads: every lever's array after the start_step phase (the
phase in which interventions are applied), days 0..N in order, on the tiny scenario.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import trocha
from trocha.interventions import KINDS
from trocha.levers import Effect, combine

T0 = dt.date(2017, 1, 1)  # the tiny scenario's start
A, B = (10, 30), (20, 40)  # windows (first and last day) of two overlapping interventions
DAYS = (5, 15, 25, 35, 45)  # before, A only, both, B only (A ended), after both


def on(day: int) -> dt.date:
    return T0 + dt.timedelta(days=day)


# kind -> factory(window, which): `which` 0 or 1 gives two different interventions of the kind.
FACTORIES = {
    "border_regime": lambda w, i: dict(country="COL", regime=("closed", "visa")[i]),
    "visa_requirement": lambda w, i: dict(country="COL", from_countries=(["*"], ["VEN"])[i]),
    "crossing_closure": lambda w, i: dict(
        place_a="San Antonio del Táchira", place_b="Cúcuta", crossing=("irregular", "both")[i]
    ),
    "safe_transport": lambda w, i: dict(
        places=(["Cúcuta", "Bogotá"], ["San Antonio del Táchira", "Cúcuta", "Bogotá"])[i]
    ),
    "legal_pathway": lambda w, i: dict(country="PER", attraction=(0.5, 1.25)[i]),
    "regularisation": lambda w, i: dict(countries=["COL"], coverage=(0.5, 0.8)[i]),
    "awareness_campaign": lambda w, i: dict(
        countries=(["VEN", "COL"], ["COL"])[i], coverage=(0.7, 0.3)[i]
    ),
    "victim_identification": lambda w, i: dict(countries="*", multiplier=(2.0, 3.0)[i]),
    "policing_surge": lambda w, i: dict(countries=["COL", "VEN"], multiplier=(2.0, 3.0)[i]),
    "anti_corruption": lambda w, i: dict(countries="*", reduction=(0.5, 0.2)[i]),
    "prison_raid": lambda w, i: dict(organisation="Gang"),
    "coordinated_crackdown": lambda w, i: dict(
        organisation="Gang", countries="*", arrest_share=(0.5, 0.2)[i], multiplier=(2.0, 3.0)[i]
    ),
}
EVENTS = {"prison_raid", "coordinated_crackdown"}  # one-shot events on their first day


def make(kind: str, window: tuple[int, int], which: int):
    first, last = window
    fields = FACTORIES[kind](window, which)
    return KINDS[kind](start=on(first), end=on(last), **fields)


def lever_state(sim) -> dict[str, np.ndarray]:
    state = {name: array.copy() for name, array in sim.levers.live.items()}
    state["border_access"] = sim.borders_allowed.copy()
    journeys = next(m for m in sim.modules if m.name == "journeys")
    state["stranded_wage_day"] = journeys.wage_day.copy()
    return state


def event_state(sim) -> dict[str, np.ndarray]:
    eco = sim.economy
    return {
        "members": eco.members.copy(),
        "hq_held": eco.hq_held.copy(),
        "coordination": eco.coordination.copy(),
        "arrests": sim.arrests.copy(),
    }


def states(tiny, *interventions) -> tuple[dict, dict[int, dict], dict[int, dict]]:
    """Lever and event states on DAYS after each day's start_step phase."""
    sim = trocha.Simulation(tiny, seed=2, scale=1000, interventions=list(interventions))
    for module in sim.modules:
        module.init(sim)
    levers, events = {}, {}
    for day in range(max(DAYS) + 1):
        for module in sim.modules:
            module.start_step(sim, day)
        if day in DAYS:
            levers[day], events[day] = lever_state(sim), event_state(sim)
    return sim, levers, events


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def changed(a: dict, b: dict) -> set[str]:
    return {k for k in a if not np.array_equal(a[k], b[k])}


@pytest.fixture(scope="module")
def baseline(tiny):
    return states(tiny)


def test_every_kind_is_covered():
    assert set(FACTORIES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_specs_are_immutable_and_round_trip(tiny, kind):
    spec = make(kind, A, 0)
    dumped = spec.model_dump()
    assert type(spec).model_validate(dumped) == spec
    states(tiny, spec)  # a run keeps no state on the spec
    assert spec.model_dump() == dumped
    assert not getattr(spec, "__pydantic_private__", None)
    with pytest.raises(Exception, match="frozen"):
        spec.start = on(0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_acts_only_while_active_and_restores_exactly(tiny, baseline, kind):
    _, base, base_events = baseline
    _, alone, alone_events = states(tiny, make(kind, A, 0))
    assert same(alone[5], base[5]) and same(alone_events[5], base_events[5])
    if kind == "prison_raid":
        assert not alone_events[15]["hq_held"].any() and base_events[15]["hq_held"].any()
    else:
        assert changed(alone[15], base[15])  # it acts in its window
    for day in (35, 45):  # after the window: every lever as in the baseline, exactly
        assert same(alone[day], base[day]), changed(alone[day], base[day])
    if kind in EVENTS:
        assert changed(alone_events[15], base_events[15])  # the event happened on day 10


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_overlapping_interventions_combine_and_ending_one_restores(tiny, baseline, kind):
    _, base, _ = baseline
    first, second = make(kind, A, 0), make(kind, B, 1)
    both_sim, both, both_events = states(tiny, first, second)
    _, only_a, only_a_events = states(tiny, first)
    _, only_b, _ = states(tiny, second)
    # Both active (day 25): each lever is the documented combination of the two.
    for name in changed(both[25], base[25]) | changed(only_a[25], base[25]):
        lever = name if name in both_sim.levers.declared else None
        if lever is None:  # wage_day follows its lever (checked through wage_multiplier)
            continue
        rule = both_sim.levers.lever(lever).rule
        expected = expected_combination(rule, base[25][name], only_a[25][name], only_b[25][name])
        np.testing.assert_allclose(both[25][name], expected, err_msg=f"{name} ({rule})")
    # A has ended (day 35): exactly the state of a run with only B; then the baseline.
    assert same(both[35], only_b[35]), changed(both[35], only_b[35])
    assert same(both[45], base[45]), changed(both[45], base[45])
    if kind == "prison_raid":  # a second raid on a prison already retaken changes nothing
        assert same(both_events[25], only_a_events[25])


def expected_combination(rule, base, a, b):
    """The combination of two interventions from the state each gives alone."""
    if rule == "max":
        return np.maximum(a, b)
    if rule == "min":
        return np.minimum(a, b)
    if rule == "product":
        return a * b / base
    if rule == "sum":
        return a + b - base
    assert rule == "last"
    acts = b != base  # the one listed later wins where it acts (on every document class)
    if acts.ndim == 2:
        acts = acts.any(axis=0, keepdims=True)
    return np.where(acts, b, a)


def test_two_awareness_campaigns_one_ending_leaves_the_other(tiny):
    """The defect this design removes: ending one campaign zeroed awareness under the other."""
    sim, levers, _ = states(
        tiny,
        make("awareness_campaign", A, 0),  # VEN and COL, 0.7, days 10-30
        make("awareness_campaign", B, 1),  # COL, 0.3, days 20-40
    )
    col = sim.world.location_country == sim.world.country_codes.index("COL")
    assert (levers[25]["awareness"][col] == 0.7).all()
    assert (levers[35]["awareness"][col] == 0.3).all()
    assert (levers[35]["awareness"][~col] == 0.0).all()


def test_two_safe_transports_restore_the_fares(tiny, baseline):
    sim, base, _ = baseline
    _, levers, _ = states(tiny, make("safe_transport", A, 1), make("safe_transport", B, 0))
    assert (levers[25]["link_fare"] <= base[25]["link_fare"]).all()
    assert np.array_equal(levers[45]["link_fare"], base[45]["link_fare"])
    assert np.array_equal(levers[45]["link_fare"], sim.world.link_cost)


def test_combine_rules():
    base = np.array([1.0, 1.0, 0.0])
    mask = np.array([True, False, True])
    effects = [Effect("x", mask, 2.0), Effect("x", mask, 3.0)]
    assert combine("max", base, effects).tolist() == [3.0, 1.0, 3.0]
    assert combine("min", base, effects).tolist() == [1.0, 1.0, 0.0]
    assert combine("product", base, effects).tolist() == [6.0, 1.0, 0.0]
    assert combine("sum", base, effects).tolist() == [6.0, 1.0, 5.0]
    assert combine("last", base, effects).tolist() == [3.0, 1.0, 3.0]
    assert combine("max", base, []).tolist() == base.tolist()


def test_a_custom_intervention_pulls_a_lever_with_a_checked_mask(tiny):
    class Campaign(trocha.interventions.Intervention):
        """Awareness everywhere (a user's own kind, from Python)."""

        coverage: float

        def effects(self, sim):
            return [Effect("awareness", np.ones(sim.world.n_locations, bool), self.coverage)]

    class Wrong(Campaign):
        def effects(self, sim):
            return [Effect("awareness", np.ones(sim.world.n_countries, bool), self.coverage)]

    _, levers, _ = states(tiny, Campaign(start=on(10), end=on(30), coverage=0.4))
    assert (levers[15]["awareness"] == 0.4).all() and (levers[35]["awareness"] == 0).all()
    with pytest.raises(ValueError, match="the mask must be 10 booleans"):
        trocha.Simulation(tiny, interventions=[Wrong(start=on(10), coverage=0.4)])
