"""Row indices of the counter arrays that kernels update and the recorder reads.

Counters change only when something happens (an arrival, a crossing), so recording a day costs
the number of countries, not the number of agents.
"""

# current[row, country]: people there now
PRESENT, MOVING, STRANDED_NOW = 0, 1, 2
N_CURRENT = 3

# daily[row, country]: events today (reset every day)
ARRIVALS, IRREGULAR, OFFICIAL, DEATHS, RETURNS, DEPARTURES, STRANDINGS = 0, 1, 2, 3, 4, 5, 6
N_DAILY = 7

# location[row, place]: people at each place now
LOC_PRESENT, LOC_STRANDED = 0, 1
N_LOCATION = 2
