"""The report of ``make bench``: the figures the slides quote and the CSV tables, from the takes."""
import csv
import os
import statistics

from slides.tools.bench import text
from slides.tools.bench.client import THRESHOLD
from slides.tools.bench.config import BUSY_SHARE, COMPARED, QUOTED, SWEEP_BUDGET
from slides.tools.bench.records import find, points, write_takes
from slides.tools.bench.run import COLLECTORS, plan
from slides.tools.bench.sweep import RUN_BUDGET

UNITS = {'processes': 'processes', 'threads': 'threads'}     # else: connections
SERVER_CPU_LEAST = 0.3              # s: a take's server CPU read in 10 ms ticks, to 3% or better
HUNDREDS_OF_THOUSANDS = 200_000     # the least N that is "hundreds of thousands of connections"
CLIFF = 3                           # CPU per request this many times the smaller N's: a cliff


def models(found):
    return list(dict.fromkeys(p.model for p in found))


def defaults(found, model):
    """The model's Points with the default collector, by N."""
    return sorted((p for p in found if p.model == model and p.collector == 'default'), key=lambda p: p.n)


def largest(found, model):
    done = [p for p in defaults(found, model) if p.ok]
    return done[-1] if done else None


def held(point, at='peak'):
    """What a model holds per request: processes, threads, or (the loops) connections, at its
    peak of them or (``at='memory'``) when its memory peaked; the mean over the takes."""
    if point.model not in UNITS:
        return point.n
    return point.mean(f'{point.model}_at_peak' if at == 'memory' else f'peak_{point.model}')


def memory_per_unit(found, model, upto=None):
    """``(KiB, N from, N to)``: the slope of peak memory over what held it, from the model's smallest
    complete one-process point to its largest one up to ``upto`` (default: the largest that had
    nearly every request in flight at once).  None without two such points."""
    single = [p for p in defaults(found, model) if p.ok and p.measured[0].clients == 1]
    if upto:
        single = [p for p in single if p.n <= upto]
    if len(single) < 2:
        return None
    small, rest = single[0], single[1:]
    large = rest[-1] if upto else max([p for p in rest if held(p, 'memory') >= 0.9 * p.n] or rest,
                                       key=lambda p: p.n)
    if held(large, 'memory') <= held(small, 'memory'):
        return None
    return ((large.mean('peak_mib') - small.mean('peak_mib')) * 1024
            / (held(large, 'memory') - held(small, 'memory')), small.n, large.n)


def kib(each):
    if each is None:
        return '—'
    value = each[0]
    if value <= 0:
        return '—'
    return f'{value / 1024:.1f} MiB' if value >= 1024 else f'{value:.0f} KiB' if value >= 10 \
        else f'{value:.1f} KiB'


def in_flight(point):
    return f'{point.in_flight:,}' if point and point.ok else '—'


def stop(found, model, short=False):
    """Where ``model`` stopped: 'N = 30,000: 10,052 of 30,000 failed (EMFILE), open files…',
    'N = 100,000: not measured (time budget)', or every N answered; ``short``: for a cell."""
    for point in defaults(found, model):
        if point.skipped:
            why = 'time budget' if point.skipped.startswith('time budget') else 'after a failure'
            return f'{"" if short else "N = "}{point.n:,}: not measured ({why})'
        if not point.ok:
            take = point.failed
            kinds = ', '.join(take.failures) or take.error.split(' after ')[0] or 'failed'
            if short:
                return f'{point.n:,}: {kinds}'
            return (f'N = {point.n:,}: {take.failed:,} of {point.n:,} failed ({kinds})'
                    + (f', {take.limit}' if take.limit else ''))
    done = defaults(found, model)
    return '—' if short else (f'all answered up to N = {done[-1].n:,}' if done else 'not measured')


def threads_claim(found, compared=COMPARED):
    """The 2015 claim that threads hit limits "by just a few hundreds", against the points."""
    done = [p for p in defaults(found, 'threads') if p.ok]
    refuting = [p for p in done if p.n <= compared and p.in_flight >= 1000]
    if not refuting:
        return 'not refuted here: ' + (f'{done[-1].n:,} answered' if done else 'not measured')
    said = ('refuted at N = ' + ' and '.join(f'{p.n:,}' for p in refuting)
            + ' (' + ' and '.join(f'{p.in_flight:,}' for p in refuting) + ' threads in flight at once, '
            'every request answered)')
    top, base = done[-1], refuting[-1]
    if top.n > compared:
        cliff = ', a cliff' if top.cpu_us >= CLIFF * base.cpu_us else ''
        said += (f'; at N = {top.n:,} ({text.takes(top)}){cliff}: {text.ratio(top)}, '
                 f'{text.cpu(top)} of CPU per request against {text.cpu(base)} at {base.n:,}')
    return said


