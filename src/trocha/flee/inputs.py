"""Read and validate a Flee scenario folder into plain Python tables.

Flee 3.1 reads `input_csv/` (locations, routes, closures, conflicts, sim_period or conflict_period,
registration_corrections) and a folder of UNHCR camp series named by `data_layout.csv`. Flee itself
crashes or silently misreads on malformed rows; here every problem is collected and reported as
`file:row: field: message` before anything runs.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..scenario.problems import Problem, ScenarioError
from ..scenario.textfiles import exists
from .csvfiles import CsvRow, csv_lines, date, need_columns, number, read_rows

MAX_PEOPLE = 10_000_000_000  # more than the world population: a typo, not a count

LOCATION_COLUMNS = [
    "name",
    "region",
    "country",
    "latitude",
    "longitude",
    "location_type",
    "conflict_date",
    "population",
]
ROUTE_COLUMNS = ["name1", "name2", "distance", "forced_redirection"]
CLOSURE_COLUMNS = ["closure_type", "name1", "name2", "closure_start", "closure_end"]
CLOSURE_TYPES = ("country", "location", "link", "camp", "idpcamp", "remove_forced_redirection")
LOCATION_KINDS = "camp, idpcamp, conflict_zone, town, default, forwarding_hub or marker"


@dataclass
class FleeLocation:
    name: str
    region: str
    country: str
    lat: float
    lon: float
    location_type: str
    conflict_date: int | None
    population: int
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class FleeRoute:
    name1: str
    name2: str
    distance: float
    forced_redirection: int
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class FleeClosure:
    kind: str
    name1: str
    name2: str
    start: int
    end: int


@dataclass
class FleeInputs:
    """Everything a Flee run reads, validated. Populations and counts are unscaled (people)."""

    input_dir: Path
    data_dir: Path
    start: dt.date
    days: int
    locations: list[FleeLocation]
    routes: list[FleeRoute]
    closures: list[FleeClosure]
    conflict_names: list[str]
    conflicts: list[list[float]]  # [day][column]
    corrections: list[tuple[str, dt.date]]
    layout: list[tuple[str, list[str]]]  # data name -> series files
    series: dict[str, list[tuple[dt.date, int]]]  # file -> rows
    location_columns: list[str] = field(default_factory=lambda: list(LOCATION_COLUMNS))
    warnings: list[Problem] = field(default_factory=list)  # what Flee 3.1 tolerates, with a print
    route_columns: list[str] = field(default_factory=lambda: list(ROUTE_COLUMNS))


def find_input_dir(flee_dir: Path) -> Path:
    """Flee keeps its tables in `input_csv/` (Flee's own tests: `test_input_csv/`)."""
    for name in ("input_csv", "test_input_csv"):
        if (flee_dir / name).is_dir():
            return flee_dir / name
    return flee_dir


def find_data_dir(flee_dir: Path, input_dir: Path) -> Path:
    """The folder with `data_layout.csv`: `source_data/`, `<input>/refugee_data/` or the folder."""
    for candidate in (flee_dir / "source_data", input_dir / "refugee_data", flee_dir):
        if (candidate / "data_layout.csv").exists():
            return candidate
    return flee_dir / "source_data"


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read_locations(path, label, problems) -> tuple[list[FleeLocation], list[str]]:
    header, rows = read_rows(path, label, problems)
    columns = list(LOCATION_COLUMNS)
    if len(header) > 8:
        columns += header[8:]
    locations: list[FleeLocation] = []
    seen: dict[str, int] = {}
    for row in rows:
        if not need_columns(row, 8, columns, label, problems):
            continue
        name = row.get(0)
        if not name:
            problems.append(Problem(label, row.line, "name", "empty; every place needs a name"))
            continue
        if name in seen:
            problems.append(
                Problem(label, row.line, "name", f"{name!r} repeats row {seen[name]}; rename one")
            )
            continue
        seen[name] = row.line
        kind = row.get(5)
        low = kind.lower()
        if not any(
            word in low for word in ("camp", "conflict", "forward", "marker", "default", "town")
        ):
            problems.append(
                Problem(
                    label, row.line, "location_type", f"{kind!r} is not one of {LOCATION_KINDS}"
                )
            )
            continue
        lat = number(row, 3, "latitude", label, problems, default=0.0)
        lon = number(row, 4, "longitude", label, problems, default=0.0)
        conflict_date = None
        if "conflict" in low and "camp" not in low:
            conflict_date = number(row, 6, "conflict_date", label, problems, integer=True)
            if conflict_date is None:
                continue
        population = number(
            row,
            7,
            "population",
            label,
            problems,
            integer=True,
            minimum=0,
            default=0,
            maximum=MAX_PEOPLE,
        )
        if lat is None or lon is None or population is None:
            continue
        attributes = {columns[i]: row.get(i) for i in range(8, min(len(row.values), len(columns)))}
        if attributes.get("conflict_intensity") and (
            number(row, columns.index("conflict_intensity"), "conflict_intensity", label, problems)
            is None
        ):
            continue
        locations.append(
            FleeLocation(
                name, row.get(1), row.get(2), lat, lon, kind, conflict_date, population, attributes
            )
        )
    if not locations and not any(p.file == label for p in problems):
        problems.append(Problem(label, None, "rows", "no locations; add at least one place"))
    return locations, columns


def _read_routes(path, label, names, problems) -> tuple[list[FleeRoute], list[str]]:
    header, rows = read_rows(path, label, problems)
    columns = list(ROUTE_COLUMNS)
    if len(header) > 4:
        columns += header[4:]
    routes = []
    for row in rows:
        if not need_columns(row, 3, columns, label, problems):
            continue
        ok = True
        for index, column in ((0, "name1"), (1, "name2")):
            if row.get(index) not in names:
                problems.append(
                    Problem(
                        label,
                        row.line,
                        column,
                        f"{row.get(index)!r} is not a name in locations.csv",
                    )
                )
                ok = False
        distance = number(row, 2, "distance", label, problems, minimum=0, maximum=100_000)
        forced = number(row, 3, "forced_redirection", label, problems, integer=True, default=0)
        if forced is not None and forced not in (0, 1, 2):
            problems.append(
                Problem(
                    label,
                    row.line,
                    "forced_redirection",
                    f"must be 0, 1 or 2 (or empty), got {forced}",
                )
            )
            ok = False
        for attribute in ("max_move_speed", "walk_probability"):
            if attribute in columns and columns.index(attribute) < len(row.values):
                text = row.get(columns.index(attribute))
                if (
                    text
                    and number(row, columns.index(attribute), attribute, label, problems, minimum=0)
                    is None
                ):
                    ok = False
        if not ok or distance is None or forced is None:
            continue
        attributes = {columns[i]: row.get(i) for i in range(4, min(len(row.values), len(columns)))}
        routes.append(FleeRoute(row.get(0), row.get(1), distance, forced, attributes))
    return routes, columns


def _read_closures(path, label, names, countries, problems) -> list[FleeClosure]:
    if not exists(path):
        return []  # Flee 3.1's run script needs the file; an absent one means no closures here
    _, rows = read_rows(path, label, problems)
    closures = []
    for row in rows:
        if not need_columns(row, 5, CLOSURE_COLUMNS, label, problems):
            continue
        kind = row.get(0)
        if kind not in CLOSURE_TYPES:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "closure_type",
                    f"{kind!r} is not one of {', '.join(CLOSURE_TYPES)}",
                )
            )
            continue
        ok = True
        if kind == "country":
            for index, column in ((1, "name1"), (2, "name2")):
                if row.get(index) not in countries:
                    problems.append(
                        Problem(
                            label,
                            row.line,
                            column,
                            f"{row.get(index)!r} is not a country in locations.csv",
                        )
                    )
                    ok = False
        else:
            needed = [(1, "name1")]
            if kind in ("link", "remove_forced_redirection"):
                needed.append((2, "name2"))
            for index, column in needed:
                if row.get(index) not in names:
                    problems.append(
                        Problem(
                            label,
                            row.line,
                            column,
                            f"{row.get(index)!r} is not a name in locations.csv",
                        )
                    )
                    ok = False
        start = number(row, 3, "closure_start", label, problems, integer=True)
        end = number(row, 4, "closure_end", label, problems, integer=True)
        if ok and start is not None and end is not None:
            closures.append(FleeClosure(kind, row.get(1), row.get(2), int(start), int(end)))
    return closures


