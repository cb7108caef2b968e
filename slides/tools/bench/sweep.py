"""The sweep: every model at every N, several takes at the N the slides compare them at."""
import statistics

from slides.tools.bench.run import COLUMNS, LOOPS, measure

# A pool's run expected to take longer than this is not started (``make bench``
# has a time budget): the estimate is d plus N times its client CPU per request
# at the previous N, on one core.
RUN_BUDGET = 60
# At N = 10,000, the largest N every model but the process pool reaches and the
# one the slides compare them at, each model runs REPEATS takes; elsewhere one.
# A few takes are not enough there: threads vary several-fold from take to take.
REPEATS, REPEAT_AT = 5, (10_000,)


def skip_reason(model, n, done, delay, takes=1):
    """Why ``model`` is not run at N ('' to run it): it failed at a smaller N, or
    (the pools) its ``takes`` would take past RUN_BUDGET.  The event loops, which
    the slides quote at every N, always run."""
    earlier = [row for row in done if row['model'] == model and row['N'] < n]
    if not earlier:
        return ''
    last = max(earlier, key=lambda row: row['N'])
    if last['result'].startswith('not measured'):
        return f'not measured: not measured at N = {last["N"]:,} either'
    if last['result'] != 'ok':
        return f'not measured: failed at N = {last["N"]:,}'
    estimate = takes * (delay + float(last['client CPU µs/request']) * n / 1e6)
    if estimate > RUN_BUDGET and model not in LOOPS:
        return (f'not measured (time budget): ~{estimate:.0f} s expected for {takes} '
                f'take{"s" if takes > 1 else ""} ({last["client CPU µs/request"]} µs of CPU '
                f'per request at N = {last["N"]:,}), over the {RUN_BUDGET} s make bench gives a point')
    return ''


def spread(values):
    """'Q1–Q3' of the values (statistics' inclusive quartiles: of five, the 2nd and 4th)."""
    q1, _, q3 = statistics.quantiles(values, n=4, method='inclusive')
    return f'{q1:.2f}–{q3:.2f}'


def median_take(takes):
    """One row for the takes of a point: a failed take if any (a failure is never
    averaged away), else the median take by wall time (of two, the slower), with
    the number of takes, the interquartile range and the range of wall / d, and
    the median and interquartile range of the CPU per request over the takes
    (CPU and wall time vary apart); busy if any take was."""
    busy = sum(1 for take in takes if take['busy'])
    failed = [take for take in takes if take['result'] != 'ok']
    if failed:
        return {**failed[0], 'takes': len(takes)}
    ordered = sorted(takes, key=lambda take: float(take['wall / d']))
    row = dict(ordered[len(ordered) // 2])
    row['takes'] = len(takes)
    if busy:
        row['busy'] = f'busy ({busy} of {len(takes)} takes)'
    if len(takes) > 1:
        walls = [float(take['wall / d']) for take in ordered]
        row['wall / d IQR'] = spread(walls)
        row['wall / d range'] = f'{walls[0]:.2f}–{walls[-1]:.2f}'
        cpu = [float(take['client CPU µs/request']) for take in takes]
        q1, median, q3 = statistics.quantiles(cpu, n=4, method='inclusive')
        row['client CPU µs/request'] = f'{median:.0f}'
        row['CPU µs IQR'] = f'{q1:.0f}–{q3:.0f}'
    return row


def points(models, counts, repeat_at, collectors=(), collector_models=('asyncio',)):
    """``(name, N, collector)`` of every point: each model at each N with the default
    collector, then the ``collector_models`` with each other collector at ``repeat_at``."""
    yield from ((name, n, 'default') for n in counts for name in models)
    yield from ((name, n, collector) for collector in collectors for n in counts
                if n in repeat_at for name in models if name in collector_models)


def sweep(models, counts, delay, fd_limit, limits, show=print, repeats=REPEATS,
          repeat_at=REPEAT_AT, collectors=(), collector_models=('asyncio',)):
    """The rows for ``models`` (``{name: function}``) at every N of ``counts``."""
    rows = []
    for name, n, collector in points(models, counts, repeat_at, collectors, collector_models):
        count = repeats if n in repeat_at else 1
        reason = skip_reason(name, n, [r for r in rows if r['collector'] == collector], delay, count)
        if reason:
            row = dict.fromkeys(COLUMNS, '')
            row.update(model=name, N=n, collector=collector, result=reason)
        else:
            takes = []
            for _ in range(count):
                takes.append(measure(name, models[name], n, delay, fd_limit, limits,
                                     collector=collector))
                if takes[-1]['result'] != 'ok':     # a failure ends the takes
                    break
            row = median_take(takes)
        rows.append(row)
        show('  '.join(f'{c}={row[c]}' for c in COLUMNS if row[c] != ''))
    return rows
