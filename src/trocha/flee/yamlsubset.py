"""Read the small YAML subset that Flee's `simsetting.yml` files use, without a YAML library.

Supported: nested mappings by indentation, `key: value` scalars (numbers, booleans as YAML 1.1
reads them, null, quoted or plain strings), flow lists `[1.0, 0.5]`, block lists (`- item`) and
`#` comments. Anything else is reported as a problem with its line number.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..scenario.problems import Problem

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_NULL = {"null", "~", ""}
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def scalar(text: str):
    """A YAML 1.1 plain or quoted scalar, as PyYAML's safe loader reads it."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    if low in _NULL:
        return None
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if ch in "'\"":
            quote = None if quote == ch else (ch if quote is None else quote)
        elif ch == "#" and quote is None and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _value(text: str, label: str, line: int, problems: list[Problem]):
    text = text.strip()
    if text.startswith("["):
        if not text.endswith("]"):
            problems.append(Problem(label, line, "value", f"unclosed list {text!r}"))
            return None
        inner = text[1:-1].strip()
        return [scalar(item) for item in inner.split(",")] if inner else []
    if text.startswith("{"):
        problems.append(
            Problem(label, line, "value", "flow mappings {...} are not supported; use indentation")
        )
        return None
    return scalar(text)


def parse_yaml(text: str, label: str, problems: list[Problem]) -> dict:
    """Parse `text`; problems are appended, and what could be read is returned."""
    root: dict = {}
    # stack of (indent, container); a container is a dict, or a list for block sequences
    stack: list[tuple[int, object]] = [(-1, root)]
    pending: tuple[dict, str, int] | None = None  # a `key:` whose value is the next block
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).rstrip()
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(Problem(label, number, "indentation", "use spaces, not tabs"))
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if pending is not None:
            parent, key, parent_indent = pending
            pending = None
            if indent > parent_indent:
                container: object = [] if body.startswith("- ") or body == "-" else {}
                parent[key] = container
                stack.append((indent, container))
        while len(stack) > 1 and indent < stack[-1][0]:
            stack.pop()
        current_indent, container = stack[-1]
        if indent != current_indent and current_indent >= 0:
            problems.append(Problem(label, number, "indentation", "does not line up"))
            continue
        if len(stack) == 1 and indent != 0:
            problems.append(Problem(label, number, "indentation", "top-level keys start a line"))
            continue
        if body.startswith("-"):
            if not isinstance(container, list):
                problems.append(Problem(label, number, "value", "list item outside a list"))
                continue
            container.append(_value(body[1:], label, number, problems))
            continue
        if not isinstance(container, dict) or ":" not in body:
            problems.append(Problem(label, number, "line", f"expected 'key: value', got {body!r}"))
            continue
        key, _, rest = body.partition(":")
        key = key.strip().strip("'\"")
        if rest.strip() == "":
            container[key] = None
            pending = (container, key, indent)
        else:
            container[key] = _value(rest, label, number, problems)
    return root


def read_yaml(path: Path, label: str, problems: list[Problem]) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(label, None, "file", f"cannot be read: {error}"))
        return {}
    return parse_yaml(text, label, problems)
