"""One calendar: dated inputs act on their real dates whatever day the run starts on."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import trocha
from trocha.calendar import Calendar
from trocha.codes import CROSSING_OFFICIAL
from trocha.world.regimes import REGIMES

LATE = dt.date(2019, 1, 1)


@pytest.fixture
def late(tiny):
    """The tiny scenario without its initial stock (which is dated to the scenario's start)."""
    return trocha.Simulation(dataclasses.replace(tiny, initial_stock=[]), seed=1, start=LATE)


def module(sim, name):
    return next(m for m in sim.modules if m.name == name)


def official_into(sim, country):
    w = sim.world
    to = np.array(w.country_codes)[w.location_country[w.link_to]]
    frm = np.array(w.country_codes)[w.location_country[w.link_from]]
    return np.flatnonzero((w.link_crossing == CROSSING_OFFICIAL) & (to == country) & (frm != to))


def test_calendar_converts_both_ways():
    cal = Calendar(dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    assert cal.n_days == 731 and cal.last_day == 730
    assert cal.day_of(dt.date(2019, 2, 22)) == 52
    assert cal.date_of(52) == dt.date(2019, 2, 22)
    assert cal.day_of(dt.date(2018, 11, 1)) == -61 and cal.in_force_from(dt.date(2018, 11, 1)) == 0
    with pytest.raises(ValueError, match="must be after start"):
        Calendar(dt.date(2019, 1, 1), dt.date(2019, 1, 1))


def test_regimes_follow_the_real_dates_on_a_later_start(late):
    borders = module(late, "borders")
    borders.init(late)
    schedule, n = borders.schedule, len(late.world.link_from)
    day0 = schedule.link_regimes(0, n)
    # Peru's passport rule (2018-11-01) is already in force on day 0.
    assert (day0[official_into(late, "PER")] == REGIMES.index("passport")).all()
    assert (day0[official_into(late, "COL")] == REGIMES.index("open")).all()
    # The Colombian closures fall on their real dates.
    bridge, pandemic = (
        late.calendar.day_of(dt.date(2019, 2, 22)),
        late.calendar.day_of(dt.date(2020, 3, 14)),
    )
    assert (bridge, pandemic) == (52, 438)
    assert {bridge, pandemic} <= set(schedule.change_days.tolist())
    assert (schedule.link_regimes(bridge - 1, n)[official_into(late, "COL")] == 0).any()
    into_col = schedule.link_regimes(pandemic, n)[official_into(late, "COL")]
    assert (into_col == REGIMES.index("closed")).all()


def test_controls_and_businesses_in_force_on_day_0(late):
    eco = late.economy
    gang = eco.names.index("Gang")
    assert eco.founded_day[gang] == 0 and eco.smuggling_day[gang] == 0
    market = module(late, "market")
    market.init(late)
    firsts = [first for first, *_ in market.controls]
    assert firsts == [0, 0]  # both takeovers (2017, 2018) happened before 2019; the later wins
    enforcement = module(late, "enforcement")
    enforcement.init(late)
    raid_day = [first for first, _, row in enforcement.actions if row.kind == "prison_raid"]
    assert raid_day == [late.calendar.day_of(dt.date(2020, 6, 1))]


def test_a_later_start_runs_on_the_real_dates(late):
    result = late.run()
    official = result.metric("official_crossings", "COL")
    assert official.index[0] == pd.Timestamp(LATE)
    assert official[:"2019-02-21"].sum() > 0
    assert official["2020-03-14":].sum() == 0
    raid = result.events[result.events["kind"] == "prison_raid"]
    assert list(raid["date"].dt.date) == [dt.date(2020, 6, 1)]


def test_a_later_start_without_the_stock_on_that_day_is_refused(tiny):
    with pytest.raises(ValueError, match=r"initial_stock\.csv gives the emigrants abroad on 2017"):
        trocha.Simulation(tiny, start=LATE)
