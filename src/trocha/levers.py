"""Levers: the named model inputs that interventions pull, and how overlapping pulls combine.

A module owns each lever: it declares it (`Module.levers`), attaches the array the model reads and
whose values as in the data are the lever's baseline, and recomputes it from the baseline and the
interventions active today whenever that set changes. An intervention never writes model arrays:
while active it contributes `Effect`s (lever, mask, value). So overlapping interventions combine by
the lever's declared rule, and ending one leaves exactly the state the others give.

Rules (applied to each active effect in the order the interventions are listed, scenario's first):
    max, min   the largest / smallest of the baseline and the active values
    product    the baseline times every active value
    sum        the baseline plus every active value
    last       the value of the intervention listed last wins where it acts
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from dataclasses import dataclass
from typing import Literal

Rule = Literal["max", "min", "product", "sum", "last"]
RULES: tuple[str, ...] = ("max", "min", "product", "sum", "last")


@dataclass(frozen=True)
class Lever:
    """A named model input interventions may change. `axis` is what an effect's mask selects
    (the array's last axis); `refreshes_economy`: a change refreshes recruitment and victim exits
    the same day instead of at the next weekly update."""

    name: str
    axis: Literal["country", "place", "link"]
    rule: Rule
    doc: str
    refreshes_economy: bool = False

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"lever {self.name}: rule {self.rule!r} is not one of {RULES}")


@dataclass(frozen=True)
class Effect:
    """What an intervention contributes while active: `value` where `mask` is true. A value may
    hold one entry per leading axis of the lever (e.g. per document class)."""

    lever: str
    mask: np.ndarray
    value: float | tuple[float, ...] | tuple[bool, ...]


@dataclass(frozen=True)
class Scheduled:
    first: int
    last: int
    effect: Effect


def combine(rule: str, baseline: np.ndarray, effects: list[Effect]) -> np.ndarray:
    """The lever's value with `effects` (in order) on top of `baseline`; a new array."""
    import numpy as np

    out = baseline.copy()
    for e in effects:
        value = np.asarray(e.value, dtype=out.dtype)
        if value.ndim:
            value = value[..., None]
        here = out[..., e.mask]
        if rule == "max":
            here = np.maximum(here, value)
        elif rule == "min":
            here = np.minimum(here, value)
        elif rule == "product":
            here = here * value
        elif rule == "sum":
            here = here + value
        else:
            here = np.broadcast_to(value, here.shape)
        out[..., e.mask] = here
    return out


class Levers:
    """The levers of one simulation: declarations, attached arrays, baselines and the schedule."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = sizes  # entries along each axis: countries, places, links
        self.declared: dict[str, tuple[Lever, str]] = {}
        self.baselines: dict[str, np.ndarray] = {}
        self.live: dict[str, np.ndarray] = {}
        self.scheduled: dict[str, list[Scheduled]] = {}
        self.changed: set[str] = set()  # levers whose active effects change today

    def declare(self, lever: Lever, owner: str) -> None:
        if lever.name in self.declared:
            other = self.declared[lever.name][1]
            raise ValueError(f"lever {lever.name} is declared by both {other} and {owner}")
        self.declared[lever.name] = (lever, owner)

    def lever(self, name: str) -> Lever:
        return self.declared[name][0]

    def schedule(self, effect: Effect, first: int, last: int) -> None:
        """`effect` acts from day `first` to day `last` (inclusive)."""
        import numpy as np

        if effect.lever not in self.declared:
            raise ValueError(f"no module in this simulation declares the lever {effect.lever!r}")
        axis = self.lever(effect.lever).axis
        mask = np.asarray(effect.mask)
        if mask.dtype != bool or mask.shape != (self.sizes[axis],):
            raise ValueError(
                f"lever {effect.lever}: the mask must be {self.sizes[axis]} booleans (one per "
                f"{axis}), got {mask.dtype} {mask.shape}"
            )
        self.scheduled.setdefault(effect.lever, []).append(Scheduled(first, last, effect))

    def attach(self, name: str, array: np.ndarray) -> None:
        """The array the model reads for `name`; its values now are the baseline."""
        self.live[name] = array
        self.baselines[name] = array.copy()

    def start_day(self, day: int) -> None:
        self.changed = {
            name
            for name, items in self.scheduled.items()
            if any(s.first == day or s.last + 1 == day for s in items)
        }

    def change_days(self, name: str) -> set[int]:
        return {d for s in self.scheduled.get(name, []) for d in (s.first, s.last + 1)}

    def all_change_days(self) -> set[int]:
        """The days on which any lever may change."""
        return {d for name in self.scheduled for d in self.change_days(name)}

    def active(self, name: str, day: int) -> list[Effect]:
        return [s.effect for s in self.scheduled.get(name, []) if s.first <= day <= s.last]

    def value(self, name: str, day: int, baseline: np.ndarray | None = None) -> np.ndarray:
        """The lever on `day` from `baseline` (default: the attached array's baseline)."""
        base = self.baselines[name] if baseline is None else baseline
        return combine(self.lever(name).rule, base, self.active(name, day))

    def apply(self, name: str, day: int) -> bool:
        """Write the lever's value on `day` into the attached array if its active effects change
        today; say whether the value changed (an intervention ending under another one of the
        same effect changes nothing, and nothing downstream should react)."""
        import numpy as np

        if name not in self.changed or name not in self.live:
            return False
        value = self.value(name, day)
        if np.array_equal(value, self.live[name]):
            return False
        self.live[name][...] = value
        return True

    def apply_all(self, levers: tuple[Lever, ...], day: int) -> bool:
        """`apply` each of `levers`; say whether one that refreshes the economy changed."""
        changed = [lever for lever in levers if self.apply(lever.name, day)]
        return any(lever.refreshes_economy for lever in changed)
