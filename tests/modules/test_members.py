"""Organisation members as agents (modules/members.py, organisation.py, enforcement.py) on the
tiny scenario: arrests remove specific members, managers are replaced and rotated, decisions are
reproducible per seed and differ across seeds, and members are conserved."""

from __future__ import annotations

import numpy as np
import pytest

import trocha
from trocha import rng
from trocha.modules.members import (
    ACTIVE,
    DEAD,
    ENFORCER,
    LEADER,
    MANAGER,
    MEMBER,
    PRISON,
    RECRUITER,
    Roster,
    logit_pick,
    logit_picks,
    uniforms,
)

SCALE = 200


@pytest.fixture(scope="module")
def run():
    sim = trocha.Simulation(trocha.load_scenario("tiny"), seed=3, scale=SCALE)
    return sim, sim.run()


def test_uniforms_match_the_reference_stream():
    key = int(rng.stream_key(7, "organisation.roles"))
    ids = np.array([0, 1, 5, 1234567, 2**40 + 3])
    expected = [rng.uniform_py(key, 11, int(i), 2) for i in ids]
    assert np.array_equal(uniforms(key, 11, ids, 2), expected)


def test_roster_arrest_removes_those_members_and_a_manager_is_replaced_from_below():
    r = Roster(n_orgs=1, n_places=3)
    ids = r.add(0, 1, np.array([MANAGER, MEMBER, ENFORCER, RECRUITER, ENFORCER], np.int8), day=5)
    later = r.add(0, 1, np.array([ENFORCER], np.int8), day=9)
    assert r.manager(0, 1) == ids[0]
    r.remove(ids[[0, 3]], PRISON, day=20)
    assert set(r.active(0, 1)) == {ids[1], ids[2], ids[4], later[0]}
    assert r.status[ids[0]] == PRISON and r.left[ids[0]] == 20 and r.arrests[ids[0]] == 1
    assert r.manager(0, 1) == -1
    # The longest-serving enforcer takes over.
    assert r.promote(0, 1) == ids[2] and r.role[ids[2]] == MANAGER
    assert r.counts()[0, 1] == 4 and r.n_arrested[0] == 2 and r.n_joined[0] == 6


def test_run_conserves_members(run):
    sim, result = run
    r = sim.economy.roster
    gangs = np.flatnonzero(sim.economy.gangs())
    status = r.status[: r.size]
    assert (status == ACTIVE).sum() + (status == PRISON).sum() + (status == DEAD).sum() == r.size
    assert r.n_joined.sum() == r.size
    active = r.n_joined - r.n_arrested - r.n_died - r.n_transferred
    assert np.array_equal(
        active, np.bincount(r.org[: r.size][status == ACTIVE], minlength=r.n_orgs)
    )
    assert sim.economy.members.sum() == (status == ACTIVE).sum()
    # The reported arrests are the members arrested (by the raid and weekly policing).
    assert result.metric("org_arrests").sum() == pytest.approx(r.n_arrested[gangs].sum())
    assert result.metric("org_members").iloc[-1] == (status == ACTIVE).sum()
    assert r.n_arrested.sum() > 0 and r.n_joined[gangs].sum() > r.n_arrested[gangs].sum()


def test_every_cell_with_members_has_one_manager(run):
    sim, _ = run
    eco, r = sim.economy, sim.economy.roster
    for org in np.flatnonzero(eco.gangs()):
        for place in np.flatnonzero(eco.cell[org] & (eco.members[org] > 0)):
            here = r.active(int(org), int(place))
            heads = np.isin(r.role[here], (MANAGER, LEADER)).sum()
            assert heads >= 1, sim.world.location_names[place]
            assert (r.role[here] == MANAGER).sum() <= 1 + (r.moves[here] > 0).sum()
    assert (r.role[: r.size] == LEADER).sum() == int((eco.hq_place[eco.gangs()] >= 0).sum())


def test_the_raid_arrests_high_ranking_members_and_transfers_the_inmates(run):
    sim, result = run
    eco, r = sim.economy, sim.economy.roster
    raid = result.events[result.events["kind"] == "prison_raid"]
    assert len(raid) == 1
    day = sim.calendar.day_of(raid["date"].iloc[0].date())
    arrested = np.flatnonzero((r.left[: r.size] == day) & (r.arrests[: r.size] > 0))
    assert len(arrested) == round(sim.parameters["prison_raid_arrests"])
    assert np.isin(r.role[arrested], (LEADER, MANAGER, ENFORCER)).all()
    hq = eco.hq_place[0]
    assert (r.place[arrested] == hq).all() and not eco.hq_held[0]
    assert r.n_transferred[0] > 0


def test_rotation_moves_a_manager_to_another_cell(run):
    sim, result = run
    r = sim.economy.roster
    rotations = result.events[result.events["kind"] == "manager_rotation"]
    moved = rotations["detail"].str.contains("moves to")
    assert moved.any(), rotations["detail"].head()
    # Someone moved who is now a manager (or was one when arrested).
    assert (r.moves[: r.size] > 0).sum() >= 2