def loops_claim(found, fd_limit):
    """The 2015 claim that non-blocking I/O scales to "hundreds of thousands of connections":
    said held only where HUNDREDS_OF_THOUSANDS or more ran; else what was measured."""
    tops = [p for p in (largest(found, m) for m in ('asyncio', 'uvloop')) if p]
    if not tops:
        return 'not measured'
    n = max(p.n for p in tops)
    ran = ', '.join(f'{p.model} {text.ratio(p, short=True)}' for p in tops if p.n == n)
    clients = plan('asyncio', n, fd_limit)[0]
    where = (f'{n:,} requests, all answered and all in flight at once ({ran}, '
             f'{text.takes(tops[0])}, in {clients:,} processes of one loop each)')
    return (f'held: {where}' if n >= HUNDREDS_OF_THOUSANDS else
            f'not tested past N = {n:,}: {where}; this machine\'s {fd_limit:,} open files per '
            f'process and {plan("asyncio", n, fd_limit)[1]:,} server ports stop the harness there')


WAYS = {'default': 'as it comes', 'freeze': 'gc.freeze() after start-up',
        'threshold': f'gc.set_threshold({THRESHOLD:,})'}


def collectors(found, compared=COMPARED):
    """asyncio's CPU per request and its collector's seconds per take, each way, and their order."""
    done = [find(found, 'asyncio', compared, c) for c in COLLECTORS]
    done = [p for p in done if p and p.ok]
    parts = [f'{WAYS[p.collector]}: {text.cpu(p)}, the collector {p.mean_of("gc"):.2f} s of '
             f'{p.mean_of("cpu"):.2f} s CPU per take ({p.gc_share:.0%})' for p in done]
    for p in done:
        p.label = WAYS[p.collector]
    order = text.order(done, value=lambda t: t.cpu_us) if len(done) > 1 else ''
    return '; '.join(parts) or 'not measured', order


def collectors_effect(found, compared=COMPARED):
    """What each other way did to the collector's CPU and to all of it, beside the default."""
    base = find(found, 'asyncio', compared)
    if not (base and base.ok):
        return 'not measured'
    parts = []
    for way in COLLECTORS[1:]:
        other = find(found, 'asyncio', compared, way)
        if not (other and other.ok):
            continue
        drift = text.machine_drift([base, other], value=lambda t: t.cpu_us)
        cpu = ('less CPU' if text.apart(other, base, lambda t: t.cpu_us, drift) else
               'more CPU' if text.apart(base, other, lambda t: t.cpu_us, drift) else
               '≈ the same CPU, within the takes\' spread and the drift')
        before, after = base.mean_of('cpu'), other.mean_of('cpu')
        parts.append(f'{WAYS[way]} took the collector from {base.mean_of("gc"):.2f} to '
                     f'{other.mean_of("gc"):.2f} s a take, and all the CPU from {before:.2f} to '
                     f'{after:.2f} s ({(after - before) / before:+.0%}: {cpu})')
    return '; '.join(parts) or 'not measured'


def spreads(found):
    """'at most 2% (threads)': how far CPU per request varied between the takes of one Point in
    rounds (highest less lowest, over the median), at most, and where; past 100%, as a factor
    (highest over lowest: 'up to 22-fold (threads)')."""
    varied = []
    for p in found:
        values = sorted(t.cpu_us for t in p.timed) if p and p.ok else []
        if len(values) > 1:
            varied.append(((values[-1] - values[0]) / statistics.median(values), values[-1] / values[0], p.label))
    if not varied:
        return 'not measured'
    most, fold, where = max(varied)
    return f'at most {most:.0%} ({where})' if most < 1 else f'up to {fold:.0f}-fold ({where})'


