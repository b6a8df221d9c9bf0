"""`trocha report`: one self-contained HTML file for a run or an experiment folder."""

from __future__ import annotations

from pathlib import Path

from .data import is_experiment, load_experiment
from .forecast import forecast_page_parts, is_forecast
from .html import render_page
from .sections import experiment_page_parts, run_page_parts


def report_html(folder: Path | str, scenario: str | None = None) -> str:
    """The report of a run directory, a compare/sweep/sensitivity folder or a forecast folder,
    as HTML text."""
    folder = Path(folder)
    if is_forecast(folder):
        title, subtitle, sections = forecast_page_parts(folder)
    elif is_experiment(folder):
        title, subtitle, sections = experiment_page_parts(load_experiment(folder))
    else:
        title, subtitle, sections = run_page_parts(folder, scenario)
    return render_page(title, subtitle, sections, inline_js=True)


def write_report(
    folder: Path | str, out: Path | str | None = None, scenario: str | None = None
) -> Path:
    """Write the report (default: `<folder>/report.html`) and return its path."""
    target = Path(out) if out is not None else Path(folder) / "report.html"
    text = report_html(folder, scenario)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
