"""The migrant table: one record per agent in a preallocated NumPy structured array.

An agent's fields sit together in one record (so the journeys kernel, which visits agents in
calendar order, i.e. at random, touches one or two cache lines per agent rather than one per
column). Its slot number is fixed for its whole life and slots are never reused; departed agents are
marked, not removed. The record type is assembled from the columns each module declares.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .codes import (  # noqa: F401  (re-exported: the state codes belong with the table)
    DEAD,
    EMPTY,
    RETURNED,
    SETTLED,
    STATE_NAMES,
    STRANDED,
    TRAVELLING,
    VICTIM,
)
from .rng import UID_DAY_SHIFT

# Columns the engine itself owns: identity, state and the calendar queue's link.
CORE_COLUMNS: dict[str, object] = {
    "uid": np.uint64,  # stable identity that keys the agent's random draws (rng.agent_uid)
    "state": np.int8,
    "queue_next": (np.int32, -1),  # next agent in the same day's event bucket (-1 ends it)
}


def agent_dtype(declarations: Iterable[dict[str, object]]) -> tuple[np.dtype, dict[str, int]]:
    """The record type of the people table, and the fill value of each column.

    Fields are ordered by size (largest first) so every field is naturally aligned in a record
    padded to 8 bytes; a column declared twice must agree on its type and fill.
    """
    types: dict[str, np.dtype] = {}
    fills: dict[str, int] = {}
    for declared in declarations:
        for name, spec in declared.items():
            dtype, fill = spec if isinstance(spec, tuple) else (spec, 0)
            dtype = np.dtype(dtype)
            if name in types and (types[name] != dtype or fills[name] != fill):
                raise ValueError(f"agent column {name!r} declared twice with different types")
            types[name], fills[name] = dtype, fill
    order = sorted(types, key=lambda n: (-types[n].itemsize, n))
    return np.dtype([(n, types[n]) for n in order], align=True), fills


def departed_day(uid: np.ndarray) -> np.ndarray:
    """Day of departure, -1 for the initial stock: the uid holds it (rng.agent_uid)."""
    return ((uid >> np.uint64(UID_DAY_SHIFT)).astype(np.int64) - 1).astype(np.int32)


# Columns read from the uid rather than stored (keeps a record at 40 bytes).
DERIVED = {"departed_day": departed_day}


class People:
    """The people table (`table`, a structured array); grows by doubling outside the hot loops."""

    def __init__(self, capacity: int, dtype: np.dtype | None = None, fills: dict | None = None):
        if dtype is None:
            dtype, fills = agent_dtype([CORE_COLUMNS])
        self.dtype = dtype
        self.fills = {n: v for n, v in (fills or {}).items() if v != 0}
        self.count = 0
        self.capacity = max(int(capacity), 16)
        self.table = self._empty(self.capacity)

    def _empty(self, capacity: int) -> np.ndarray:
        table = np.zeros(capacity, dtype=self.dtype)
        for name, value in self.fills.items():
            table[name] = value
        return table

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more agents."""
        needed = self.count + extra
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity)
        table = self._empty(capacity)
        table[: self.count] = self.table[: self.count]
        self.table = table
        self.capacity = capacity

    def column(self, name: str) -> np.ndarray:
        """One column of the agents created so far (a strided view into the table)."""
        if name in DERIVED:
            return DERIVED[name](self.table["uid"][: self.count])
        return self.table[name][: self.count]

    def __getattr__(self, name: str) -> np.ndarray:
        # people.money etc.: the whole column, as with the former one-array-per-column table.
        table = self.__dict__.get("table")
        if table is not None and name in table.dtype.names:
            return table[name]
        if table is not None and name in DERIVED:
            return DERIVED[name](table["uid"])
        raise AttributeError(name)

    def nbytes(self) -> int:
        return self.table.nbytes

    def states(self) -> np.ndarray:
        return self.column("state")
