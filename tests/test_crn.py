"""Common random numbers survive divergence: an agent's draws depend on its uid, not its slot.

Two runs of the tiny scenario differ only in extra departures on one early day. Every agent who
leaves later from an origin whose departure count is the same in both runs exists in both (same
origin, day and rank among that origin's departures that day) and must draw the same document, sex
and age. Keyed by slot, they would not: the extra agents shift every later slot.
"""

from __future__ import annotations

import numpy as np

import trocha
from trocha.rng import agent_uid

BOOST_DAY, BOOST = 20, 4.0


def _run(boost: bool):
    sim = trocha.Simulation(trocha.load_scenario("tiny"), seed=3, scale=100, end="2017-12-31")
    exodus = next(m for m in sim.modules if m.name == "exodus")
    expected = exodus.expected_departures

    def boosted(sim_, day):
        return expected(sim_, day) * (BOOST if boost and day == BOOST_DAY else 1.0)

    exodus.expected_departures = boosted
    sim.run()
    return sim


def _departures(sim) -> dict[tuple[int, int, int], tuple[int, int, int, int]]:
    """(origin, day, rank) -> (uid, document, female, minor) of every agent who left."""
    people = sim.people
    origin, day = people.column("origin"), people.column("departed_day")
    out = {}
    ranks: dict[tuple[int, int], int] = {}
    for a in np.flatnonzero(day >= 0):  # slots are in spawn order: rank = order within the day
        key = (int(origin[a]), int(day[a]))
        rank = ranks.get(key, 0)
        ranks[key] = rank + 1
        fields = ("uid", "document", "female", "minor")
        out[(*key, rank)] = tuple(int(people.column(f)[a]) for f in fields)
    return out


def test_unaffected_agents_draw_the_same_decisions_after_divergence():
    base, alt = _departures(_run(False)), _departures(_run(True))
    count = lambda d: {k[:2]: k[2] + 1 for k in sorted(d)}  # noqa: E731
    base_counts, alt_counts = count(base), count(alt)
    assert sum(alt_counts.values()) > sum(base_counts.values())  # the boost added departures
    same = [
        key
        for key in base
        if key[1] > BOOST_DAY and base_counts[key[:2]] == alt_counts.get(key[:2])
    ]
    assert len(same) > 200
    assert len(same) > 0.5 * sum(1 for key in base if key[1] > BOOST_DAY)
    for key in same:
        assert base[key][0] == agent_uid(*key)
        assert base[key] == alt[key], key
