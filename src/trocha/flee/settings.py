"""Flee 3.1 settings (`simsetting.yml`): the keys Flee 3.1 reads, with Flee 3.1's defaults.

The names are Flee's YAML keys, so a Flee user recognises them in `scenario.toml`'s `[flee]`
table. Values are converted the way Flee 3.1's `SimulationSettings.ReadFromYML` converts them,
including its quirks: `bool()` of a quoted string is true even for "false"; the camp-sink switch is
read from the misspelt key `camps_are_sicks`; `use_v1_rules` overrides five move rules. Keys that
Flee 3.1 does not read (e.g. `sum_from_camps`, `capacity_scaling`) are listed, not used.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from ..scenario.problems import Problem

# Flee writes 1.0 / 3.16227766017 (its rounded square root of ten).
_CONFLICT_WEIGHT = 1.0 / 3.16227766017


@dataclass(frozen=True)
class FleeSettings:
    """Every Flee 3.1 setting that changes the rules Trocha follows."""

    # spawn_rules
    take_from_population: bool = False
    insert_day0: bool = True
    conflict_zone_spawning_only: bool = True
    conflict_spawn_mode: str = ""  # "" = data-driven spawning; "constant" or "pop_ratio"
    displaced_per_conflict_day: float = 500.0
    conflict_spawn_decay: tuple[float, ...] = ()
    # move_rules
    max_move_speed: float = 360.0
    max_walk_speed: float = 35.0
    foreign_weight: float = 1.0
    camp_weight: float = 1.0
    conflict_weight: float = _CONFLICT_WEIGHT
    conflict_movechance: float = 1.0
    camp_movechance: float = 0.001
    idpcamp_movechance: float = 0.1
    default_movechance: float = 0.3
    awareness_level: int = 1
    capacity_buffer: float = 0.9
    avoid_short_stints: bool = False
    start_on_foot: bool = False
    softening: float = 10.0
    weight_softening: float = 0.0
    weight_power: float = 1.0
    distance_power: float = 1.0
    use_pop_for_loc_weight: bool = False
    pop_power_for_loc_weight: float = 0.1
    movechance_pop_base: float = 10000.0
    movechance_pop_scale_factor: float = 0.0
    # optimisations
    hasten: int = 1

    def to_toml(self) -> str:
        lines = ["[flee]"]
        for key, value in asdict(self).items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_table(cls, table: dict, label: str, problems: list[Problem]) -> FleeSettings:
        """From the `[flee]` table of scenario.toml; unknown names and bad types are problems."""
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in table.items():
            if key not in known:
                problems.append(
                    Problem(
                        label, None, f"flee.{key}", f"unknown setting; known: {', '.join(known)}"
                    )
                )
                continue
            default = known[key].default
            try:
                if isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                elif isinstance(default, int):
                    if isinstance(value, bool) or not float(value).is_integer():
                        raise TypeError
                    value = int(value)
                elif isinstance(default, float):
                    if isinstance(value, bool):
                        raise TypeError
                    value = float(value)
                    if not math.isfinite(value):
                        raise TypeError
                elif isinstance(default, tuple):
                    value = tuple(float(v) for v in value)
                    if not all(math.isfinite(v) for v in value):
                        raise TypeError
                elif isinstance(default, str) and not isinstance(value, str):
                    raise TypeError
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        label,
                        None,
                        f"flee.{key}",
                        f"expected {type(default).__name__}, got {value!r}",
                    )
                )
                continue
            values[key] = value
        settings = cls(**values)
        settings.check(label, problems)
        return settings

    def check(self, label: str, problems: list[Problem]) -> None:
        def bad(key: str, message: str) -> None:
            problems.append(Problem(label, None, key, message))

        if self.hasten < 1:
            bad("hasten", f"must be an integer >= 1, got {self.hasten}")
        elif self.hasten > 1_000_000_000:
            bad("hasten", f"at most 1000000000 people per agent, got {self.hasten}")
        for key in (
            "foreign_weight",
            "camp_weight",
            "conflict_weight",
            "conflict_movechance",
            "camp_movechance",
            "idpcamp_movechance",
            "default_movechance",
            "displaced_per_conflict_day",
            "weight_softening",
        ):
            if getattr(self, key) < 0:
                bad(key, f"must be >= 0, got {getattr(self, key)}")
        for key in ("weight_power", "distance_power", "movechance_pop_scale_factor"):
            # Exponents: beyond this, Flee 3.1's float powers overflow (an OverflowError there).
            if abs(getattr(self, key)) > 100:
                bad(key, f"must be between -100 and 100, got {getattr(self, key)}")
        if any(v < 0 for v in self.conflict_spawn_decay):
            bad("conflict_spawn_decay", f"must be >= 0, got {list(self.conflict_spawn_decay)}")
        if self.awareness_level < 0:
            bad("awareness_level", f"must be >= 0, got {self.awareness_level}")
        if self.awareness_level > 6:
            bad("awareness_level", f"at most 6 is supported, got {self.awareness_level}")
        if not 0.0 <= self.capacity_buffer < 1.0:
            bad("capacity_buffer", f"must be in [0, 1), got {self.capacity_buffer}")
        for key in ("max_move_speed", "max_walk_speed", "movechance_pop_base"):
            if getattr(self, key) <= 0:
                bad(key, f"must be > 0, got {getattr(self, key)}")
        if self.softening + 0.0 < 0:
            bad("softening", f"must be >= 0, got {self.softening}")
        if self.conflict_spawn_mode not in ("", "constant", "pop_ratio"):
            bad(
                "conflict_driven_spawning.spawn_mode",
                f"must be constant or pop_ratio, got {self.conflict_spawn_mode!r}",
            )


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(repr(float(v)) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# Keys of simsetting.yml that Flee 3.1 reads, by section, with the FleeSettings field they set.
_MOVE_KEYS = {
    "max_move_speed": float,
    "max_walk_speed": float,
    "foreign_weight": float,
    "camp_weight": float,
    "conflict_weight": float,
    "conflict_movechance": float,
    "camp_movechance": float,
    "idpcamp_movechance": float,
    "default_movechance": float,
    "awareness_level": int,
    "capacity_buffer": float,
    "avoid_short_stints": bool,
    "start_on_foot": bool,
    "softening": float,
    "weight_softening": float,
    "weight_power": float,
    "distance_power": float,
    "use_pop_for_loc_weight": bool,
    "pop_power_for_loc_weight": float,
    "movechance_pop_base": float,
    "movechance_pop_scale_factor": float,
}
# Read by Flee 3.1 but with no effect on its rules (or no effect in a serial run).
_MOVE_INERT = {"max_crossing_speed"}
# Read by Flee 3.1 and changing its rules in ways Trocha does not implement: refuse when enabled.
_MOVE_UNSUPPORTED = {
    "stay_close_to_home": "distance-to-home weighting",
    "ChildrenAvoidHazards": "demographic rules",
    "BoysTakeRisk": "demographic rules",
    "MatchCampEthnicity": "demographic rules",
    "MatchTownEthnicity": "demographic rules",
    "MatchConflictEthnicity": "demographic rules",
}
_SPAWN_KEYS = {
    "take_from_population": ("take_from_population", bool),
    "insert_day0": ("insert_day0", bool),
    "conflict_zone_spawning_only": ("conflict_zone_spawning_only", bool),
}
_SPAWN_UNSUPPORTED = {
    "flood_zone_spawning_only": "flood-driven spawning",
    "camps_are_sicks": "camps as sinks (Flee 3.1 reads this misspelt key)",
    "read_from_agents_csv_file": "agents.csv",
}


def _flee_bool(value) -> bool:
    # Flee 3.1 applies bool() to what PyYAML returns: any non-empty string is true.
    return bool(value)


def settings_from_yaml(data: dict, label: str, problems: list[Problem]):
    """Flee 3.1's reading of a simsetting.yml mapping -> (FleeSettings, ignored keys)."""
    values: dict = {}
    ignored: list[str] = []

    def section(name: str) -> dict:
        got = data.get(name)
        if got is None:
            return {}
        if not isinstance(got, dict):
            problems.append(Problem(label, None, name, "expected a mapping of settings"))
            return {}
        return got

    def convert(key: str, kind, value):
        try:
            if kind is bool:
                return _flee_bool(value)
            if kind is int:
                return int(value)
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)  # Flee would run on with inf or nan: refuse both
            return number
        except (TypeError, ValueError, OverflowError):
            problems.append(Problem(label, None, key, f"expected {kind.__name__}, got {value!r}"))
            return None

    for key in data:
        if key not in ("log_levels", "spawn_rules", "move_rules", "optimisations", "flood_rules"):
            ignored.append(key)
    if data.get("flood_rules") is not None:
        problems.append(
            Problem(label, None, "flood_rules", "flood rules are not supported; remove the section")
        )

    move = section("move_rules")
    use_v1 = False
    for key, value in move.items():
        where = f"move_rules.{key}"
        if key in _MOVE_KEYS:
            converted = convert(where, _MOVE_KEYS[key], value)
            if converted is not None:
                values[key] = converted
        elif key == "use_v1_rules":
            use_v1 = _flee_bool(value)
        elif key in _MOVE_UNSUPPORTED:
            if _flee_bool(value):
                problems.append(
                    Problem(
                        label, None, where, f"{_MOVE_UNSUPPORTED[key]} are not supported; set false"
                    )
                )
        elif key in _MOVE_INERT:
            continue
        else:
            ignored.append(where)

    spawn = section("spawn_rules")
    for key, value in spawn.items():
        where = f"spawn_rules.{key}"
        if key in _SPAWN_KEYS:
            field, kind = _SPAWN_KEYS[key]
            converted = convert(where, kind, value)
            if converted is not None:
                values[field] = converted
        elif key in _SPAWN_UNSUPPORTED:
            if _flee_bool(value):
                problems.append(
                    Problem(label, None, where, f"{_SPAWN_UNSUPPORTED[key]} is not supported")
                )
        elif key == "conflict_spawn_decay":
            if value is None:
                continue
            if isinstance(value, dict):
                value = list(value.values())
            if not isinstance(value, list) or not value:
                problems.append(Problem(label, None, where, "expected a list like [1.0, 0.5]"))
                continue
            try:
                decay = tuple(float(v) for v in value)
                if not all(math.isfinite(v) for v in decay):
                    raise ValueError(value)
                values["conflict_spawn_decay"] = decay
            except (TypeError, ValueError):
                problems.append(Problem(label, None, where, f"expected numbers, got {value!r}"))
        elif key == "conflict_driven_spawning":
            if value is None:
                continue  # Flee 3.1 treats an empty section as absent
            if not isinstance(value, dict):
                problems.append(Problem(label, None, where, "expected a mapping"))
                continue
            mode = str(value.get("spawn_mode", "constant"))
            if mode.lower() == "poisson":
                # Flee 3.1 compares mode.lower() with "Poisson", which never matches.
                problems.append(
                    Problem(
                        label,
                        None,
                        f"{where}.spawn_mode",
                        "Poisson never works in Flee 3.1 (it compares a lower-cased name with "
                        "'Poisson'); use constant or pop_ratio",
                    )
                )
                continue
            values["conflict_spawn_mode"] = mode
            default = 0.01 if mode == "pop_ratio" else 500
            per_day = convert(
                f"{where}.displaced_per_conflict_day",
                float if mode == "pop_ratio" else int,
                value.get("displaced_per_conflict_day", default),
            )
            if per_day is not None:
                values["displaced_per_conflict_day"] = float(per_day)
        else:
            ignored.append(where)

    for key, value in section("optimisations").items():
        if key == "hasten":
            converted = convert("optimisations.hasten", int, value)
            if converted is not None:
                values["hasten"] = converted
        else:
            ignored.append(f"optimisations.{key}")

    if use_v1:
        values.update(
            max_move_speed=200.0,
            start_on_foot=False,
            avoid_short_stints=False,
            camp_weight=2.0,
            conflict_weight=0.25,
        )
    settings = FleeSettings(**values)
    settings.check(label, problems)
    return settings, ignored
