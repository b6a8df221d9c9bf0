"""`trocha import-flee`: turn a Flee folder into a Trocha scenario folder, and load one back.

The scenario folder keeps Flee's own files (so it is still a Flee folder, and a Flee user edits
the tables they know) and adds `scenario.toml` with `ruleset = "flee"` and the `[flee]` settings
read from `simsetting.yml` the way Flee 3.1 reads them:

    <scenario>/scenario.toml
    <scenario>/input_csv/{locations,routes,closures,conflicts,sim_period,registration_corrections}.csv
    <scenario>/source_data/data_layout.csv and the series it names
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..scenario.problems import Problem, ScenarioError
from ..scenario.textfiles import exists, read_text
from .consistency import settings_problems
from .inputs import FleeInputs, find_input_dir, read_flee_folder
from .settings import FleeSettings, settings_from_yaml
from .yamlfile import read_yaml, with_lines

INPUT_FILES = (
    "locations.csv",
    "routes.csv",
    "closures.csv",
    "conflicts.csv",
    "registration_corrections.csv",
)


@dataclass
class FleeScenario:
    """An imported Flee scenario: its validated inputs and settings."""

    name: str
    folder: Path
    inputs: FleeInputs
    settings: FleeSettings
    content_hash: str
    description: str = ""
    ignored_settings: list[str] = field(default_factory=list)
    # What Flee 3.1 tolerates with a printed warning (and `import-flee --strict` refuses).
    warnings: list[Problem] = field(default_factory=list)

    @property
    def end(self) -> dt.date:
        return self.inputs.start + dt.timedelta(days=self.inputs.days - 1)


def _settings_file(flee_dir: Path, settings_file: Path | None) -> Path | None:
    if settings_file is not None:
        return Path(settings_file)
    for candidate in (flee_dir / "simsetting.yml", find_input_dir(flee_dir) / "simsetting.yml"):
        if exists(candidate):
            return candidate
    return None


def read_flee_settings(
    flee_dir: Path, settings_file: Path | None = None
) -> tuple[FleeSettings, list[Problem], Path | None]:
    """The settings Flee 3.1 reads from simsetting.yml, and a warning for each key it ignores."""
    path = _settings_file(flee_dir, settings_file)
    if path is None:
        return FleeSettings(), [], None
    problems: list[Problem] = []
    label = str(path)
    data, lines = read_yaml(path, label, problems)
    if data is not None and not isinstance(data, dict):
        problems.append(
            Problem(label, 1, "file", "expected a mapping of sections (move_rules: ...)")
        )
    settings, ignored = settings_from_yaml(data if isinstance(data, dict) else {}, label, problems)
    if problems:
        raise ScenarioError(with_lines(problems, label, lines))
    warnings = [
        Problem(label, lines.get(key), key, "not read by Flee 3.1, so not used") for key in ignored
    ]
    return settings, warnings, path


def _scenario_name(flee_dir: Path) -> str:
    name = re.sub(r"[^a-z0-9\-_]+", "-", flee_dir.resolve().name.lower()).strip("-_")
    return name or "flee"


def import_flee(
    flee_dir: Path | str,
    out_dir: Path | str,
    settings_file: Path | str | None = None,
    name: str | None = None,
    strict: bool = False,
) -> FleeScenario:
    """Validate the Flee folder `flee_dir` and write it as a Trocha scenario to `out_dir`.

    What Flee 3.1 tolerates with a printed warning is imported with the same warning
    (`scenario.warnings`); `strict` refuses it instead, as a problem.
    """
    flee_dir = Path(flee_dir)
    out_dir = Path(out_dir)
    problems: list[Problem] = []
    try:
        inputs = read_flee_folder(flee_dir)
    except ScenarioError as error:
        problems += error.problems
        inputs = None
    ignored: list[Problem] = []
    try:
        settings, ignored, settings_path = read_flee_settings(
            flee_dir, Path(settings_file) if settings_file else None
        )
    except ScenarioError as error:
        problems += error.problems
    if inputs is not None and not problems:
        label = str(settings_path) if settings_path is not None else "simsetting.yml"
        problems += [
            Problem(p.file, p.row, f"move_rules.{p.field}", p.message)
            for p in settings_problems(inputs, settings, label)
        ]
    warnings = [*(inputs.warnings if inputs else []), *ignored]
    if strict:
        problems += [
            Problem(w.file, w.row, w.field, f"{w.message} (refused by --strict)") for w in warnings
        ]
    if problems:
        raise ScenarioError(problems)
    assert inputs is not None
    name = name or _scenario_name(flee_dir)
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-_]*", name):
        raise ScenarioError(
            [Problem("--name", None, "name", f"{name!r}: use lower-case letters, digits, dashes")]
        )
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "scenario.toml").exists():
        raise ScenarioError(
            [Problem(str(out_dir), None, "folder", "exists and is not a scenario; choose another")]
        )
    (out_dir / "input_csv").mkdir(parents=True, exist_ok=True)
    (out_dir / "source_data").mkdir(parents=True, exist_ok=True)
    for file in INPUT_FILES:
        if (inputs.input_dir / file).exists():
            shutil.copyfile(inputs.input_dir / file, out_dir / "input_csv" / file)
    period = inputs.input_dir / "sim_period.csv"
    if not period.exists():
        period = inputs.input_dir / "conflict_period.csv"
    shutil.copyfile(period, out_dir / "input_csv" / "sim_period.csv")
    shutil.copyfile(
        inputs.data_dir / "data_layout.csv", out_dir / "source_data" / "data_layout.csv"
    )
    for file in inputs.series:
        target = out_dir / "source_data" / file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(inputs.data_dir / file, target)
    end = inputs.start + dt.timedelta(days=inputs.days - 1)
    source = f"Imported from the Flee folder {flee_dir.resolve().name}"
    if settings_path is not None:
        source += f" with settings {settings_path.name}"
    lines = [
        "# Imported by `trocha import-flee`; the tables are Flee's own (input_csv/, source_data/).",
        "[scenario]",
        f'name = "{name}"',
        f'description = "{source}"',
        'ruleset = "flee"',
        f"start = {inputs.start.isoformat()}",
        f"end = {end.isoformat()}",
        f"default_scale = {settings.hasten}",
        "",
        "# Flee 3.1 settings (simsetting.yml keys); default_scale is Flee's hasten.",
    ]
    if ignored:
        lines.append(f"# Not read by Flee 3.1, so not used: {', '.join(w.field for w in ignored)}")
    text = "\n".join(lines) + "\n" + settings.to_toml()
    (out_dir / "scenario.toml").write_text(text, encoding="utf-8")
    scenario = load_flee_scenario(out_dir)
    scenario.ignored_settings = [w.field for w in ignored]
    scenario.warnings = warnings
    return scenario


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_flee_scenario(folder: Path | str) -> FleeScenario:
    """Load a scenario folder written by `import_flee`; raises ScenarioError on any problem."""
    folder = Path(folder)
    label = "scenario.toml"
    unreadable: list[Problem] = []
    text = read_text(folder / label, label, unreadable, "missing")
    if text is None:
        raise ScenarioError(unreadable)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([Problem(label, None, "toml", str(error))]) from None
    problems: list[Problem] = []
    spec = data.get("scenario", {})
    if not isinstance(spec, dict):
        problems.append(Problem(label, None, "scenario", "must be a [scenario] table"))
        spec = {}
    name = spec.get("name", "")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9\-_]*", name):
        problems.append(Problem(label, None, "scenario.name", f"expected lower-case, got {name!r}"))
    if spec.get("ruleset") != "flee":
        problems.append(Problem(label, None, "scenario.ruleset", 'expected "flee"'))
    table = data.get("flee", {})
    if not isinstance(table, dict):
        problems.append(Problem(label, None, "flee", "must be a [flee] table of settings"))
        table = {}
    table = dict(table)
    if ("hasten" not in table and "default_scale" in spec) or "default_scale" in spec:
        table["hasten"] = spec["default_scale"]
    settings = FleeSettings.from_table(table, label, problems)
    try:
        inputs = read_flee_folder(folder)
    except ScenarioError as error:
        problems += error.problems
        inputs = None
    if inputs is not None and not problems:
        problems += [
            Problem(p.file, p.row, f"flee.{p.field}", p.message)
            for p in settings_problems(inputs, settings, label)
        ]
    if problems:
        raise ScenarioError(problems)
    return FleeScenario(
        name=name,
        folder=folder,
        inputs=inputs,
        settings=settings,
        content_hash=_content_hash(folder),
        description=str(spec.get("description", "")),
        warnings=list(inputs.warnings),
    )