def _read_conflicts(
    path, label, names, days, problems, warnings
) -> tuple[list[str], list[list[float]]]:
    """The conflict columns and their daily intensities.

    A column that names no location (often a spelling that differs from locations.csv, such as a
    space for an underscore) is what Flee 3.1 tolerates: it prints an ERROR when that conflict
    starts and runs on without it. Here it is a warning, and the column is ignored the same way
    (its name is blanked, so the model skips it).
    """
    read = csv_lines(path, label, problems, "missing; Flee 3.1 reads conflicts by day from it")
    if read is None:
        return [], []
    lines = [(n, r) for n, r in read if r and any(v.strip() for v in r)]
    if not lines:
        problems.append(
            Problem(label, None, "file", "empty; expected a header row #Day,<place>,...")
        )
        return [], []
    header_line, header = lines[0]
    columns = [h.strip() for h in header[1:]]
    while columns and not columns[-1]:
        columns.pop()  # a trailing comma in the header names no column
    for column in columns:
        if column and column not in names:
            close = difflib.get_close_matches(column.replace(" ", "_"), list(names), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            warnings.append(
                Problem(
                    label,
                    header_line,
                    column,
                    f"not a name in locations.csv{hint}; Flee 3.1 prints an ERROR when this "
                    "conflict starts and ignores the column",
                )
            )
    matrix: list[list[float]] = []
    for line, values in lines[1:]:
        row = CsvRow(line, values)
        while len(values) - 1 > len(columns) and not values[-1].strip():
            values = values[:-1]
        if len(values) - 1 != len(columns):
            problems.append(
                Problem(
                    label,
                    line,
                    "row",
                    f"has {len(values) - 1} values after the day, the header names {len(columns)}",
                )
            )
            continue
        day_values = []
        for i, column in enumerate(columns, start=1):
            value = number(row, i, column or f"column {i + 1}", label, problems, minimum=0)
            day_values.append(0.0 if value is None else value)
        matrix.append(day_values)
    columns = [column if column in names else "" for column in columns]
    if len(matrix) < days:
        problems.append(
            Problem(
                label,
                None,
                "rows",
                f"has {len(matrix)} days, the simulation needs {days}; add rows",
            )
        )
    return columns, matrix


def _read_period(input_dir: Path, root: Path, problems) -> tuple[dt.date | None, int]:
    path = input_dir / "sim_period.csv"
    if not path.exists():
        path = input_dir / "conflict_period.csv"
    label = _label(path, root)
    if not exists(path):
        problems.append(
            Problem(
                _label(input_dir / "sim_period.csv", root),
                None,
                "file",
                "missing (or conflict_period.csv); expected rows StartDate,YYYY-MM-DD and "
                "Length,DAYS",
            )
        )
        return None, 0
    start, length = None, None
    for line, values in csv_lines(path, label, problems, "missing") or []:
        if len(values) < 2:
            continue
        row = CsvRow(line, values)
        key = values[0].strip().lower()
        if key == "startdate":
            start = date(row, 1, "StartDate", label, problems)
        elif key == "length":
            length = number(
                row, 1, "Length", label, problems, integer=True, minimum=1, maximum=100_000
            )
    if start is None and not any(p.file == label for p in problems):
        problems.append(
            Problem(label, None, "StartDate", "missing; add a row StartDate,2013-12-01")
        )
    if length is None and not any(p.file == label and p.field == "Length" for p in problems):
        problems.append(Problem(label, None, "Length", "missing; add a row Length,DAYS"))
    return start, int(length or 0)


def _read_series(path: Path, label: str, problems) -> list[tuple[dt.date, int]]:
    lines = csv_lines(path, label, problems, "missing; named in data_layout.csv")
    if lines is None:
        return []
    rows = []
    for line, values in lines:
        if len(values) < 2 or not values[0] or values[0].startswith("#") or values[1] == "":
            continue
        if line == 1 and values[0] in ("DateTime", "Date"):
            continue
        row = CsvRow(line, values)
        day = date(row, 0, "date", label, problems)
        count = number(row, 1, "count", label, problems, integer=True, maximum=MAX_PEOPLE)
        if day is not None and count is not None:
            rows.append((day, int(count)))
    if not rows and not any(p.file == label for p in problems):
        problems.append(Problem(label, None, "rows", "no data rows; expected YYYY-MM-DD,COUNT"))
    return rows


def read_flee_folder(flee_dir: Path | str) -> FleeInputs:
    """Read and validate a Flee folder; raises ScenarioError listing every problem."""
    root = Path(flee_dir)
    if not root.is_dir():
        raise ScenarioError(
            [Problem(str(root), None, "folder", "not found; give a Flee scenario folder")]
        )
    problems: list[Problem] = []
    input_dir = find_input_dir(root)
    data_dir = find_data_dir(root, input_dir)

    def lab(path: Path) -> str:
        return _label(path, root)

    start, days = _read_period(input_dir, root, problems)
    locations, location_columns = _read_locations(
        input_dir / "locations.csv", lab(input_dir / "locations.csv"), problems
    )
    names: set[str] = {loc.name for loc in locations}
    countries: set[str] = {loc.country for loc in locations}
    if not locations:
        names, countries = _AnyName(), _AnyName()  # reported once, not on every reference
    routes, route_columns = _read_routes(
        input_dir / "routes.csv", lab(input_dir / "routes.csv"), names, problems
    )
    closures = _read_closures(
        input_dir / "closures.csv", lab(input_dir / "closures.csv"), names, countries, problems
    )
    warnings: list[Problem] = []
    conflict_names, conflicts = _read_conflicts(
        input_dir / "conflicts.csv",
        lab(input_dir / "conflicts.csv"),
        names,
        days,
        problems,
        warnings,
    )

    layout_path = data_dir / "data_layout.csv"
    layout_label = lab(layout_path)
    layout: list[tuple[str, list[str]]] = []
    series: dict[str, list[tuple[dt.date, int]]] = {}
    layout_lines = csv_lines(
        layout_path,
        layout_label,
        problems,
        "missing; expected total,refugees.csv and a row per camp",
    )
    if layout_lines is not None:
        for line, values in layout_lines:
            if len(values) < 2 or not values[0] or values[0].startswith("#"):
                continue
            files = [v.strip() for v in values[1:] if v.strip()]
            layout.append((values[0].strip(), files))
            for name in files:
                if name not in series:
                    series[name] = _read_series(data_dir / name, lab(data_dir / name), problems)
            if not files:
                problems.append(Problem(layout_label, line, "file", "no series file named"))
        data_names = [name for name, _ in layout]
        if "total" not in data_names:
            problems.append(
                Problem(
                    layout_label,
                    None,
                    "total",
                    "missing: Flee spawns from the row named 'total' (e.g. total,refugees.csv)",
                )
            )
        for loc in locations:
            if "camp" in loc.location_type.lower() and loc.name not in data_names:
                problems.append(
                    Problem(
                        layout_label,
                        None,
                        loc.name,
                        f"camp {loc.name!r} has no series; add a row '{loc.name},<file>.csv'",
                    )
                )

    corrections: list[tuple[str, dt.date]] = []
    corrections_path = input_dir / "registration_corrections.csv"
    corrections_label = lab(corrections_path)
    if exists(corrections_path):
        layout_files = dict(layout)
        for line, values in csv_lines(corrections_path, corrections_label, problems, "") or []:
            if len(values) < 2 or values[0].startswith("#"):
                continue
            row = CsvRow(line, values)
            name = row.get(0)
            when = date(row, 1, "date", corrections_label, problems)
            if name not in layout_files:
                problems.append(
                    Problem(
                        corrections_label,
                        line,
                        "name",
                        f"{name!r} is not a name in data_layout.csv",
                    )
                )
                continue
            if when is None or start is None:
                continue
            merged = merged_series_days(layout_files[name], series, start)
            offset = (when - start).days
            if offset not in merged[1:]:
                problems.append(
                    Problem(
                        corrections_label,
                        line,
                        "date",
                        f"{when} is not the date of a data row of {name} after its first "
                        "(Flee 3.1 fails on such a correction); use a date from its series",
                    )
                )
                continue
            corrections.append((name, when))
    if problems:
        raise ScenarioError(problems)
    return FleeInputs(
        input_dir=input_dir,
        data_dir=data_dir,
        start=start,
        days=days,
        locations=locations,
        routes=routes,
        closures=closures,
        conflict_names=conflict_names,
        conflicts=conflicts,
        corrections=corrections,
        layout=layout,
        series=series,
        location_columns=location_columns,
        route_columns=route_columns,
        warnings=warnings,
    )


def merged_series_days(files: list[str], series: dict, start: dt.date) -> list[int]:
    """The day offsets of the rows of a (possibly merged) data series, as Flee builds it."""
    from .refugee_data import merged_table

    return [int(day) for day, _ in merged_table(files, series, start, 1)]


class _AnyName(set):
    """The names used when locations.csv cannot be read: references to it are not checked."""

    def __contains__(self, key: object) -> bool:
        return True
