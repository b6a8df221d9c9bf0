"""Organisation members as agents: who they are, where, and whether free, in prison or dead.

A small dataclass of arrays (a few thousand rows), owned by the organisation module and separate
from the migrants' people table. Members join (recruited locally where cells operate), are arrested
(drawn one by one on counter-based streams keyed by member id), die in contests for crossings, and
move (manager rotation). `Economy.members[org, place]` stays the count of members operating at each
place (free, or running the organisation from inside its headquarters prison), which the rest of
the model reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..rng import _GAMMA, _M1, _M2

ROLES = ("leader", "manager", "recruiter", "enforcer", "driver", "member")
LEADER, MANAGER, RECRUITER, ENFORCER, DRIVER, MEMBER = range(len(ROLES))
# Who replaces an arrested or moved manager: the first role in this order present in the cell,
# the longest-serving member within it.
SUCCESSION = (ENFORCER, RECRUITER, DRIVER, MEMBER)
HIGH_RANK = (LEADER, MANAGER, ENFORCER)  # the ranks a raid on the headquarters targets
STATUS = ("active", "prison", "dead")
ACTIVE, PRISON, DEAD = range(len(STATUS))


def uniforms(key: int, day: int, ids: np.ndarray, k: int = 0) -> np.ndarray:
    """`rng.uniform_py(key, day, id, k)` for an array of ids (vectorised SplitMix64)."""
    with np.errstate(over="ignore"):
        salt = np.uint64((int(day) * _GAMMA + int(k)) & ((1 << 64) - 1))
        h = _mix(np.full(len(ids), np.uint64(key) ^ salt, dtype=np.uint64))
        h = _mix(h ^ ids.astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def logit_picks(key: int, day: int, ids: np.ndarray, utility: np.ndarray, k: int = 0) -> np.ndarray:
    """Index of the option each row's logit choice takes: the largest utility plus a Gumbel
    draw keyed on each option's own id (Gumbel-max, the same distribution as
    exp(utility) / sum). `ids` has one row per choice (or is one row); `utility` broadcasts
    against it.

    Why not one uniform against the cumulative weights: there, adding, removing or reweighing
    any option shifts which option every uniform lands on, so two runs of a comparison whose
    choice sets differ a little choose independently; here each option keeps its own draw, and
    the pick changes only when the utilities cross.
    """
    ids = np.atleast_2d(ids)
    u = uniforms(key, day, ids.ravel(), k).reshape(ids.shape)
    gumbel = -np.log(-np.log(np.maximum(u, 1e-300)))
    return np.argmax(np.asarray(utility, dtype=np.float64) + gumbel, axis=1)


def logit_pick(key: int, day: int, ids: np.ndarray, utility: np.ndarray, k: int = 0) -> int:
    """The pick of one logit choice among `ids` (see logit_picks)."""
    return int(logit_picks(key, day, ids, utility, k)[0])


def _mix(x: np.ndarray) -> np.ndarray:
    x = (x ^ (x >> np.uint64(30))) * np.uint64(_M1)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(_M2)
    return x ^ (x >> np.uint64(31))


@dataclass
class Roster:
    """Every member who ever joined (rows never removed; `status` says what became of them)."""

    n_orgs: int
    n_places: int
    size: int = 0
    org: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    role: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    place: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    joined: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    left: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # day arrested/died
    arrests: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    moves: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    # Running totals by organisation (for the conservation identity and the outputs).
    n_joined: np.ndarray = None
    n_arrested: np.ndarray = None
    n_died: np.ndarray = None
    n_transferred: np.ndarray = None  # inmates of a retaken headquarters prison, no longer active

    def __post_init__(self) -> None:
        for name in ("n_joined", "n_arrested", "n_died", "n_transferred"):
            setattr(self, name, np.zeros(self.n_orgs, dtype=np.int64))

    @property
    def ids(self) -> np.ndarray:
        return np.arange(self.size, dtype=np.int64)

    def add(self, org: int, place: int, roles: np.ndarray, day: int) -> np.ndarray:
        """New members of `org` at `place` with the given roles; returns their ids."""
        n = len(roles)
        if self.size + n > len(self.org):
            grow = max(2 * len(self.org), self.size + n, 1024)
            for name in ("org", "role", "place", "status", "joined", "left", "arrests", "moves"):
                old = getattr(self, name)
                new = np.zeros(grow, dtype=old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        new = np.arange(self.size, self.size + n)
        self.org[new], self.place[new], self.role[new] = org, place, roles
        self.status[new], self.joined[new], self.left[new] = ACTIVE, day, -1
        self.arrests[new], self.moves[new] = 0, 0
        self.size += n
        self.n_joined[org] += n
        return new

    def active(self, org: int | None = None, place: int | None = None) -> np.ndarray:
        """Ids of the active members (of an organisation, at a place)."""
        mask = self.status[: self.size] == ACTIVE
        if org is not None:
            mask &= self.org[: self.size] == org
        if place is not None:
            mask &= self.place[: self.size] == place
        return np.flatnonzero(mask)

    def counts(self) -> np.ndarray:
        """Active members by [organisation, place]."""
        a = self.active()
        flat = self.org[a].astype(np.int64) * self.n_places + self.place[a]
        return np.bincount(flat, minlength=self.n_orgs * self.n_places).reshape(
            self.n_orgs, self.n_places
        )

    def by_status_role(self, org: int) -> np.ndarray:
        """Members of an organisation by [status, role]."""
        s = slice(0, self.size)
        mine = self.org[s] == org
        flat = self.status[s][mine].astype(np.int64) * len(ROLES) + self.role[s][mine]
        return np.bincount(flat, minlength=len(STATUS) * len(ROLES)).reshape(
            len(STATUS), len(ROLES)
        )

    def remove(self, ids: np.ndarray, status: int, day: int, arrested: bool = True) -> np.ndarray:
        """Members leave the active organisation: arrested (or, with `arrested` False,
        transferred as inmates of a retaken prison) or dead. Returns the ids that left."""
        ids = ids[self.status[ids] == ACTIVE]
        self.status[ids] = status
        self.left[ids] = day
        orgs = np.bincount(self.org[ids], minlength=self.n_orgs)
        if status == DEAD:
            self.n_died += orgs
        elif arrested:
            self.arrests[ids] += 1
            self.n_arrested += orgs
        else:
            self.n_transferred += orgs
        return ids

    def manager(self, org: int, place: int) -> int:
        """Id of the cell's manager (or leader), -1 if it has none."""
        here = self.active(org, place)
        head = here[(self.role[here] == MANAGER) | (self.role[here] == LEADER)]
        return int(head[0]) if len(head) else -1

    def promote(self, org: int, place: int) -> int:
        """The cell gets a manager from below if it has none; returns the manager's id or -1."""
        current = self.manager(org, place)
        if current >= 0:
            return current
        here = self.active(org, place)
        for role in SUCCESSION:
            pool = here[self.role[here] == role]
            if len(pool):
                chosen = int(pool[np.argmin(self.joined[pool])])  # longest-serving first
                self.role[chosen] = MANAGER
                return chosen
        return -1

    def move(self, member: int, place: int) -> None:
        self.place[member] = place
        self.moves[member] += 1
