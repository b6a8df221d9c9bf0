"""Whether a folder is a scenario of the flee ruleset: read from its scenario.toml alone.

Every command asks this before loading a scenario, so it lives apart from the importer, which
brings the YAML reader and the Flee input tables that only Flee folders need.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..scenario.textfiles import read_text


def is_flee_scenario(folder: Path | str) -> bool:
    """Whether `folder` has a scenario.toml that names the `flee` ruleset."""
    text = read_text(Path(folder) / "scenario.toml", "scenario.toml", [], "missing")
    if text is None:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    scenario = data.get("scenario", {})
    return isinstance(scenario, dict) and scenario.get("ruleset") == "flee"
