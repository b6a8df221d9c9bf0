"""Fuzz a small Flee folder: `import-flee` either imports something that checks and runs to a
complete, finite result, or refuses with file:row: field: message lines; never a traceback."""

from __future__ import annotations

import contextlib
import csv
import shutil
import tempfile
from pathlib import Path

from contract import assert_complete_flee_run, invoke, outcome
from hypothesis import given
from hypothesis import strategies as st
from mutations import (
    apply_cell_edit,
    apply_encoding_edit,
    apply_structural_edit,
    cell_edit,
    encoding_edit,
    structural_edit,
    values,
)

FLEE_TEST = Path(__file__).resolve().parents[1] / "data" / "flee" / "flee_test"
FILES = sorted(str(p.relative_to(FLEE_TEST)) for p in FLEE_TEST.rglob("*.csv"))
SETTING_KEYS = [
    "move_rules.max_move_speed",
    "move_rules.camp_weight",
    "move_rules.awareness_level",
    "move_rules.softening",
    "move_rules.start_on_foot",
    "move_rules.made_up_key",
    "spawn_rules.take_from_population",
    "spawn_rules.conflict_driven_spawning.spawn_mode",
    "spawn_rules.conflict_spawn_decay",
    "optimisations.hasten",
    "log_levels.agent",
    "nonsense",
]


def apply(folder: Path, edit, how) -> None:
    # An earlier edit may have removed or re-encoded the file: then this one changes nothing.
    with contextlib.suppress(OSError, UnicodeError, csv.Error):
        how(folder, edit)


def settings_text(entries: list[tuple[str, str]]) -> str:
    """A simsetting.yml with `entries` (dotted keys, raw YAML values); later keys win."""
    tree: dict = {}
    for key, value in entries:
        *sections, leaf = key.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
            if not isinstance(node, dict):
                break
        else:
            node[leaf] = value
    lines: list[str] = []

    def write(node: dict, indent: int) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                lines.append(" " * indent + f"{key}:")
                write(value, indent + 2)
            else:
                lines.append(" " * indent + f"{key}: {value}")

    write(tree, 0)
    return "\n".join(lines) + "\n"


edits = st.one_of(
    cell_edit(FILES).map(lambda e: (e, apply_cell_edit)),
    structural_edit(FILES).map(lambda e: (e, apply_structural_edit)),
    encoding_edit(FILES).map(lambda e: (e, apply_encoding_edit)),
)
yaml_values = st.one_of(
    values, st.sampled_from(["[1, 0.5]", "{a: 1}", ".inf", ".nan", "~", "[", "'x", "- 1"])
)


@given(
    st.lists(edits, max_size=3),
    st.lists(st.tuples(st.sampled_from(SETTING_KEYS), yaml_values), max_size=3),
)
def test_broken_flee_folders_import_and_run_or_are_refused(changes, settings):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "flee"
        shutil.copytree(FLEE_TEST, folder)
        for edit, how in changes:
            apply(folder, edit, how)
        if settings:
            (folder / "simsetting.yml").write_text(settings_text(settings), encoding="utf-8")
        scenario, runs = Path(tmp) / "scenario", Path(tmp) / "runs"
        if not outcome(invoke("import-flee", folder, "--out", scenario)):
            assert not (scenario / "scenario.toml").exists()
            return
        checked = invoke("check", scenario)
        assert outcome(checked), f"imported but check refuses:\n{checked.output}"
        ran = invoke("run", scenario, "--out", runs)
        assert outcome(ran, runs), f"imported and checked but run refuses:\n{ran.output}"
        assert_complete_flee_run(runs)


def _imported(tmp: str) -> Path:
    scenario = Path(tmp) / "scenario"
    assert invoke("import-flee", FLEE_TEST, "--out", scenario).exit_code == 0
    return scenario


FLEE_KEYS = [
    "hasten",
    "max_move_speed",
    "max_walk_speed",
    "camp_weight",
    "conflict_weight",
    "default_movechance",
    "awareness_level",
    "capacity_buffer",
    "softening",
    "weight_power",
    "distance_power",
    "conflict_spawn_decay",
    "conflict_spawn_mode",
    "displaced_per_conflict_day",
    "take_from_population",
    "movechance_pop_base",
    "movechance_pop_scale_factor",
    "made_up",
]
toml_numbers = st.one_of(
    st.sampled_from(["0", "-1", "1e308", "1e-308", "nan", "inf", "3", "0.5", "100000000000"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(['"constant"', '"pop_ratio"', '"x"', "true", "[1.0, 0.5]", "[]", "[-1.0]"]),
)


@given(st.dictionaries(st.sampled_from(FLEE_KEYS), toml_numbers, min_size=1, max_size=3))
def test_edited_flee_settings_check_and_run_alike(edits):
    with tempfile.TemporaryDirectory() as tmp:
        scenario = _imported(tmp)
        toml = scenario / "scenario.toml"
        lines = [
            line for line in toml.read_text().splitlines() if line.split(" = ")[0] not in edits
        ]
        lines += [f"{k} = {v}" for k, v in edits.items()]
        if "hasten" in edits:
            lines = [line for line in lines if not line.startswith("default_scale")]
        toml.write_text("\n".join(lines) + "\n")
        runs = Path(tmp) / "runs"
        checked = outcome(invoke("check", scenario))
        ran = invoke("run", scenario, "--out", runs)
        assert checked == outcome(ran, runs), ran.output
        if checked:
            assert_complete_flee_run(runs)
