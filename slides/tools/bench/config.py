"""What the measured slides compare, each in one place (the Makefile and .ci/bench pass none of it)."""

DELAY = 1.0                         # d: seconds nginx waits before each answer
COUNTS = (10, 100, 1_000, 10_000, 30_000, 100_000)     # the N of `make bench`
COMPARED = 10_000                   # the N the slides compare the models at, in rounds
QUOTED = (10_000, 100_000)          # the N of the slide's table
HEADLINE = '3.14'                   # the Python the measured slides are taken on
PYTHONS = ('3.11', '3.12', '3.13', '3.14', '3.15')      # "same code, newer Python"
# Rounds at COMPARED: each round runs TAKES_PER_ROUND takes of every model (and collector),
# in turn, the second pass in the reverse order, so that a drift over time falls on every
# model alike; between rounds, the drift; within a round, the spread.
ROUNDS, TAKES_PER_ROUND = 3, 2
# bench-versions: one take of each model on each Python per round, the Pythons in turn.
VERSIONS_ROUNDS = 5
VERSIONS_MODELS = ('threads', 'asyncio', 'uvloop')
# bench-versions starts a round only if it would end within this many seconds.
VERSIONS_BUDGET = 840
# bench-check: the comparison again, one take of each model per round, within its budget.
CHECK_ROUNDS = 3
CHECK_BUDGET = 150
# The whole of `make bench` may take this long: a take that would end past it is not started.
SWEEP_BUDGET = 540
# Two takes of one point belong to different modes when the slower one took more than
# MODE_GAP times the faster one's wall time and no take lies between (sorted, a gap that wide).
MODE_GAP = 2.0
# A run is busy when other processes, or the hypervisor (steal), took more than this share
# of the machine's CPU time while it ran: its figures are not this machine's alone.
BUSY_SHARE = 0.05
