"""How the takes read: wall time with its modes, ranges, drift, and the order the ranges allow."""
import itertools
import statistics

from slides.tools.bench.records import split_modes


def number(value, digits=2):
    return f'{value:,.{digits}f}'


def cell(point):
    """A table's cell: '2.51 (2.41–2.56)', '3.00 or 18.49 (4+1 takes)', 'failed', 'not measured'."""
    if point is None or not point.ok or len(point.modes) == 1:
        return ratio(point).replace(' × d', '')
    return (' or '.join(number(statistics.median(m)) for m in point.modes)
            + ' (' + '+'.join(f'{len(m)}' for m in point.modes) + ' takes)')


def ratio(point, short=False):
    """'2.51 × d (2.41–2.56)', '3.01 or 18.49 × d (4 and 1 of 5 takes)', 'failed' or
    'not measured'.  ``short``: without the brackets."""
    if point is None or point.skipped:
        return 'not measured'
    if not point.ok:
        return 'failed'
    modes = point.modes
    if len(modes) == 1:
        values = modes[0]
        text = f'{number(statistics.median(values))} × d'
        spread = f' ({number(values[0])}–{number(values[-1])})' if len(values) > 1 else ''
        return text + ('' if short else spread)
    text = ' or '.join(number(statistics.median(m)) for m in modes) + ' × d'
    counts = ' and '.join(f'{len(m)}' for m in modes)
    return text + ('' if short else f' ({counts} of {len(point.ratios)} takes)')


def cpu(point, spread=False):
    """'163 µs' of client CPU per request over all the takes; ``spread``: their range too."""
    if point is None or not point.ok:
        return '—'
    text = f'{point.cpu_us:,.0f} µs'
    values = sorted(t.cpu_us for t in point.timed)
    if spread and len(values) > 1:
        text += f' ({values[0]:,.0f}–{values[-1]:,.0f})'
    return text


def takes(point):
    """'6 takes in 3 rounds', 'one take'."""
    count, rounds = len(point.measured), len(point.rounds())
    if count == 1:
        return 'one take'
    return f'{count} takes' + (f' in {rounds} rounds' if rounds > 1 else '')


def listing(items):
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    return ', '.join(items[:-1]) + ' and ' + items[-1] if len(items) > 1 else ''.join(items)


def wall(take):
    return take.ratio


def values(point, value=wall):
    """``value`` of each take of ``point`` that has it: wall time every take that ran, CPU the
    takes whose CPU time is known."""
    return [value(t) for t in (point.measured if value is wall else point.timed)]


def machine_drift(found, value=wall):
    """How far the machine moved between rounds: the largest drift between the rounds' medians
    of the Points whose takes form one mode (a model's second mode is no drift); 0 if none ran
    in rounds."""
    drifts = [p.drift(value)[0] for p in found
              if p and p.ok and values(p, value) and len(split_modes(values(p, value))) == 1]
    return max((d for d in drifts if d is not None), default=0.0)


def apart(a, b, value=wall, drift=0.0):
    """Whether ``a`` is below ``b`` beyond the spread and the drift: every take of ``a`` below
    every take of ``b``, and the medians further apart than ``drift`` (the drift between rounds)."""
    if not max(values(a, value)) < min(values(b, value)):
        return False
    low, high = statistics.median(values(a, value)), statistics.median(values(b, value))
    return (high - low) / low > drift


def order(found, value=wall):
    """'uvloop < asyncio ≈ threads' of the Points that ran, lowest first (by the median of
    ``value``): ``<`` where every take of the one was below every take of the next and their
    medians lie further apart than the drift between rounds; ``≈`` otherwise."""
    done = sorted((p for p in found if p is not None and p.ok and values(p, value)),
                  key=lambda p: statistics.median(values(p, value)))
    if len(done) < 2:
        return 'too few measured to compare'
    drift = machine_drift(done, value)
    parts = [done[0].label]
    for lower, higher in itertools.pairwise(done):
        parts.append(('< ' if apart(lower, higher, value, drift) else '≈ ') + higher.label)
    return ' '.join(parts)


def drift(found):
    """"the rounds' medians up to 3% apart (uvloop); two takes of one round up to 1%" over the
    Points of one mode that ran in rounds ('' when none did)."""
    measured = [(p, *p.drift()) for p in found if p and p.ok and len(p.modes) == 1]
    measured = [(p, between, within) for p, between, within in measured if between is not None]
    if not measured:
        return ('' if not any(p and p.ok and len(p.rounds()) > 1 for p in found) else
                'not measured: the takes of every model in rounds split into modes')
    most = max(measured, key=lambda m: m[1])
    text = f'the rounds\' medians up to {most[1]:.0%} apart ({most[0].label})'
    within = [w for _, _, w in measured if w is not None]
    return text + (f'; two takes of one round up to {max(within):.0%}' if within else '')


def change(a, b, what):
    """'3.26 × d on 3.11, 2.76 × d on 3.14 (−15%), faster: every take below every one on 3.11'
    (and by more than the drift between rounds, where one was measured), or '…: ≈, ...'."""
    if not (a and b and a.ok and b.ok):
        return 'not measured on both'
    first, last = statistics.median(a.ratios), statistics.median(b.ratios)
    text = (f'{ratio(a, short=True)} on {what[0]}, {ratio(b, short=True)} on {what[1]} '
            f'({(last - first) / first:+.0%})')
    drift = machine_drift([a, b])
    beyond = f', by more than the drift ({drift:.0%})' if drift else ''
    if apart(b, a, drift=drift):
        return text + f', faster: every take below every one on {what[0]}{beyond}'
    if apart(a, b, drift=drift):
        return text + f', slower: every take above every one on {what[0]}{beyond}'
    if max(a.ratios) < min(b.ratios) or max(b.ratios) < min(a.ratios):
        return text + f': ≈, the takes apart by less than the drift ({drift:.0%})'
    return text + ': ≈, the takes overlap'
