"""What an intervention in scenario.toml targets must exist in the scenario's tables.

`trocha check` and `trocha run` both load a scenario through `load_scenario`, so checking targets
here (rather than when a simulation sets the intervention up) means the two always agree: a
`countries = ["ZZZ"]` fails both, with the same message.
"""

from __future__ import annotations

from typing import Any

from .problems import Problem


def intervention_target_problems(
    raw: list[dict[str, Any]],
    inherited: list,
    tables: dict[str, list[Any]],
    file: str = "scenario.toml",
) -> list[Problem]:
    """Problems for interventions (valid in themselves) whose targets the tables lack.

    `raw` are this scenario's [[interventions]] tables, `inherited` its base's interventions
    (checked again: this scenario's tables may differ from the base's).
    """
    from ..interventions import parse_interventions

    located = [(f"base interventions[{i}]", iv) for i, iv in enumerate(inherited, start=1)]
    for number, table in enumerate(raw, start=1):
        parsed, invalid = parse_interventions([table], file)
        if not invalid and parsed:  # invalid ones are already reported by parse_interventions
            located.append((f"interventions[{number}]", parsed[0]))
    problems = []
    for where, intervention in located:
        for field, message in _target_problems(intervention, tables):
            problems.append(Problem(file, None, f"{where}.{field}", message))
    return problems


def _target_problems(intervention, tables: dict[str, list[Any]]) -> list[tuple[str, str]]:
    countries = {c.iso3 for c in tables.get("countries") or []}
    places = {loc.name for loc in tables.get("locations") or []}
    organisations = {o.name for o in tables.get("organisations") or []}
    routes = tables.get("routes") or []
    kind = intervention.kind
    found = []

    def need_countries(field: str, codes: list[str]) -> None:
        unknown = [c for c in codes if c != "*" and c not in countries]
        if unknown:
            found.append((field, f"{kind}: countries {unknown} are not in countries.csv"))

    def need_place(field: str, name: str) -> bool:
        if name not in places:
            found.append((field, f"{kind}: place {name!r} is not in locations.csv"))
            return False
        return True

    if hasattr(intervention, "countries"):
        need_countries("countries", intervention.countries)
    if hasattr(intervention, "country") and intervention.country not in countries:
        # One country, so no "*" here (that is for lists of countries).
        found.append(
            ("country", f"{kind}: country {intervention.country!r} is not in countries.csv")
        )
    if hasattr(intervention, "from_countries"):
        need_countries("from_countries", intervention.from_countries)
    organisation = getattr(intervention, "organisation", None)
    if organisation is not None and organisation not in organisations:
        found.append(
            ("organisation", f"{kind}: organisation {organisation!r} is not in organisations.csv")
        )
    networks = {o.name for o in tables.get("organisations") or [] if o.kind == "network"}
    if organisation in networks:
        found.append(
            (
                "organisation",
                f"{kind}: {organisation!r} is a network, with no members, cells or prison to act "
                "on; name a gang (victim_identification acts on every organisation's victims)",
            )
        )
    if kind == "crossing_closure":
        a, b = intervention.place_a, intervention.place_b
        if need_place("place_a", a) & need_place("place_b", b):
            wanted = {"both": ("official", "irregular")}.get(
                intervention.crossing, (intervention.crossing,)
            )
            if not any(_joins(r, a, b) and r.crossing in wanted for r in routes):
                found.append(
                    ("place_b", f"{kind}: no {intervention.crossing} crossing joins {a} and {b}")
                )
    if kind == "safe_transport":
        known = [need_place("places", name) for name in intervention.places]
        if all(known):
            for a, b in zip(intervention.places[:-1], intervention.places[1:], strict=True):
                if not any(_joins(r, a, b) and r.crossing != "irregular" for r in routes):
                    found.append(
                        ("places", f"{kind}: no road or official crossing from {a} to {b}")
                    )
    return found


def _joins(route, a: str, b: str) -> bool:
    return {route.from_, route.to} == {a, b}
