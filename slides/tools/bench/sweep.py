"""The sweep: which takes run in which order, within the time budget, with progress as it goes.

At the compared N, rounds: each round runs every model (and collector) in turn, then again in
the reverse order (``config.TAKES_PER_ROUND``), so that a drift of the machine over time falls on
every model alike and shows as a difference between rounds.  Elsewhere one take per point.
"""
import time

from slides.tools.bench.config import COMPARED, SWEEP_BUDGET
from slides.tools.bench.records import Take, find, points
from slides.tools.bench.run import LOOPS, RUN_TIMEOUT, measure

# A pool's point expected to take longer than this is not started: the estimate is d plus N
# times the CPU per request of its slowest take at the previous N, on one core.
RUN_BUDGET = 60
LEAST = 5                           # seconds a take needs at the least beyond d


def rounds(variants, n, count, per_round=1):
    """``(model, N, collector, round)`` of ``count`` rounds of the ``variants``
    (``(model, collector)``): each round in turn, its passes forwards then backwards,
    each round starting one model further on."""
    for number in range(1, count + 1):
        turn = (number - 1) % max(1, len(variants))
        order = variants[turn:] + variants[:turn]
        for k in range(per_round):
            yield from ((model, n, collector, number) for model, collector in
                        (order if k % 2 == 0 else order[::-1]))


def schedule(models, counts, compared=COMPARED, collectors=(), collector_models=('asyncio',),
             count=1, per_round=1):
    """Every take of a sweep in order: the N below ``compared``, one take per model; the
    rounds at ``compared``; then larger N, the event loops first (the pools may not fit)."""
    yield from ((m, n, 'default', 0) for n in counts if n < compared for m in models)
    if compared in counts:
        variants = [(m, 'default') for m in models]
        variants += [(m, c) for c in collectors for m in models if m in collector_models]
        yield from rounds(variants, compared, count, per_round)
    larger = [n for n in counts if n > compared]
    yield from ((m, n, 'default', 0) for m in models if m in LOOPS for n in larger)
    yield from ((m, n, 'default', 0) for m in models if m not in LOOPS for n in larger)


def skip_reason(model, n, done, delay, takes=1):
    """Why ``model`` is not run at N ('' to run it), from the Points ``done``: it failed or was
    not measured at a smaller N, or (the pools) its ``takes`` would pass RUN_BUDGET.  The event
    loops, which the slides quote at every N, always run."""
    earlier = [p for p in done if p.model == model and p.n < n and p.collector == 'default']
    if not earlier:
        return ''
    last = max(earlier, key=lambda p: p.n)
    if last.skipped:
        return f'not measured at N = {last.n:,} either'
    if not last.ok:
        return f'failed at N = {last.n:,}'
    worst = max(t.cpu_us for t in last.measured)
    estimate = takes * (delay + worst * n / 1e6)
    if estimate > RUN_BUDGET and model not in LOOPS:
        return (f'time budget: ~{estimate:.0f} s expected for {takes} take{"s" if takes > 1 else ""} '
                f'({worst:,.0f} µs of CPU per request at N = {last.n:,}, its slowest take), '
                f'over the {RUN_BUDGET} s a point gets')
    return ''


def sweep(models, plan, delay, fd_limit, limits, budget=SWEEP_BUDGET, say=print, python=''):
    """Run the takes of ``plan`` (``schedule``'s tuples) of ``models`` (``{name: function}``);
    return every Take, a skipped one too.  Says each take as it starts, with the time so far."""
    started, takes = time.monotonic(), []
    todo = list(plan)
    per_point = {}
    for key in todo:
        per_point[key[:3]] = per_point.get(key[:3], 0) + 1
    seen = {}
    for model, n, collector, number in todo:
        point = find(points(takes), model, n, collector)
        if point and not point.ok:
            continue                                # a failure ends its point's takes
        seen[(model, n, collector)] = seen.get((model, n, collector), 0) + 1
        elapsed = time.monotonic() - started
        left = budget - elapsed
        reason = '' if point else skip_reason(model, n, points(takes), delay,
                                              per_point[(model, n, collector)])
        if not reason and left < delay + LEAST:
            reason = f'time budget: the sweep had used {elapsed:.0f} of its {budget:g} s'
        where = (f'round {number}, take {seen[(model, n, collector)]} of '
                 f'{per_point[(model, n, collector)]}' if number else 'one take')
        label = f'{model}{"" if collector == "default" else f" ({collector})"} at N = {n:,}'
        if reason:
            if point is None:
                takes.append(Take(model=model, n=n, collector=collector, python=python,
                                  round=number, delay=delay, skipped=reason))
                say(f'[{elapsed:4.0f} s] {label}: not measured ({reason})')
            continue
        say(f'[{elapsed:4.0f} s] {label}, {where}')
        timeout = min(RUN_TIMEOUT, left)
        take = measure(model, models[model], n, delay, fd_limit, limits, collector=collector,
                       timeout=timeout)
        take.round = number
        if take.error.startswith('timed out') and timeout < RUN_TIMEOUT:     # cut by the budget
            take = Take(model=model, n=n, collector=collector, python=take.python, round=number,
                        delay=delay, skipped=f'time budget: stopped after {timeout:.0f} s, '
                                             f'at the end of the sweep\'s {budget:g} s')
        if not take.ok:
            say(f'         {take.skipped or "failed: " + (take.error or f"{take.failed:,} of {n:,}")}')
        if take.busy:                       # said now, so that a busy sweep can be stopped early
            say(f'         busy: other processes {take.others:.0%}, steal {take.steal:.0%} of the CPU')
        takes.append(take)
    return takes
