"""One look for every figure: the Okabe-Ito colour-blind-safe palette and a plain layout."""

from __future__ import annotations

from typing import Any

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
# deficiencies.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
IRREGULAR = "#D55E00"
OFFICIAL = "#0072B2"
INTERNAL = "#999999"
CELL = "#CC79A7"
PRESENT = "#009E73"
STRANDED = "#E69F00"
FONT = "Helvetica, Arial, sans-serif"
GRID = "#E3E3E3"


def layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict:
    """A readable layout: titled axes with units, legend below, white background for print."""
    base = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": {"family": FONT, "size": 13},
        "colorway": OKABE_ITO,
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"title": {"text": x_title}, "gridcolor": GRID, "automargin": True},
        "yaxis": {
            "title": {"text": y_title},
            "rangemode": "tozero",
            "gridcolor": GRID,
            "automargin": True,
        },
        "legend": {"orientation": "h", "y": -0.24, "yanchor": "top"},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 40},
        "height": 420,
        "hovermode": "x unified",
    }
    base.update(extra)
    return base


def colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]
