"""The sweep: every model at every N, several takes at the N the slides compare them at."""
from slides.tools.bench.run import COLUMNS, LOOPS, measure

# A pool's run expected to take longer than this is not started (``make bench``
# has a time budget): the estimate is d plus N times its client CPU per request
# at the previous N, on one core.
RUN_BUDGET = 60
# At N = 10,000, the largest N every model but the process pool reaches and the
# one the slides compare them at, each model runs REPEATS takes; elsewhere one.
# One take is not enough there: threads vary several-fold from take to take.
REPEATS, REPEAT_AT = 3, (10_000,)


def skip_reason(model, n, done, delay):
    """Why ``model`` is not run at N ('' to run it): it failed at a smaller N, or
    (the pools) it would take past RUN_BUDGET.  The event loops, which the
    slides quote at every N, always run."""
    earlier = [row for row in done if row['model'] == model and row['N'] < n]
    if not earlier:
        return ''
    last = max(earlier, key=lambda row: row['N'])
    if last['result'].startswith('not run'):
        return f'not run: not run at N = {last["N"]:,} either'
    if last['result'] != 'ok':
        return f'not run: failed at N = {last["N"]:,}'
    estimate = delay + float(last['client CPU µs/request']) * n / 1e6
    if estimate > RUN_BUDGET and model not in LOOPS:
        return (f'not run: ~{estimate:.0f} s expected ({last["client CPU µs/request"]} µs '
                f'of CPU per request at N = {last["N"]:,}), over the {RUN_BUDGET} s '
                f'a run may take in make bench')
    return ''


def median_take(takes):
    """One row for the takes of a point: a failed take if any (a failure is never
    averaged away), else the median take by wall time (of two, the slower), with
    the number of takes and the range of wall / d."""
    failed = [take for take in takes if take['result'] != 'ok']
    if failed:
        return {**failed[0], 'takes': len(takes)}
    ordered = sorted(takes, key=lambda take: float(take['wall / d']))
    row = dict(ordered[len(ordered) // 2])
    row['takes'] = len(takes)
    if len(takes) > 1:
        row['wall / d range'] = f'{ordered[0]["wall / d"]}–{ordered[-1]["wall / d"]}'
    return row


def sweep(models, counts, delay, fd_limit, limits, show=print, repeats=REPEATS,
          repeat_at=REPEAT_AT):
    """The rows for ``models`` (``{name: function}``) at every N of ``counts``."""
    rows = []
    for n in counts:
        for name, model in models.items():
            reason = skip_reason(name, n, rows, delay)
            if reason:
                row = dict.fromkeys(COLUMNS, '')
                row.update(model=name, N=n, result=reason)
            else:
                takes = []
                for _ in range(repeats if n in repeat_at else 1):
                    takes.append(measure(name, model, n, delay, fd_limit, limits))
                    if takes[-1]['result'] != 'ok':     # a failure ends the takes
                        break
                row = median_take(takes)
            rows.append(row)
            show('  '.join(f'{c}={row[c]}' for c in COLUMNS if row[c] != ''))
    return rows
