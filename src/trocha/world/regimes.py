"""Border regimes over time: which document classes may use each official link on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..calendar import Calendar
from ..codes import CROSSING_OFFICIAL
from ..scenario.loader import Scenario
from .graph import World

DOCUMENT_CLASSES = ("id_card", "passport", "visa")
REGIMES = ("open", "passport", "visa", "closed")
# REGIME_ALLOWS[regime, document class]: may a holder of that document cross officially?
REGIME_ALLOWS = np.array(
    [
        [True, True, True],  # open: a national ID card suffices
        [False, True, True],  # passport required
        [False, False, True],  # passport and visa required
        [False, False, False],  # closed
    ]
)


@dataclass(frozen=True)
class RegimeChange:
    day: int
    date: dt.date
    country: str
    from_country: str
    regime: str
    source_id: str


@dataclass
class RegimeSchedule:
    """Per official link, the regime in force from each change day on."""

    change_days: np.ndarray  # sorted unique days (>= 0) on which some regime changes
    changes: list[RegimeChange]
    _timelines: dict[int, list[tuple[int, int]]]  # link -> [(day, regime index)], sorted

    def link_regimes(self, day: int, n_links: int) -> np.ndarray:
        """Regime index of every link on `day` (non-official links are reported open)."""
        out = np.zeros(n_links, dtype=np.int8)
        for link, timeline in self._timelines.items():
            current = 0
            for start, regime in timeline:
                if start > day:
                    break
                current = regime
            out[link] = current
        return out

    def allowed(self, day: int, n_links: int) -> np.ndarray:
        """allowed[document class, link]: can that class traverse the link on `day`."""
        return REGIME_ALLOWS[self.link_regimes(day, n_links)].T.copy()


def build_regime_schedule(scenario: Scenario, world: World, calendar: Calendar) -> RegimeSchedule:
    """Regimes on the run's calendar: a regime dated before day 0 is in force on day 0."""
    rows = sorted(
        enumerate(scenario.border_regimes),
        key=lambda item: (item[1].date, item[1].from_country != "*", item[0]),
    )
    timelines: dict[int, list[tuple[int, int]]] = {}
    for link in np.flatnonzero(world.link_crossing == CROSSING_OFFICIAL):
        src = world.country_codes[world.location_country[world.link_from[link]]]
        dst = world.country_codes[world.location_country[world.link_to[link]]]
        timeline = [
            (calendar.in_force_from(r.date), REGIMES.index(r.regime))
            for _, r in rows
            if r.country == dst and r.from_country in (src, "*")
        ]
        timelines[int(link)] = timeline
    changes = [
        RegimeChange(
            calendar.day_of(r.date), r.date, r.country, r.from_country, r.regime, r.source_id
        )
        for _, r in rows
    ]
    days = sorted({max(0, c.day) for c in changes})
    return RegimeSchedule(np.array(days, dtype=np.int64), changes, timelines)
