"""The columnar migrant table: preallocated arrays, one slot per agent, slots never reused.

An agent is a row across these arrays; its slot number is its id for its whole life, so random
streams keyed by id stay stable and departed agents are marked, not removed.
"""

from __future__ import annotations

import numpy as np

# State codes of the `state` column.
EMPTY, TRAVELLING, STRANDED, SETTLED, RETURNED, DEAD, VICTIM = 0, 1, 2, 3, 4, 5, 6
STATE_NAMES = ("empty", "travelling", "stranded", "settled", "returned", "dead", "victim")

_COLUMNS = {
    "state": np.int8,
    "document": np.int8,  # index into world.regimes.DOCUMENT_CLASSES
    "returning": np.int8,  # 1 while travelling back to the origin
    "origin": np.int16,  # origin place
    "location": np.int16,  # current place (the next place while on a link)
    "destination": np.int16,  # place the agent is heading for
    "money": np.float64,  # USD carried (float64: the money ledger balances to the cent)
    "departed_day": np.int32,
    "route_version": np.int32,  # routing version of the agent's last destination choice
    "queue_next": np.int32,  # next agent in the same day's event bucket (-1 ends it)
    "female": np.int8,
    "minor": np.int8,  # under 18 when leaving
    "package": np.int8,  # 1 + index of the organisation whose travel package the agent bought
    "victim_org": np.int8,  # index of the organisation exploiting the agent, -1 if none
    "debt": np.float32,  # USD a victim is told they owe; it never shrinks
}


class People:
    """Preallocated columns of agents; grows by doubling outside the hot loops."""

    def __init__(self, capacity: int):
        self.count = 0
        self.capacity = max(int(capacity), 16)
        for name, dtype in _COLUMNS.items():
            setattr(self, name, np.zeros(self.capacity, dtype=dtype))
        self.queue_next.fill(-1)
        self.victim_org.fill(-1)

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more agents."""
        needed = self.count + extra
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity)
        for name in _COLUMNS:
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            if name in ("queue_next", "victim_org"):
                new.fill(-1)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)
        self.capacity = capacity

    def columns(self) -> tuple:
        """The columns in the order kernels unpack them (see kernels/journeys.py)."""
        return (
            self.state,
            self.document,
            self.returning,
            self.origin,
            self.location,
            self.destination,
            self.money,
            self.departed_day,
            self.route_version,
            self.queue_next,
            self.female,
            self.minor,
            self.package,
            self.victim_org,
            self.debt,
        )

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _COLUMNS)

    def states(self) -> np.ndarray:
        return self.state[: self.count]
