"""`result.plot`: the report's figures straight from a Simulation result."""

from __future__ import annotations

import plotly.graph_objects as go

from trocha.report.data import load_run
from trocha.results.tables import Result


def test_plot_accessor_returns_figures(tiny_run):
    run = load_run(tiny_run)
    result = Result(run.timeseries, run.locations, run.events, run.manifest)
    stocks = result.plot.stocks()
    assert isinstance(stocks, go.Figure)
    assert stocks.data and {t.name for t in stocks.data} <= {"COL", "PER", "ECU"}
    assert stocks.layout.yaxis.title.text == "people"
    corridor = result.plot.map()
    assert isinstance(corridor, go.Figure) and len(corridor.frames) == 18
