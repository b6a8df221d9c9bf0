"""Row schemas of the scenario CSV tables (see docs/scenario-format.md).

Every number must be finite and within a bound that means something (no population larger than
the world's, no fare of 1e308 USD): such values would run to overflow or nonsense, not fail.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ISO3 = re.compile(r"^[A-Z]{3}$")
MAX_PEOPLE = 10_000_000_000  # more than the world population
MAX_USD = 1_000_000_000.0  # a fare or a monthly wage beyond this is a typo
MAX_MEMBERS = 10_000_000


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


def _iso3(value: str) -> str:
    if not ISO3.match(value):
        raise ValueError("expected a 3-letter upper-case ISO3 country code such as COL")
    return value


class CountryRow(Row):
    iso3: str
    name: str = Field(min_length=1)
    role: Literal["origin", "host", "transit"]
    wage_usd_month: float = Field(gt=0, le=MAX_USD)
    choice_constant: float = Field(default=0.0, ge=-50, le=50)
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("iso3")(_iso3)


class LocationRow(Row):
    name: str = Field(min_length=1)
    country: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: Literal["origin", "city", "border_town", "airport", "crossing"]
    population: int = Field(ge=0, le=MAX_PEOPLE)
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("country")(_iso3)


class RouteRow(Row):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, populate_by_name=True, allow_inf_nan=False
    )

    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    distance_km: float = Field(gt=0, le=40_000)
    distance_basis: Literal["road_measured", "great_circle_x1.3", "sea", "air"]
    mode: Literal["walk", "bus", "boat", "air"]
    crossing: Literal["none", "official", "irregular"]
    cost_usd: float = Field(ge=0, le=MAX_USD)
    death_risk: float = Field(ge=0, lt=1)
    source_id: str = Field(min_length=1)
    notes: str = ""


class BorderRegimeRow(Row):
    date: dt.date
    country: str
    from_country: str
    regime: Literal["open", "passport", "visa", "closed"]
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("country")(_iso3)

    @field_validator("from_country")
    @classmethod
    def _from_country(cls, value: str) -> str:
        if value != "*" and not ISO3.match(value):
            raise ValueError("expected an ISO3 country code such as VEN, or * for any country")
        return value


class PushFactorRow(Row):
    year: int = Field(ge=1900, le=2200)
    population: int = Field(gt=0, le=MAX_PEOPLE)
    inflation_pct: float = Field(gt=-100, le=1e9)
    gdp_change_pct: float = Field(gt=-100, le=1000)
    mobility: float = Field(ge=0, le=1)
    source_id: str = Field(min_length=1)
    notes: str = ""


class MobilityRow(Row):
    """How far movement out of the origin is possible from `date` on (until the next row): a
    dated step, for events that start on a day (a pandemic's lockdowns and closures). When the
    table is there, push_factors.csv's yearly `mobility` must be 1."""

    date: dt.date
    mobility: float = Field(ge=0, le=1)
    source_id: str = Field(min_length=1)
    notes: str = ""


class SourceRow(Row):
    source_id: str = Field(min_length=1)
    publisher: str = ""
    title: str = ""
    date: str = ""
    url: str = ""
    notes: str = ""


class InitialStockRow(Row):
    location: str = Field(min_length=1)
    people: int = Field(ge=0, le=MAX_PEOPLE)
    source_id: str = Field(min_length=1)
    notes: str = ""


class YearlyCountryRow(Row):
    """One country's value in one year (host_economy.csv, host_population.csv)."""

    iso3: str
    year: int = Field(ge=1900, le=2100)
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("iso3")(_iso3)


class HostEconomyRow(YearlyCountryRow):
    """A host country's economy in one year (covariates of destination choice and baselines)."""

    gdp_per_capita_usd: float = Field(gt=0, allow_inf_nan=False)


class HostPopulationRow(YearlyCountryRow):
    """A host country's population in one year (the denominator of its migrants' share, which
    crowds destination choice)."""

    population: float = Field(gt=0, allow_inf_nan=False)


# The policies host_policies.csv may give (modules/host_policies.py applies them).
HOST_POLICIES = (
    "apprehension",
    "expulsion",
    "protection",
    "parole",
    "controlled_flow",
    "irregular_status",
    "lockdown",
)


class HostPolicyRow(Row):
    """A dated host-country policy from `date` on (until the next row of the same country and
    policy): the share of irregular entrants the border authorities meet (`apprehension`, each one
    an encounter), the share of those expelled back across the border (`expulsion`), or a
    protection status that adds `value` to the utility of staying for migrants already there
    (`protection`, e.g. US TPS), or the people a month admitted by air on parole (`parole`,
    e.g. the US parole processes for Venezuelans), or a controlled flow that escorts irregular
    entrants to the next border (`controlled_flow`, 1 on, 0 off, e.g. Panama's), or the share of
    irregular entrants left with no way to a legal status there (`irregular_status`, e.g. Chile,
    where entering clandestinely bars a residence permit), or the share of the country under a
    stay-at-home order (`lockdown`, which raises the migrants' return hazard there)."""

    date: dt.date
    country: str
    policy: Literal[HOST_POLICIES]
    value: float = Field(ge=0, le=1e7, allow_inf_nan=False)
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("country")(_iso3)

    @model_validator(mode="after")
    def _share(self) -> HostPolicyRow:
        shares = ("apprehension", "expulsion", "controlled_flow", "irregular_status", "lockdown")
        if self.policy in shares and self.value > 1:
            raise ValueError(f"value: {self.policy} is a share of people, between 0 and 1")
        if self.policy == "protection" and self.value > 10:
            raise ValueError("value: protection is in logit units, between 0 and 10")
        return self


# Targets that are a share of a period's events (experiments/targets.py SHARES): a number in
# [0, 1] over the days from start_date to date.
SHARE_METRICS = frozenset({"air_entry_share"})


class TargetRow(Row):
    date: dt.date
    country: str
    metric: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    value: float = Field(ge=0, le=1e12)
    source_id: str = Field(min_length=1)
    role: Literal["calibration", "validation"] = "calibration"
    notes: str = ""
    # Optional: a flow summed from start_date to date; an interval [value, value_high]; an
    # observation that counts only part of the people (bound = lower) or more than the people
    # the model has (bound = upper, e.g. crossings of all nationalities).
    start_date: dt.date | None = None
    value_high: float | None = Field(default=None, ge=0)
    bound: Literal["estimate", "lower", "upper"] = "estimate"

    @model_validator(mode="after")
    def _period(self):
        if self.start_date is not None and self.start_date > self.date:
            raise ValueError(f"start_date {self.start_date} is after date {self.date}")
        if self.value_high is not None and self.value_high < self.value:
            raise ValueError(f"value_high {self.value_high} is below value {self.value}")
        if self.metric in SHARE_METRICS:
            if self.start_date is None:
                raise ValueError(f"{self.metric} is a share of a period: give its start_date")
            if max(self.value, self.value_high or 0.0) > 1.0:
                raise ValueError(f"{self.metric} is a share: value and value_high must be 0-1")
        return self

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value != "ALL" and not ISO3.match(value):
            raise ValueError("expected an ISO3 country code, or ALL")
        return value


class OrganisationRow(Row):
    """A criminal organisation and the dates its businesses start (the article's chronology).

    A `network` stands for the trafficking networks other than the modelled gangs: no members,
    cells or crossings, it recruits victims on arrival in every city abroad where no gang does
    and holds them where it took them (ODD 7.8)."""

    name: str = Field(min_length=1)
    kind: Literal["gang", "armed_group", "network"]
    headquarters: str = ""  # a place (the prison it controls); empty: none
    founded: dt.date
    initial_members: int = Field(ge=0, le=MAX_MEMBERS)
    prison_inmates: int = Field(default=0, ge=0, le=MAX_MEMBERS)
    smuggling_from: dt.date | None = None
    packages_from: dt.date | None = None
    exploitation_from: dt.date | None = None
    expands: bool = False
    ally: str = ""
    alliance_from: dt.date | None = None
    source_id: str = Field(min_length=1)
    notes: str = ""


class CrossingControlRow(Row):
    """From `date`, the irregular links between two places are controlled by `controller`."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, populate_by_name=True, allow_inf_nan=False
    )

    date: dt.date
    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    controller: str = Field(min_length=1)  # an organisation name, or "none"
    source_id: str = Field(min_length=1)
    notes: str = ""


class DrugRouteRow(Row):
    """A crossing (both directions, official and irregular links) on which an organisation that
    operates there forces some migrants to carry drugs."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, populate_by_name=True, allow_inf_nan=False
    )

    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    source_id: str = Field(min_length=1)
    notes: str = ""


