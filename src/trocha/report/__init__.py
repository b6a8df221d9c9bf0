"""Offline views of runs and experiments: Plotly figures, a self-contained HTML report, exports.

Plotly is imported inside the functions that draw, so `import trocha` stays light.
"""
