"""`result.plot`: the report's figures straight from a Simulation result."""

from __future__ import annotations

import plotly.graph_objects as go


def test_plot_accessor_returns_figures(tiny_results):
    result = tiny_results[0]  # what trocha.Simulation(...).run() returns
    stocks = result.plot.stocks()
    assert isinstance(stocks, go.Figure)
    assert stocks.data and {t.name for t in stocks.data} <= {"COL", "PER", "ECU"}
    assert stocks.layout.yaxis.title.text == "people"
    corridor = result.plot.map()
    assert isinstance(corridor, go.Figure) and len(corridor.frames) == 18
    places = next(t for t in corridor.data if t.name == "migrants present")
    assert len(places.x) == 10
    for figure in (
        result.plot.world(),
        result.plot.flows(),
        result.plot.fees(),
        result.plot.revenue(),
        result.plot.victims(),
    ):
        assert isinstance(figure, go.Figure) and figure.data
