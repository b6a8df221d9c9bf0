"""`result.plot`: the report's figures for a Result in a notebook (each call returns a Figure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import figures_run as fr
from .geography import Geography, geography_for

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ..results.tables import Result


class ResultPlots:
    """Figures of one run; the scenario (for observed targets and the map) is found by the
    manifest's name unless given."""

    def __init__(self, result: Result, scenario: str | None = None) -> None:
        self._result = result
        self._scenario = scenario
        self._geo: Geography | None = None

    def _geography(self) -> Geography | None:
        if self._geo is None:
            self._geo = geography_for(self._result.manifest, self._scenario)
        return self._geo

    def _targets(self):
        geo = self._geography()
        return geo.targets if geo is not None else None

    def stocks(self, top: int = 8) -> go.Figure:
        """Migrant stock by host country against the observed targets."""
        r = self._result
        return fr.stocks(r.timeseries, self._targets(), r.manifest.get("origin_country"), top)

    def world(self) -> go.Figure:
        return fr.world(self._result.timeseries, self._targets())

    def flows(self) -> go.Figure:
        return fr.flows(self._result.timeseries)

    def fees(self) -> go.Figure:
        return fr.fees(self._result.timeseries, self._result.events)

    def revenue(self) -> go.Figure:
        return fr.revenue(self._result.timeseries)

    def victims(self) -> go.Figure:
        return fr.victims(self._result.timeseries)

    def map(self) -> go.Figure:
        """The corridor month by month, with a time slider."""
        from .figures_map import corridor_map

        geo = self._geography()
        if geo is None:
            raise LookupError(
                f"scenario {self._result.manifest.get('scenario')!r} not found; "
                "use ResultPlots(result, scenario='path/to/scenario').map()"
            )
        return corridor_map(self._result, geo)