def _decisions(result):
    ev = result.events
    return list(
        ev.loc[ev["kind"].isin(["expansion", "takeover", "manager_rotation"]), ["date", "location"]]
        .astype(str)
        .itertuples(index=False)
    )


def test_decisions_are_reproducible_per_seed_and_differ_across_seeds():
    scenario = trocha.load_scenario("venezuela")
    runs = {
        (s, k): trocha.Simulation(scenario, seed=s, scale=4000, end="2020-12-31").run()
        for s, k in ((1, 0), (1, 1), (2, 0))
    }
    assert _decisions(runs[1, 0]) == _decisions(runs[1, 1])
    assert len(_decisions(runs[1, 0])) > 3
    assert _decisions(runs[1, 0]) != _decisions(runs[2, 0])


def test_logit_pick_follows_the_logit_shares():
    """Over 20,000 keyed draws, each option is picked in exp(u) / sum(exp(u)) of them
    (chi-square goodness of fit)."""
    from scipy.stats import chisquare

    key = int(rng.stream_key(4, "organisation.choice"))
    utility = np.array([0.0, 1.0, -0.5, 0.3])
    ids = np.array([10, 11, 12, 99])
    picks = [logit_pick(key, day, ids, utility) for day in range(20_000)]
    counts = np.bincount(picks, minlength=4)
    shares = np.exp(utility) / np.exp(utility).sum()
    assert chisquare(counts, shares * counts.sum()).pvalue > 1e-3


def test_logit_pick_keeps_its_choice_when_an_unlikely_option_joins():
    """Common random numbers across a comparison: a new option with a low utility changes the
    pick only on the days it wins itself (about its logit share), where one uniform against the
    cumulative weights would change the pick on many more days."""
    key = int(rng.stream_key(4, "organisation.choice"))
    utility = np.array([0.0, 1.0, -0.5, 0.3])
    ids = np.array([10, 11, 12, 99])
    days = range(5_000)
    before = np.array([logit_pick(key, d, ids, utility) for d in days])
    after = np.array(
        [logit_pick(key, d, np.append(ids, 7), np.append(utility, -3.0)) for d in days]
    )
    changed = before != after
    assert np.array_equal(after[changed], np.full(changed.sum(), 4))
    share = np.exp(-3.0) / (np.exp(utility).sum() + np.exp(-3.0))
    assert changed.mean() < 2 * share


def test_logit_picks_choose_each_row_as_its_own_logit_pick():
    """Rows of options (recruits x cells) pick what one choice per row would, and their shares
    follow the logit (chi-square over 20,000 rows)."""
    from scipy.stats import chisquare

    key = int(rng.stream_key(4, "organisation.recruit"))
    utility = np.array([0.5, 0.0, -1.0])
    ids = np.arange(20_000)[:, None] * 3 + np.arange(3)[None, :]
    picks = logit_picks(key, 9, ids, utility, 1)
    assert [logit_pick(key, 9, row, utility, 1) for row in ids[:50]] == list(picks[:50])
    counts = np.bincount(picks, minlength=3)
    shares = np.exp(utility) / np.exp(utility).sum()
    assert chisquare(counts, shares * counts.sum()).pvalue > 1e-3


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_rotated_manager_may_be_sent_to_open_a_cell_in_a_new_country(share, monkeypatch):
    """With rotation_new_country 1, a hot cell's manager is sent to open a cell in a country
    where the gang has no cell, wherever its network reaches one (tiny: Ecuador's Tulcán,
    before its expansion gets there): the manager heads the new cell, the hot cell gets a head
    from below, the cell is paid for; with 0, managers only swap between the gang's cells."""
    from trocha.modules.organisation import Organisations

    checked = []
    original = Organisations._dispatch

    def watched(self, sim, org, place, manager, day):
        eco, r, w = sim.economy, sim.economy.roster, sim.world
        countries = set(w.location_country[eco.cell[org]])
        funds = eco.funds[org]
        sent = original(self, sim, org, place, manager, day)
        if sent >= 0:
            (target,) = np.flatnonzero(
                eco.cell[org] & ~np.isin(w.location_country, list(countries))
            )
            assert target == sent
            assert r.place[manager] == target and r.manager(org, int(target)) == manager
            assert r.manager(org, place) >= 0 and r.manager(org, place) != manager
            assert funds - eco.funds[org] == pytest.approx(sim.parameters["cell_open_cost_usd"])
            assert (
                eco.members[org].sum()
                == (r.status[: r.size][r.org[: r.size] == org] == ACTIVE).sum()
            )
            checked.append(int(target))
        return sent

    monkeypatch.setattr(Organisations, "_dispatch", watched)
    scenario = trocha.load_scenario("tiny").with_parameters(rotation_new_country=share)
    ev = trocha.Simulation(scenario, seed=3, scale=SCALE).run().events
    rotations = ev[ev["kind"] == "manager_rotation"]
    sent = rotations[rotations["detail"].str.contains("sent to open one in")]
    assert len(rotations) > 10
    assert len(sent) == len(checked)
    if share == 0.0:
        assert sent.empty
    else:
        assert len(sent) >= 1