def figures(takes, counts, limits, fd_limit, compared=COMPARED):
    """``{name: text}``: every number the slides quote, for substitution references."""
    found = points(takes)
    at = [find(found, m, compared) for m in models(found)]
    delay = next((t.delay for t in takes), 1.0)
    fig = {'d': f'{delay:g} s', 'fd limit': f'{fd_limit:,}', 'port range': f'{limits["ports"]:,}',
           'somaxconn': f'{limits["somaxconn"]:,}', 'pid_max': f'{limits["pid_max"]:,}',
           'max_map_count': f'{limits["max_map_count"]:,}', 'cores': f'{os.cpu_count()}',
           'memory available': f'{limits["memory available MiB"] / 1024:.0f} GiB',
           'compared': f'{compared:,}', 'run budget': f'{RUN_BUDGET} s', 'sweep budget': f'{SWEEP_BUDGET} s',
           'python': ', '.join(sorted({t.python for t in takes if t.python})) or '—',
           'counts': ', '.join(f'{n:,}' for n in counts), 'busy share': f'{BUSY_SHARE:.0%}',
           'compared takes': text.takes(next(p for p in at if p and p.ok)) if any(p and p.ok for p in at)
           else '—',
           'wall verdict': text.order(at), 'cpu verdict': text.order(at, value=lambda t: t.cpu_us), 'compared drift': text.drift(at) or 'not measured',
           'compared in flight': ', '.join(f'{p.model} {in_flight(p)}' for p in at if p and p.ok),
           'compared cpu spread': spreads(at)}
    for model in models(found):
        for n in dict.fromkeys([*QUOTED, *counts, 'compared']):     # the names exist whatever ran
            point = find(found, model, compared if n == 'compared' else n)
            ok = point is not None and point.ok
            fig[f'{model} {n} ratio'] = text.ratio(point, short=True)
            fig[f'{model} {n} range'] = text.ratio(point)
            fig[f'{model} {n} cpu'] = text.cpu(point)
            fig[f'{model} {n} MiB'] = f'{point.mean("peak_mib"):,.0f} MiB' if ok else '—'
            fig[f'{model} {n} in flight'] = in_flight(point)
            fig[f'{model} {n} takes'] = text.takes(point) if ok else '—'
            fig[f'{model} {n} clients'] = f'{plan(model, compared if n == "compared" else n, fd_limit)[0]:,}'
        fig[f'{model} each'] = kib(each := memory_per_unit(found, model))
        fig[f'{model} each from'] = f'N = {each[1]:,} to {each[2]:,}' if each else '—'
        fig[f'{model} each compared'] = kib(upto := memory_per_unit(found, model, upto=compared))
        fig[f'{model} each compared from'] = f'N = {upto[1]:,} to {upto[2]:,}' if upto else '—'
        fig[f'{model} stops'] = stop(found, model)
        top = largest(found, model)
        fig[f'{model} largest'] = f'{top.n:,}' if top else '—'
        fig[f'{model} peak in flight'] = in_flight(top)
    fig['asyncio collectors'], fig['asyncio collectors order'] = collectors(found, compared)
    fig['asyncio collectors effect'] = collectors_effect(found, compared)
    base = find(found, 'asyncio', compared)
    fig['asyncio gc share'] = f'{base.gc_share:.0%}' if base and base.ok and base.timed else '—'
    top = largest(found, 'threads')
    fig['threads at scale'] = (                         # blocking.rst quotes it
        f'{top.n:,} requests, {in_flight(top)} of them in flight at once: {text.ratio(top, short=True)} '
        f'({text.takes(top)}), {top.mean("peak_mib"):,.0f} MiB' if top else 'not measured')
    fig['threads claim'] = threads_claim(found, compared)
    fig['loops claim'] = loops_claim(found, fd_limit)
    server = [t for t in takes if t.ok and t.server_cpu >= SERVER_CPU_LEAST]
    fig['server cpu'] = (f'{sum(t.server_cpu for t in server) / sum(t.n for t in server) * 1e6:.0f} µs '
                         f'({len(server)} takes with {SERVER_CPU_LEAST} s of nginx CPU or more)'
                         if server else '—')
    return fig


def write_table(takes, path, quoted):
    """The slide's table: wall time, CPU per request, memory and requests in flight at the given N."""
    found = points(takes)
    header = ['model']
    for n in quoted:
        ok = [p for p in found if p.n == n and p.ok]
        header += [f'N = {n:,} ({text.takes(ok[0]) if ok else "—"}): × d', 'CPU µs', 'MiB', 'in flight']
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for model in models(found):
            cells = [model]
            for n in quoted:
                point = find(found, model, n)
                ok = point is not None and point.ok
                cells += [text.cell(point), text.cpu(point, spread=True).replace(' µs', ''),
                          f'{point.mean("peak_mib"):,.0f}' if ok else '—', in_flight(point)]
            writer.writerow(cells)


def write_stops(takes, path):
    """Per model: the largest N answered in full, in flight there, memory each, where it stopped."""
    found = points(takes)
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['model', 'all answered up to N', 'in flight at once',
                         'memory each', 'from N', 'failed or not measured at N'])
        for model in models(found):
            top, each = largest(found, model), memory_per_unit(found, model)
            writer.writerow([model, f'{top.n:,}' if top else '—', in_flight(top), kib(each),
                             f'{each[1]:,}–{each[2]:,}' if each else '—', stop(found, model, short=True)])


def write_figures(fig, path, source='make bench'):
    """reStructuredText substitution definitions: ``|asyncio 10000 ratio|`` and so on."""
    lines = [f'.. Written by `{source}` (slides/tools/bench/): do not edit.', '']
    lines += [f'.. |{name}| replace:: {value}' for name, value in fig.items()]
    path.write_text('\n'.join(lines) + '\n')


def write_outputs(takes, out, counts, about, limits, fd_limit, compared=COMPARED):
    from slides.tools.bench.chart import write_chart
    out.mkdir(parents=True, exist_ok=True)
    write_takes(takes, out / 'bench.csv')
    write_table(takes, out / 'bench_table.csv', [n for n in QUOTED if n in counts] or counts[-2:])
    write_stops(takes, out / 'stops.csv')
    write_figures(figures(takes, counts, limits, fd_limit, compared), out / 'figures.txt')
    write_chart(takes, out / 'bench.svg')
    (out / 'machine.txt').write_text(about + '\n')