class StateRow(Row):
    """A country's policing and corruption, for enforcement, and its effort to identify victims
    of trafficking relative to the parameter's base rate (1: as the base)."""

    iso3: str
    policing: float = Field(ge=0, le=1)
    corruption: float = Field(ge=0, le=1)
    identification: float = Field(default=1.0, ge=0, le=100)
    source_id: str = Field(min_length=1)
    notes: str = ""

    _check_iso3 = field_validator("iso3")(_iso3)


class EnforcementEventRow(Row):
    """A dated state action against an organisation (e.g. the 2023 Tocorón prison raid)."""

    date: dt.date
    kind: Literal["prison_raid", "crackdown"]
    organisation: str = Field(min_length=1)
    countries: str = "*"  # ISO3 codes separated by spaces, or * for every country
    magnitude: float = Field(default=1.0, ge=0, le=100)
    duration_days: int = Field(default=0, ge=0, le=36_500)
    source_id: str = Field(min_length=1)
    notes: str = ""


OPTIONAL_TABLES: dict[str, type[Row]] = {
    "initial_stock": InitialStockRow,
    "targets": TargetRow,
    "organisations": OrganisationRow,
    "crossing_controls": CrossingControlRow,
    "drug_routes": DrugRouteRow,
    "states": StateRow,
    "enforcement_events": EnforcementEventRow,
    "host_economy": HostEconomyRow,
    "host_population": HostPopulationRow,
    "host_policies": HostPolicyRow,
    "mobility": MobilityRow,
}

TABLES: dict[str, type[Row]] = {
    "countries": CountryRow,
    "locations": LocationRow,
    "routes": RouteRow,
    "border_regimes": BorderRegimeRow,
    "push_factors": PushFactorRow,
    "sources": SourceRow,
}
