"""Load and validate a scenario folder (scenario.toml + CSV tables).

Every problem is collected before anything is raised, so `trocha check` can list them all at once,
each as `file:row: field: what is wrong and what is expected`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..bounds import largest_scale, people_in_scope
from .intervention_targets import intervention_target_problems
from .parameters import resolve_parameters
from .problems import Problem, ScenarioError
from .tables import (
    OPTIONAL_TABLES,
    TABLES,
    BorderRegimeRow,
    CountryRow,
    CrossingControlRow,
    DrugRouteRow,
    EnforcementEventRow,
    HostEconomyRow,
    HostPolicyRow,
    HostPopulationRow,
    InitialStockRow,
    LocationRow,
    MobilityRow,
    OrganisationRow,
    PushFactorRow,
    RouteRow,
    Row,
    SourceRow,
    StateRow,
    TargetRow,
)
from .textfiles import exists, read_text


class ScenarioSpec(BaseModel):
    """The `[scenario]` section of scenario.toml."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9\-_]*$")
    description: str = ""
    start: dt.date
    end: dt.date
    default_scale: int = Field(default=10, ge=1)
    origin_country: str = Field(pattern=r"^[A-Z]{3}$")
    base: str | None = None  # a shipped scenario name or a folder (relative to this one)


@dataclass
class Scenario:
    """A validated scenario: its settings, tables and resolved parameters."""

    spec: ScenarioSpec
    folder: Path
    countries: list[CountryRow]
    locations: list[LocationRow]
    routes: list[RouteRow]
    border_regimes: list[BorderRegimeRow]
    push_factors: list[PushFactorRow]
    sources: list[SourceRow]
    parameters: dict[str, float]
    content_hash: str
    initial_stock: list[InitialStockRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    organisations: list[OrganisationRow] = field(default_factory=list)
    crossing_controls: list[CrossingControlRow] = field(default_factory=list)
    drug_routes: list[DrugRouteRow] = field(default_factory=list)
    states: list[StateRow] = field(default_factory=list)
    enforcement_events: list[EnforcementEventRow] = field(default_factory=list)
    host_economy: list[HostEconomyRow] = field(default_factory=list)
    host_population: list[HostPopulationRow] = field(default_factory=list)
    host_policies: list[HostPolicyRow] = field(default_factory=list)
    mobility: list[MobilityRow] = field(default_factory=list)
    overrides: dict[str, float] = field(default_factory=dict)
    interventions: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    def with_parameters(self, **values: float) -> Scenario:
        """A copy with some parameters changed (unknown names raise ScenarioError)."""
        merged = {**self.overrides, **values}
        params, problems = resolve_parameters(merged, "parameters")
        if problems:
            raise ScenarioError(problems)
        return Scenario(**{**self.__dict__, "parameters": params, "overrides": merged})


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped inside the package."""
    root = resources.files("trocha").joinpath("data/scenarios")
    return sorted(p.name for p in root.iterdir() if p.joinpath("scenario.toml").is_file())


def resolve_folder(name_or_path: str | Path) -> Path:
    """A scenario folder from a path or the name of a shipped scenario."""
    path = Path(name_or_path)
    if path.is_dir():
        return path
    if isinstance(name_or_path, str) and name_or_path in shipped_scenarios():
        return Path(str(resources.files("trocha").joinpath("data/scenarios", name_or_path)))
    shipped = ", ".join(shipped_scenarios())
    raise ScenarioError(
        [
            Problem(
                str(name_or_path),
                None,
                "scenario",
                f"no such folder or shipped scenario; give a scenario folder or one of: {shipped}",
            )
        ]
    )


def _is_flee_folder(folder: Path) -> bool:
    from ..flee.detect import is_flee_scenario

    return is_flee_scenario(folder)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario by shipped name (e.g. "venezuela") or folder path; raise ScenarioError.

    A scenario whose [scenario] names a `base` takes every table it does not have from the base,
    and adds its parameters and interventions to the base's (policy variants are a few lines).
    A folder written by `trocha import-flee` loads as the flee ruleset's scenario.
    """
    from ..interventions import parse_interventions

    folder = resolve_folder(name_or_path)
    if _is_flee_folder(folder):
        from ..flee.scenario import load_imported_flee

        return load_imported_flee(folder)  # the flee ruleset (trocha import-flee)
    problems: list[Problem] = []
    raw = _read_toml(folder, problems)
    base = _load_base(folder, raw, problems)
    spec = _spec(raw, base, problems)
    overrides = {**(base.overrides if base else {}), **raw.get("parameters", {})}
    interventions, iv_problems = parse_interventions(raw.get("interventions", []))
    problems += iv_problems
    if base:
        interventions = [*base.interventions, *interventions]
    tables = {}
    broken = set()  # tables with invalid rows: references into them are not checked (no cascades)
    for name, schema in [*TABLES.items(), *OPTIONAL_TABLES.items()]:
        if not exists(folder / f"{name}.csv") and (base is not None or name in OPTIONAL_TABLES):
            tables[name] = getattr(base, name, None) if base is not None else None
            continue
        before = len(problems)
        tables[name] = _read_table(folder, name, schema, problems)
        if len(problems) > before:
            broken.add(name)
    parameters, param_problems = resolve_parameters(overrides)
    problems += param_problems
    if spec is not None and all(tables.get(t) is not None for t in TABLES):
        problems += _cross_check(spec, tables, broken)
        if not broken & {"countries", "locations", "routes", "organisations"}:
            inherited = base.interventions if base else []
            problems += intervention_target_problems(
                raw.get("interventions", []), inherited, tables
            )
    if not problems and spec is not None:
        problems += _size_problems(spec, tables, parameters)
    if problems:
        raise ScenarioError(problems)
    assert spec is not None
    content = _content_hash(folder) + (base.content_hash if base else "")
    return Scenario(
        spec=spec,
        folder=folder,
        countries=tables["countries"],
        locations=tables["locations"],
        routes=tables["routes"],
        border_regimes=tables["border_regimes"],
        push_factors=sorted(tables["push_factors"], key=lambda r: r.year),
        sources=tables["sources"],
        parameters=parameters,
        content_hash=hashlib.sha256(content.encode()).hexdigest() if base else content,
        initial_stock=tables.get("initial_stock") or [],
        targets=tables.get("targets") or [],
        organisations=tables.get("organisations") or [],
        crossing_controls=tables.get("crossing_controls") or [],
        drug_routes=tables.get("drug_routes") or [],
        states=tables.get("states") or [],
        enforcement_events=tables.get("enforcement_events") or [],
        host_economy=tables.get("host_economy") or [],
        host_population=tables.get("host_population") or [],
        host_policies=tables.get("host_policies") or [],
        mobility=tables.get("mobility") or [],
        overrides={k: float(v) for k, v in overrides.items()},
        interventions=interventions,
    )


def _load_base(folder: Path, raw: dict, problems: list[Problem]) -> Scenario | None:
    name = raw.get("scenario", {}).get("base")
    if not name:
        return None
    local = (folder / name).resolve()
    try:
        return load_scenario(local if local.is_dir() else name)
    except ScenarioError as err:
        for p in err.problems:
            problems.append(Problem(p.file, p.row, p.field, f"{p.message} (in base {name!r})"))
        return None


def _spec(raw: dict, base: Scenario | None, problems: list[Problem]) -> ScenarioSpec | None:
    if raw.get("_unreadable"):
        return None
    values = {**(base.spec.model_dump(exclude={"base"}) if base else {}), **raw.get("scenario", {})}
    try:
        spec = ScenarioSpec.model_validate(values)
    except ValidationError as err:
        for e in err.errors():
            name = "scenario." + ".".join(str(x) for x in e["loc"])
            problems.append(Problem("scenario.toml", None, name, _message(e)))
        return None
    if spec.end <= spec.start:
        problems.append(Problem("scenario.toml", None, "scenario.end", "must be after start"))
    return spec


MAX_AGENTS = 20_000_000  # about 750 MB of agent columns, 35 times the default scenario


def _size_problems(spec: ScenarioSpec, tables: dict, parameters: dict[str, float]) -> list[Problem]:
    """A run at the default scale must fit in memory (the people who may ever leave, as agents)."""
    people = people_in_scope(
        parameters["exodus_pool_share"], tables["push_factors"], tables.get("initial_stock")
    )
    agents = people / spec.default_scale
    places = len(tables["locations"])
    # The same bound a run enforces (bounds.check_scale): at least one agent per place.
    largest = largest_scale(people, places)
    if spec.default_scale > largest:
        return [
            Problem(
                "scenario.toml",
                None,
                "scenario.default_scale",
                f"{spec.default_scale} people per agent leaves fewer agents than the "
                f"{places} places; use a default_scale of at most {largest}",
            )
        ]
    if agents <= MAX_AGENTS:
        return []
    return [
        Problem(
            "scenario.toml",
            None,
            "scenario.default_scale",
            f"at {spec.default_scale} people per agent a run may need {agents:,.0f} agents (more "
            f"than {MAX_AGENTS:,}); raise default_scale",
        )
    ]


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ["scenario.toml", *(f"{t}.csv" for t in [*TABLES, *OPTIONAL_TABLES])]:
        if (folder / name).is_file():
            digest.update(name.encode())
            digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def _read_toml(folder: Path, problems: list[Problem]) -> dict:
    """The parsed scenario.toml ({"_unreadable": True} if it cannot be read)."""
    text = read_text(
        folder / "scenario.toml", "scenario.toml", problems, "missing; every scenario needs one"
    )
    if text is None:
        return {"_unreadable": True}
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        problems.append(Problem("scenario.toml", None, "syntax", f"not valid TOML: {err}"))
        return {"_unreadable": True}
    for section in sorted(set(doc) - {"scenario", "parameters", "interventions"}):
        problems.append(
            Problem(
                "scenario.toml",
                None,
                section,
                "unknown section; expected [scenario], [parameters] or [[interventions]]",
            )
        )
    if not isinstance(doc.get("parameters", {}), dict):
        problems.append(Problem("scenario.toml", None, "parameters", "must be a table of numbers"))
        doc["parameters"] = {}
    if not isinstance(doc.get("interventions", []), list):
        problems.append(
            Problem("scenario.toml", None, "interventions", "must be [[interventions]] tables")
        )
        doc["interventions"] = []
    return doc


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing value; this field is required"
    if kind == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    msg = error["msg"]
    if "input" in error and not isinstance(error["input"], dict):
        msg += f"; got {error['input']!r}"
    return msg


def _read_table(
    folder: Path, name: str, schema: type[Row], problems: list[Problem]
) -> list[Any] | None:
    file = f"{name}.csv"
    text = read_text(folder / file, file, problems, "missing; see docs/scenario-format.md")
    if text is None:
        return None
    try:
        return _parse_table(file, text, schema, problems)
    except csv.Error as error:
        problems.append(Problem(file, None, "file", f"not valid CSV: {error}"))
        return None


def _header_field(header: list[str], column: str) -> tuple[str, str]:
    """How a problem names a header cell: by its name, or by its position where the name could
    not stand as the `file:row: field:` part of a problem line (empty, padded, or holding a
    colon), the name then quoted in the message."""
    if column.strip() and column == column.strip() and ":" not in column:
        return column, ""
    named = f" named {column!r}" if column.strip() else ""
    return f"column {header.index(column) + 1}", named


def _parse_table(
    file: str, text: str, schema: type[Row], problems: list[Problem]
) -> list[Any] | None:
    expected = [f.alias or n for n, f in schema.model_fields.items()]
    required = [f.alias or n for n, f in schema.model_fields.items() if f.is_required()]
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        unknown = [c for c in header if c not in expected]
        repeated = sorted({c for c in header if header.count(c) > 1})
        for column in repeated:
            field, named = _header_field(header, column)
            problems.append(Problem(file, 1, field, f"repeated column{named}; keep one"))
        if missing or unknown or repeated:
            for column in missing:
                problems.append(Problem(file, 1, column, "missing column; add it to the header"))
            for column in unknown:
                field, named = _header_field(header, column)
                what = "unknown column" if column.strip() else "a column without a name"
                problems.append(
                    Problem(
                        file, 1, field, f"{what}{named}; expected columns: {', '.join(expected)}"
                    )
                )
            return None
        rows = []
        for number, raw in enumerate(reader, start=2):
            if None in raw:
                problems.append(Problem(file, number, "row", "more values than header columns"))
                continue
            values = {k: v for k, v in raw.items() if v is not None and v.strip() != ""}
            try:
                rows.append(schema.model_validate(values))
            except ValidationError as err:
                for e in err.errors():
                    column = str(e["loc"][0]) if e["loc"] else "row"
                    problems.append(Problem(file, number, column, _message(e)))
    return rows


def _duplicates(file: str, column: str, values: list[str]) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for i, value in enumerate(values, start=2):
        if value in seen:
            problems.append(
                Problem(
                    file,
                    i,
                    column,
                    f"duplicate '{value}' (first on row {seen[value]}); must be unique",
                )
            )
        else:
            seen[value] = i
    return problems


def _cross_check(
    spec: ScenarioSpec, tables: dict[str, list[Any]], broken: set[str]
) -> list[Problem]:
    countries: list[CountryRow] = tables["countries"]
    locations: list[LocationRow] = tables["locations"]
    routes: list[RouteRow] = tables["routes"]
    regimes: list[BorderRegimeRow] = tables["border_regimes"]
    push: list[PushFactorRow] = tables["push_factors"]
    sources = {s.source_id for s in tables["sources"]}
    problems = _duplicates("sources.csv", "source_id", [s.source_id for s in tables["sources"]])
    problems += _duplicates("countries.csv", "iso3", [c.iso3 for c in countries])
    problems += _duplicates("locations.csv", "name", [loc.name for loc in locations])
    problems += _duplicates("push_factors.csv", "year", [str(p.year) for p in push])

    for name in TABLES:
        rows = tables[name]
        if name == "sources" or "sources" in broken:
            continue
        for i, row in enumerate(rows, start=2):
            if row.source_id not in sources:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        i,
                        "source_id",
                        f"'{row.source_id}' is not in sources.csv; add it there",
                    )
                )

    iso = {c.iso3: c for c in countries}
    if "countries" in broken:
        iso = _Everything(iso)
    if spec.origin_country not in iso:
        problems.append(
            Problem(
                "scenario.toml",
                None,
                "scenario.origin_country",
                f"'{spec.origin_country}' is not in countries.csv",
            )
        )
    elif iso.get(spec.origin_country) is not None and iso[spec.origin_country].role != "origin":
        problems.append(
            Problem(
                "countries.csv",
                None,
                "role",
                f"origin country {spec.origin_country} must have role 'origin'",
            )
        )
    by_name = {}
    for i, loc in enumerate(locations, start=2):
        by_name[loc.name] = loc
        if loc.country not in iso:
            problems.append(
                Problem("locations.csv", i, "country", f"'{loc.country}' is not in countries.csv")
            )
        elif loc.kind == "origin" and loc.country != spec.origin_country and iso.get(loc.country):
            problems.append(
                Problem(
                    "locations.csv",
                    i,
                    "kind",
                    f"origin places must be in the origin country {spec.origin_country}",
                )
            )
        if loc.kind in ("origin", "city") and loc.population == 0:
            problems.append(
                Problem("locations.csv", i, "population", f"a {loc.kind} needs a population > 0")
            )
    if not any(loc.kind == "origin" for loc in locations):
        problems.append(
            Problem(
                "locations.csv", None, "kind", "no origin place; add at least one kind=origin row"
            )
        )
    hosts = {c.iso3 for c in countries if c.role == "host"}
    if "countries" not in broken and not any(
        loc.kind == "city" and loc.country in hosts for loc in locations
    ):
        problems.append(
            Problem(
                "locations.csv",
                None,
                "kind",
                "no destination: add a kind=city place in a host country",
            )
        )

    neighbours: dict[str, set[str]] = defaultdict(set)
    for i, route in enumerate(routes, start=2):
        ends_ok = True
        for column, end in (("from", route.from_), ("to", route.to)):
            if end not in by_name and "locations" in broken:
                ends_ok = False
            elif end not in by_name:
                close = _similar_name(end, by_name)
                hint = (
                    f"; did you mean '{close}'?"
                    if close
                    else "; it must be a name in locations.csv"
                )
                problems.append(Problem("routes.csv", i, column, f"unknown location '{end}'{hint}"))
                ends_ok = False
        if not ends_ok:
            continue
        if route.from_ == route.to:
            problems.append(
                Problem("routes.csv", i, "to", "a route must join two different places")
            )
        same_country = by_name[route.from_].country == by_name[route.to].country
        if same_country and route.crossing != "none":
            problems.append(
                Problem(
                    "routes.csv", i, "crossing", "both ends are in one country; use crossing=none"
                )
            )
        if not same_country and route.crossing == "none":
            problems.append(
                Problem(
                    "routes.csv",
                    i,
                    "crossing",
                    "the ends are in two countries; use official or irregular",
                )
            )
        neighbours[route.from_].add(route.to)
        neighbours[route.to].add(route.from_)
    if not routes and "routes" not in broken:
        problems.append(Problem("routes.csv", None, "rows", "no routes; add at least one route"))
    if locations and routes and not problems and not broken:
        start = locations[0].name
        reached, frontier = {start}, [start]
        while frontier:
            for nxt in neighbours[frontier.pop()]:
                if nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
        for i, loc in enumerate(locations, start=2):
            if loc.name not in reached:
                problems.append(
                    Problem(
                        "locations.csv",
                        i,
                        "name",
                        f"'{loc.name}' is not connected to '{start}' by any route",
                    )
                )

    for i, regime in enumerate(regimes, start=2):
        for column in ("country", "from_country"):
            code = getattr(regime, column)
            if code != "*" and code not in iso:
                problems.append(
                    Problem("border_regimes.csv", i, column, f"'{code}' is not in countries.csv")
                )

    for i, stock in enumerate(tables.get("initial_stock") or [], start=2):
        if stock.location not in by_name and "locations" not in broken:
            problems.append(
                Problem("initial_stock.csv", i, "location", f"unknown location '{stock.location}'")
            )
        elif stock.location in by_name and by_name[stock.location].country == spec.origin_country:
            problems.append(
                Problem(
                    "initial_stock.csv", i, "location", "must be abroad (not in the origin country)"
                )
            )
    for i, target in enumerate(tables.get("targets") or [], start=2):
        if target.country != "ALL" and target.country not in iso:
            problems.append(
                Problem("targets.csv", i, "country", f"'{target.country}' is not in countries.csv")
            )
    for name in ("host_economy", "host_population"):
        problems += _check_yearly_by_country(name, tables.get(name) or [], iso)
    seen_policies: set[tuple] = set()
    for i, row in enumerate(tables.get("host_policies") or [], start=2):
        if row.country not in iso:
            problems.append(
                Problem(
                    "host_policies.csv", i, "country", f"'{row.country}' is not in countries.csv"
                )
            )
        key = (row.date, row.country, row.policy)
        if key in seen_policies:
            problems.append(
                Problem(
                    "host_policies.csv",
                    i,
                    "date",
                    f"a second {row.policy} row for {row.country} on {row.date}; keep one",
                )
            )
        seen_policies.add(key)
    problems += _check_economy(tables, by_name, iso, broken)
    for name in OPTIONAL_TABLES:
        for i, row in enumerate(tables.get(name) or [], start=2):
            if "sources" not in broken and row.source_id not in sources:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        i,
                        "source_id",
                        f"'{row.source_id}' is not in sources.csv; add it there",
                    )
                )

    problems += _check_mobility(tables.get("mobility") or [], push)
    years = {p.year for p in push}
    for year in (spec.start.year, spec.end.year):
        if year not in years:
            problems.append(
                Problem(
                    "push_factors.csv",
                    None,
                    "year",
                    f"no row for {year}; the rows must cover the simulated years",
                )
            )
    return problems


