"""Yearly market figures of one venezuela run: fees at named crossings, package prices, revenue.

    PYTHONPATH=src python tools/measure_market.py --scale 2000 --seed 1

Prints the yearly mean fee of the irregular links at the Cúcuta trochas, Tacna-Arica, the Rio
Grande (Ciudad Juárez and Matamoros), Pisiga-Colchane, the Darién and Desaguadero; the mean and
median package price on offer; each organisation revenue stream per year (USD million); and the
package start event.
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import pandas as pd

import trocha
from trocha.codes import CROSSING_IRREGULAR
from trocha.modules.base import Module
from trocha.modules.plan import default_modules

CROSSINGS = {
    "cucuta": [("San Antonio del Táchira", "Cúcuta"), ("Ureña", "Cúcuta")],
    "tacna_arica": [("Tacna", "Arica")],
    "rio_grande": [("Ciudad Juárez", "El Paso"), ("Matamoros", "Brownsville")],
    "pisiga_colchane": [("Pisiga", "Colchane")],
    "darien": [("Capurganá", "Bajo Chiquito")],
    "desaguadero": [("Desaguadero (PER)", "Desaguadero (BOL)")],
}
STREAMS = ("smuggling", "packages", "drugs", "exploitation", "extortion", "prison")


class MarketProbe(Module):
    """Reads fees and package prices weekly (changes nothing)."""

    name = "market_probe"

    def init(self, sim) -> None:
        w = sim.world
        self.links = {
            key: [
                int(link)
                for a, b in pairs
                for link in np.flatnonzero(
                    (w.link_from == w.location_index(a))
                    & (w.link_to == w.location_index(b))
                    & (w.link_crossing == CROSSING_IRREGULAR)
                )
            ]
            for key, pairs in CROSSINGS.items()
        }
        self.rows: list[dict] = []

    def update_results(self, sim, day: int) -> None:
        if day % 7:
            return
        eco = sim.economy
        row = {"year": (sim.start + dt.timedelta(days=day)).year}
        for key, links in self.links.items():
            row[key] = float(eco.link_fee[links].mean())
        offered = eco.package_price[eco.package_price > 0]
        row["package_mean"] = float(offered.mean()) if offered.size else np.nan
        row["package_median"] = float(np.median(offered)) if offered.size else np.nan
        self.rows.append(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    probe = MarketProbe()
    modules = default_modules()
    modules.insert(-1, probe)
    scenario = trocha.load_scenario("venezuela")
    sim = trocha.Simulation(scenario, seed=args.seed, scale=args.scale, modules=modules)
    result = sim.run()
    pd.set_option("display.width", 200)
    print("Yearly mean fee (USD) at irregular crossings, and packages on offer:")
    print(pd.DataFrame(probe.rows).groupby("year").mean().round(1).to_string())
    revenue = {}
    for stream in STREAMS:
        series = result.metric(f"revenue_{stream}")
        revenue[stream] = series.groupby(series.index.year).sum() / 1e6
    arrests = result.metric("drug_carrier_arrests")
    revenue["drug_arrests"] = arrests.groupby(arrests.index.year).sum()
    print("Revenue by stream (USD million) and drug carriers arrested (people):")
    print(pd.DataFrame(revenue).round(2).to_string())
    for day, kind, _, _, text in sim.events:
        if kind == "packages":
            print(sim.start + dt.timedelta(days=day), text)


if __name__ == "__main__":
    main()
