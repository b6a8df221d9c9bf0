"""Turn figures and tables into HTML with Jinja2; the same pieces serve the report and `serve`.

Nothing here reads the clock: the page carries only the run's own timestamps, so the same run
gives the same bytes.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


@dataclass
class Section:
    """One block of a page: a heading, a note saying what is shown, and its figure or table."""

    id: str
    title: str
    note: str
    body: str  # HTML


def figure_html(fig, div_id: str) -> str:
    """A Plotly figure as a <div> plus the call that draws it (plotly.js loaded by the page)."""
    import plotly.io as pio

    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config=CONFIG,
        auto_play=False,
        default_height=fig.layout.height or 420,
    )


def table_html(rows: list[tuple[str, Any]]) -> str:
    """A two-column key/value table, values shown as plain text (JSON for structures)."""
    cells = []
    for key, value in rows:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
        cells.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(text)}</td></tr>")
    return "<table class='card'>" + "".join(cells) + "</table>"


def frame_html(frame, float_format: str = "{:,.4g}") -> str:
    """A DataFrame as a plain HTML table (escaped)."""
    return frame.to_html(
        index=False,
        border=0,
        classes="data",
        float_format=float_format.format,
        na_rep="",
        escape=True,
    )


@cache
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@cache
def environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("trocha.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(
    title: str, subtitle: str, sections: list[Section], inline_js: bool = True, nav: str = ""
) -> str:
    """A whole page; `inline_js` puts plotly.js in the file (reports), else links /static."""
    template = environment().get_template("page.html.j2")
    return template.render(
        title=title,
        subtitle=subtitle,
        sections=sections,
        plotly_js=plotly_js() if inline_js else None,
        nav=nav,
    )