NETWORK_FIELDS = (
    "headquarters",
    "initial_members",
    "prison_inmates",
    "smuggling_from",
    "packages_from",
    "ally",
    "expands",
)


def _network_problems(org, row: int) -> list[Problem]:
    """A network has no members, prison, crossings, packages, allies or cells to expand: a value
    there would be silently ignored, so it is an error."""
    return [
        Problem(
            "organisations.csv",
            row,
            field,
            f"a network ({org.name}) has no {field.replace('_', ' ')}; leave it empty (or 0)",
        )
        for field in NETWORK_FIELDS
        if getattr(org, field)
    ]


def _check_mobility(rows: list[MobilityRow], push: list[PushFactorRow]) -> list[Problem]:
    """Dated mobility: one row per date, in order, and given in one place only."""
    problems = []
    for i, (before, row) in enumerate(pairwise(rows), start=3):
        if row.date <= before.date:
            message = f"{row.date} is not after {before.date} above; one row per date, in order"
            problems.append(Problem("mobility.csv", i, "date", message))
    if rows:
        for i, row in enumerate(push, start=2):
            if row.mobility != 1.0:
                message = (
                    f"{row.mobility} for {row.year}, but mobility.csv gives mobility by date; "
                    "set this column to 1"
                )
                problems.append(Problem("push_factors.csv", i, "mobility", message))
    return problems


