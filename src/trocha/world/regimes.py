"""Border regimes over time: which document classes may use each official link on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ..calendar import Calendar
from ..codes import CROSSING_OFFICIAL
from ..scenario.loader import Scenario
from .graph import MODES, World

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
PASSPORT = REGIMES.index("passport")


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
    # International flights: airlines board only travellers with a passport, whatever the
    # destination's land regime (ODD 7.2), so these links are at least "passport".
    passport_links: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

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
        out[self.passport_links] = np.maximum(out[self.passport_links], PASSPORT)
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
    official = world.link_crossing == CROSSING_OFFICIAL
    country = world.location_country
    passport_links = np.flatnonzero(
        official
        & (world.link_mode == MODES.index("air"))
        & (country[world.link_from] != country[world.link_to])
    )
    for link in np.flatnonzero(official):
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
    return RegimeSchedule(np.array(days, dtype=np.int64), changes, timelines, passport_links)
