"""Codes shared by the kernels and the Python side, defined once.

Agent states (the `state` column of the people table) and link crossing kinds. Kernels import these
module-level integers; Numba treats them as compile-time constants.
"""

from __future__ import annotations

# Agent states.
EMPTY, TRAVELLING, STRANDED, SETTLED, RETURNED, DEAD, VICTIM = 0, 1, 2, 3, 4, 5, 6
STATE_NAMES = ("empty", "travelling", "stranded", "settled", "returned", "dead", "victim")

# Link crossing kinds (the `link_crossing` column of the world).
CROSSING_NONE, CROSSING_OFFICIAL, CROSSING_IRREGULAR = 0, 1, 2
CROSSINGS = ("none", "official", "irregular")

# Route classes: an agent's document class (world/regimes.py DOCUMENT_CLASSES) and its means
# tier (0 budget, 1 better-off; the `means` column) index the routing and choice tables as
# document + N_DOCUMENTS x means (world/means.py).
N_DOCUMENTS = 3
