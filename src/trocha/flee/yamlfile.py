"""Read a `simsetting.yml` with PyYAML (as Flee 3.1 does), keeping each key's line for messages.

Flee reads its settings with `yaml.safe_load`; reading them the same way means a file Flee accepts
is accepted here. A syntax error is reported with its line, and a bad value later with the line of
its key (`simsetting.yml:12: move_rules.camp_weight: ...`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..scenario.problems import Problem
from ..scenario.textfiles import read_text


def read_yaml(path: Path, label: str, problems: list[Problem]) -> tuple[Any, dict[str, int]]:
    """The parsed document (None when unreadable) and the line of every key, by dotted path."""
    text = read_text(path, label, problems, "not found; give a simsetting.yml")
    if text is None:
        return None, {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = error.problem or error.context or "unreadable"
        problems.append(Problem(label, line, "syntax", f"not valid YAML: {what}"))
        return None, {}
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        problems.append(Problem(label, None, "syntax", f"not valid YAML: {error}"))
        return None, {}
    lines: dict[str, int] = {}
    _key_lines(node, "", lines)
    return data, lines


def _key_lines(node, prefix: str, lines: dict[str, int]) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = f"{prefix}{key.value}" if isinstance(key, yaml.ScalarNode) else f"{prefix}?"
        lines.setdefault(name, key.start_mark.line + 1)
        _key_lines(value, name + ".", lines)


def with_lines(problems: list[Problem], label: str, lines: dict[str, int]) -> list[Problem]:
    """`problems` about `label` with the line of their key filled in where it is known."""
    located = []
    for p in problems:
        row = p.row
        if p.file == label and row is None:
            row = lines.get(p.field) or next(
                (line for key, line in lines.items() if key.endswith("." + p.field)), None
            )
        located.append(Problem(p.file, row, p.field, p.message))
    return located
