"""The baselines a forecast of host stocks must beat (what a reviewer would ask for).

Both predict each host's share of the people abroad and multiply it by the observed total of the
hosts with data on the target date, so they are told the size of the exodus and judged only on
where people are: a test of distribution that favours them, not the model.

- **Persistence**: each host keeps its share at the forecast origin.
- **Gravity**: a Poisson (pseudo-maximum-likelihood) regression of the stocks at the origin on
  log distance from the origin country, log GDP per capita of the host in that year and log
  diaspora at the start of the scenario (the standard gravity model of migration, e.g. Beine,
  Bertoli & Fernández-Huertas Moraga 2016); shares are predicted with the target year's GDP.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy.optimize import minimize

from ..scenario.loader import Scenario
from .targets import LEVEL, Target


def host_stock_targets(targets: list[Target]) -> list[Target]:
    """Observed migrant stocks in single countries (not the world total)."""
    return [
        t for t in targets if t.metric == "migrant_stock" and t.country != "ALL" and t.kind == LEVEL
    ]


def stocks_on(targets: list[Target], date: dt.date) -> dict[str, float]:
    return {t.country: t.value for t in host_stock_targets(targets) if t.date == date}


def persistence(origin: dict[str, float], total: float) -> dict[str, float]:
    """Shares at the origin date times `total`."""
    whole = sum(origin.values())
    return {c: v / whole * total for c, v in origin.items()} if whole > 0 else {}


def _great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def country_distances(scenario: Scenario) -> dict[str, float]:
    """Km from the origin country's population centre to each country's most populous place."""
    origin = scenario.spec.origin_country
    home = [loc for loc in scenario.locations if loc.country == origin and loc.population > 0]
    weights = np.array([loc.population for loc in home], dtype=np.float64)
    lat = float(np.average([loc.lat for loc in home], weights=weights))
    lon = float(np.average([loc.lon for loc in home], weights=weights))
    out = {}
    for country in {loc.country for loc in scenario.locations} - {origin}:
        places = [loc for loc in scenario.locations if loc.country == country]
        biggest = max(places, key=lambda loc: loc.population)
        out[country] = float(_great_circle_km(lat, lon, biggest.lat, biggest.lon))
    return out


def initial_diaspora(scenario: Scenario) -> dict[str, float]:
    country_of = {loc.name: loc.country for loc in scenario.locations}
    out: dict[str, float] = {}
    for row in scenario.initial_stock:
        c = country_of[row.location]
        out[c] = out.get(c, 0.0) + row.people
    return out


def gdp_per_capita(scenario: Scenario, country: str, year: int) -> float | None:
    """The host's GDP per capita in `year` (the latest earlier year if that one is missing)."""
    rows = [r for r in scenario.host_economy if r.iso3 == country and r.year <= year]
    return max(rows, key=lambda r: r.year).gdp_per_capita_usd if rows else None


class Gravity:
    """Poisson gravity model of host stocks; fitted on one date, predicts shares for another."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.distance = country_distances(scenario)
        self.diaspora = initial_diaspora(scenario)
        self.coef: np.ndarray | None = None

    def usable(self, countries: list[str], year: int) -> list[str]:
        """The countries with every covariate (GDP per capita for `year`, a place to measure
        distance to)."""
        return [
            c
            for c in countries
            if c in self.distance and gdp_per_capita(self.scenario, c, year) is not None
        ]

    def features(self, countries: list[str], year: int) -> np.ndarray:
        """Rows [1, log km, log GDP per capita, log(1 + diaspora)] of usable countries."""
        rows = []
        for c in countries:
            gdp = gdp_per_capita(self.scenario, c, year)
            rows.append(
                [1.0, np.log(self.distance[c]), np.log(gdp), np.log1p(self.diaspora.get(c, 0.0))]
            )
        return np.array(rows)

    def fit(self, stocks: dict[str, float], year: int) -> bool:
        """Fit on the usable countries of `stocks`; False when too few are usable."""
        countries = self.usable(sorted(stocks), year)
        if len(countries) < 5:
            return False
        x = self.features(countries, year)
        y = np.array([stocks[c] for c in countries], dtype=np.float64)
        # Standardised covariates (not the intercept) keep the optimiser well conditioned.
        self.mean = x[:, 1:].mean(axis=0)
        self.sd = x[:, 1:].std(axis=0) + 1e-12
        z = x.copy()
        z[:, 1:] = (x[:, 1:] - self.mean) / self.sd
        scale = y.mean()

        def loss(beta):  # Poisson deviance up to constants, on y / mean(y)
            eta = np.clip(z @ beta, -50, 50)
            return float((np.exp(eta) - (y / scale) * eta).sum())

        def grad(beta):
            eta = np.clip(z @ beta, -50, 50)
            return z.T @ (np.exp(eta) - y / scale)

        result = minimize(loss, np.zeros(z.shape[1]), jac=grad, method="BFGS")
        self.coef = result.x
        return bool(result.success or np.isfinite(result.fun))

    def predict(self, countries: list[str], year: int, total: float) -> dict[str, float]:
        """Stocks of the usable `countries` in `year`, sharing `total` among them."""
        countries = self.usable(countries, year)
        if self.coef is None or not countries:
            return {}
        x = self.features(countries, year)
        z = x.copy()
        z[:, 1:] = (x[:, 1:] - self.mean) / self.sd
        weight = np.exp(np.clip(z @ self.coef, -50, 50))
        share = weight / weight.sum()
        return {c: float(s * total) for c, s in zip(countries, share, strict=True)}
