"""Row indices of the counter arrays that kernels update and the recorder reads.

Counters change only when something happens (an arrival, a crossing), so recording a day costs
the number of countries, not the number of agents.
"""

from typing import NamedTuple

import numpy as np


class Counters(NamedTuple):
    """The counter arrays the kernels update, and the calendar queue's day heads."""

    queue_head: np.ndarray  # int32 [day]: first agent of the day's event bucket, -1 if none
    current: np.ndarray  # int64 [row, country]
    daily: np.ndarray  # int64 [row, country]
    location: np.ndarray  # int64 [row, place]
    links: np.ndarray  # int64 [link]: agents who have set out on each link so far


# A traveller's hops on the days of a quiet stretch (no input of a hop can change: routing,
# fees, controllers, fares, border policies) are taken in one event (kernels/journeys.py); what
# a hop taken ahead of its day adds to the counters waits in the slot of its day, and the
# journeys module adds the slot in at that day's step, where the hop would have been taken.
PENDING_DAYS = 8  # slots: a stretch is shorter than a week


class Pending(NamedTuple):
    """Counter increments of hops taken ahead of their day, by day modulo PENDING_DAYS."""

    current: np.ndarray  # int64 [slot, row, country]
    daily: np.ndarray  # int64 [slot, row, country]
    location: np.ndarray  # int64 [slot, row, place]
    links: np.ndarray  # int64 [slot, link]: set out on each link
    crossings: np.ndarray  # int64 [slot, link]: crossed each irregular link
    ledger: np.ndarray  # float64 [slot, row, column]


def new_pending(current, daily, location, links, ledger) -> Pending:
    """Empty slots shaped like the counters."""
    return Pending(
        np.zeros((PENDING_DAYS, *current.shape), dtype=current.dtype),
        np.zeros((PENDING_DAYS, *daily.shape), dtype=daily.dtype),
        np.zeros((PENDING_DAYS, *location.shape), dtype=location.dtype),
        np.zeros((PENDING_DAYS, *links.shape), dtype=links.dtype),
        np.zeros((PENDING_DAYS, *links.shape), dtype=np.int64),
        np.zeros((PENDING_DAYS, *ledger.shape), dtype=ledger.dtype),
    )


# current[row, country]: people there now
PRESENT, MOVING, STRANDED_NOW, VICTIMS_NOW = 0, 1, 2, 3
N_CURRENT = 4

# daily[row, country]: events today (reset every day)
(
    ARRIVALS,
    IRREGULAR,
    OFFICIAL,
    DEATHS,
    RETURNS,
    DEPARTURES,
    STRANDINGS,
    VICTIMS_NEW,
    VICTIMS_IDENTIFIED,
    VICTIMS_ESCAPED,
    VICTIMS_DIED,
    RECRUITED_ORIGIN,
    RECRUITED_DESTINATION,
    RECRUITED_BONDAGE,
    ENCOUNTERS,
    EXPULSIONS,
    PAROLES,
    DRUG_ARRESTS,
    VICTIMS_RELEASED,
    RECRUITED_AGAIN,
    RETURN_DEPARTURES,
) = range(21)
N_DAILY = 21

# location[row, place]: people at each place now
LOC_PRESENT, LOC_STRANDED, LOC_VICTIMS = 0, 1, 2
N_LOCATION = 3

# ledger[row, column]: money, cumulative USD. Rows 0..n-1 are organisations (and armed groups);
# the last row is everyone else (transport operators, independent guides, the migrants themselves).
# Migrants' money in:
L_SAVINGS_IN, L_EARNINGS_IN = 0, 1
# Migrants' money out:
L_FARES, L_LIVING, L_FEES, L_PACKAGES, L_CONFISCATED, L_LOST = 2, 3, 4, 5, 6, 7
# Organisations' own flows (not migrants' money): drugs carried, package clients' transport, and
# moving victims to the place of exploitation (which the victim is charged as debt).
L_DRUGS, L_PACKAGE_COSTS, L_TRAFFICKING_COSTS = 8, 9, 10
N_LEDGER = 11
MIGRANT_OUT = (L_FARES, L_LIVING, L_FEES, L_PACKAGES, L_CONFISCATED, L_LOST)
