"""Border regimes: apply the dated entry regimes and re-route travellers when they change.

Routing tables are recomputed only on the days some regime changes (events.csv of the scenario).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..levers import Lever
from ..world.controlled_flow import controlled_flow_links
from ..world.regimes import build_regime_schedule
from .base import Module, next_of
from .host_policies import policy_values

if TYPE_CHECKING:
    from ..simulation import Simulation


class Borders(Module):
    """Regimes from border_regimes.csv, with interventions on top through the `border_access`
    lever: which document classes may use each official link (rule last: where interventions
    overlap, the one listed last wins). A country running a controlled flow (host_policies.csv
    `controlled_flow`) closes the links from its reception corridor into its cities
    (world/controlled_flow.py): irregular entrants cross it without settling."""

    name = "borders"
    parameters = ("journeys",)
    provides = ("routing",)
    levers = (
        Lever(
            "border_access",
            "link",
            "last",
            "allowed[document class, link] for official crossings; baseline: today's regimes",
        ),
    )

    def quiet_until(self, sim: Simulation, day: int) -> int:
        """Routing changes on the days a regime, a controlled flow or the border lever does."""
        return next_of(self._change_days, day)

    def init(self, sim: Simulation) -> None:
        self.schedule = build_regime_schedule(sim.scenario, sim.world, sim.calendar)
        self._change_days = {int(d) for d in self.schedule.change_days}
        self._change_days |= sim.levers.change_days("border_access")
        self.flow_rows = [r for r in sim.scenario.host_policies if r.policy == "controlled_flow"]
        self.country_index = {c: i for i, c in enumerate(sim.world.country_codes)}
        self.flow_links = {
            self.country_index[c]: controlled_flow_links(sim.world, self.country_index[c])
            for c in {r.country for r in self.flow_rows}
        }
        self._change_days |= {sim.calendar.in_force_from(r.date) for r in self.flow_rows}
        sim.borders_allowed = self.allowed(sim, 0)
        sim.reroute(new_regimes=True)
        for change in self.schedule.changes:
            if 0 <= change.day <= sim.last_day:
                sim.events.append(
                    (
                        change.day,
                        "border_regime",
                        "",
                        change.country,
                        f"entry into {change.country} from {change.from_country}: {change.regime} "
                        f"(source {change.source_id})",
                    )
                )

    def allowed(self, sim: Simulation, day: int) -> np.ndarray:
        """allowed[document class, link] on `day`: the regimes, the controlled flows in force,
        then the interventions active."""
        baseline = self.schedule.allowed(day, len(sim.world.link_from))
        if self.flow_rows:
            flow = policy_values(self.flow_rows, self.country_index, sim.calendar.date_of(day))
            for country, links in self.flow_links.items():
                if flow["controlled_flow"][country] > 0:
                    baseline[:, links] = False
        return sim.levers.value("border_access", day, baseline)

    def start_step(self, sim: Simulation, day: int) -> None:
        if day in self._change_days and day > 0:
            allowed = self.allowed(sim, day)
            if not np.array_equal(allowed, sim.borders_allowed):
                sim.borders_allowed = allowed
                sim.reroute(new_regimes=True)