def _check_yearly_by_country(name: str, rows: list[Any], iso: dict) -> list[Problem]:
    """A yearly table by country (host_economy, host_population): a known country, one row per
    country and year."""
    problems = []
    seen: set[tuple[str, int]] = set()
    for i, row in enumerate(rows, start=2):
        if row.iso3 not in iso:
            problems.append(
                Problem(f"{name}.csv", i, "iso3", f"'{row.iso3}' is not in countries.csv")
            )
        elif (row.iso3, row.year) in seen:
            problems.append(
                Problem(
                    f"{name}.csv", i, "year", f"a second row for {row.iso3} in {row.year}; keep one"
                )
            )
        seen.add((row.iso3, row.year))
    return problems


def _check_economy(
    tables: dict[str, list[Any]], by_name: dict, iso: dict, broken: set[str]
) -> list[Problem]:
    """References between the criminal-economy tables and the geography."""
    problems = []
    orgs = tables.get("organisations") or []
    problems += _duplicates("organisations.csv", "name", [o.name for o in orgs])
    names = {o.name for o in orgs}
    check_places = "locations" not in broken
    for i, org in enumerate(orgs, start=2):
        if org.headquarters and check_places and org.headquarters not in by_name:
            problems.append(
                Problem(
                    "organisations.csv", i, "headquarters", f"unknown location '{org.headquarters}'"
                )
            )
        if org.ally and org.ally not in names:
            problems.append(
                Problem(
                    "organisations.csv",
                    i,
                    "ally",
                    f"'{org.ally}' is not an organisation in this file",
                )
            )
        if org.ally and org.alliance_from is None:
            problems.append(
                Problem("organisations.csv", i, "alliance_from", "an ally needs a start date")
            )
        if org.kind == "network":
            problems += _network_problems(org, i)
    networks = {o.name for o in orgs if o.kind == "network"}
    for i, org in enumerate(orgs, start=2):
        if org.ally in networks:
            problems.append(
                Problem(
                    "organisations.csv",
                    i,
                    "ally",
                    f"'{org.ally}' is a network, which has no allies; name a gang",
                )
            )
    irregular = set()
    for route in tables.get("routes") or []:
        if route.crossing == "irregular":
            irregular.add((route.from_, route.to))
            irregular.add((route.to, route.from_))
    for i, row in enumerate(tables.get("crossing_controls") or [], start=2):
        if row.controller != "none" and row.controller not in names:
            problems.append(
                Problem(
                    "crossing_controls.csv",
                    i,
                    "controller",
                    f"'{row.controller}' is not in organisations.csv (or use none)",
                )
            )
        if row.controller in networks:
            problems.append(
                Problem(
                    "crossing_controls.csv",
                    i,
                    "controller",
                    f"'{row.controller}' is a network, which controls no crossing; "
                    "name a gang or an armed group (or none)",
                )
            )
        if check_places and tables.get("routes") and (row.from_, row.to) not in irregular:
            problems.append(
                Problem(
                    "crossing_controls.csv",
                    i,
                    "to",
                    f"no irregular route between '{row.from_}' and '{row.to}' in routes.csv",
                )
            )
    crossings = {(r.from_, r.to) for r in tables.get("routes") or [] if r.crossing != "none"}
    crossings |= {(b, a) for a, b in crossings}
    for i, row in enumerate(tables.get("drug_routes") or [], start=2):
        if check_places and tables.get("routes") and (row.from_, row.to) not in crossings:
            problems.append(
                Problem(
                    "drug_routes.csv",
                    i,
                    "to",
                    f"no border crossing between '{row.from_}' and '{row.to}' in routes.csv",
                )
            )
    for i, row in enumerate(tables.get("states") or [], start=2):
        if row.iso3 not in iso:
            problems.append(
                Problem("states.csv", i, "iso3", f"'{row.iso3}' is not in countries.csv")
            )
    for i, row in enumerate(tables.get("enforcement_events") or [], start=2):
        if row.organisation not in names:
            problems.append(
                Problem(
                    "enforcement_events.csv",
                    i,
                    "organisation",
                    f"'{row.organisation}' is not in organisations.csv",
                )
            )
        if row.organisation in networks:
            problems.append(
                Problem(
                    "enforcement_events.csv",
                    i,
                    "organisation",
                    f"'{row.organisation}' is a network, with no members or prison to act on; "
                    "name a gang (the identification lever acts on every victim)",
                )
            )
        for code in row.countries.split():
            if code != "*" and code not in iso:
                problems.append(
                    Problem(
                        "enforcement_events.csv",
                        i,
                        "countries",
                        f"'{code}' is not in countries.csv",
                    )
                )
    return problems


def _plain(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch)
    )


def _similar_name(name: str, names: dict[str, object]) -> str | None:
    """The known name that `name` most likely misspells (accents and case ignored first)."""
    plain = {_plain(n): n for n in names}
    if _plain(name) in plain:
        return plain[_plain(name)]
    close = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.8)
    return plain[close[0]] if close else None


class _Everything(dict):
    """Country lookup used when countries.csv has invalid rows: unknown codes are not reported."""

    def __contains__(self, key: object) -> bool:
        return True
