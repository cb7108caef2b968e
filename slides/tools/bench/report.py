"""The report: what the rows say (figures for the slides), the CSV tables and the chart."""
import csv
import itertools
import os

from slides.tools.bench.run import COLLECTORS, COLUMNS, plan
from slides.tools.bench.sweep import REPEATS, RUN_BUDGET

QUOTED = (10_000, 100_000)          # the N the slides quote
COMPARED = 10_000                   # the N the slides compare the models at
# Targets (printed beside the results, never asserted): (model, N, wall / d at most), on 3.14.
TARGETS = [('asyncio', 10_000, 3.0), ('uvloop', 10_000, 2.2)]
UNITS = {'processes': 'processes', 'threads': 'threads'}     # else: connections
INT_COLUMNS = ('N', 'client processes', 'server ports', 'server workers', 'takes',
               'processes at peak MiB', 'threads at peak MiB', 'peak processes', 'peak threads', 'peak in flight',
               'answered', 'timeouts', 'refused', 'resets', 'other failures')


def read_csv(path):
    """The rows of a bench.csv (or versions.csv), with numbers where the harness has them."""
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column in INT_COLUMNS:
            if row.get(column):
                row[column] = int(row[column])
    return rows


def find(rows, model, n, collector='default'):
    return next((r for r in rows if r['model'] == model and r['N'] == n
                 and r['collector'] == collector), None)


def ok_rows(rows, model):
    return [r for r in rows if r['model'] == model and r['result'] == 'ok'
            and r['collector'] == 'default']


def units(row, at='peak'):
    """What a model holds per request: processes, threads, or (event loops) connections;
    ``at='memory'``: those that held the peak memory."""
    if row['model'] in UNITS:
        return row[f'{row["model"]} at peak MiB' if at == 'memory' else f'peak {row["model"]}']
    return row['N']


def memory_per_unit(rows, model):
    """``(KiB, N from, N to)``: PSS per process, thread or connection, with its request:
    the slope of peak memory from the model's smallest complete one-process run to
    its largest one that had (nearly) every request in flight at once (a pool
    reuses a free worker before it starts a new one).  None without two such runs."""
    single = sorted((r for r in ok_rows(rows, model) if r['client processes'] == 1),
                    key=lambda r: r['N'])
    if len(single) < 2:
        return None
    small, rest = single[0], single[1:]
    large = max([r for r in rest if units(r, 'memory') >= 0.9 * r['N']] or rest, key=lambda r: r['N'])
    if units(large, 'memory') <= units(small, 'memory'):
        return None
    return ((float(large['client peak MiB']) - float(small['client peak MiB'])) * 1024
            / (units(large, 'memory') - units(small, 'memory')), small['N'], large['N'])


def largest(rows, model):
    done = ok_rows(rows, model)
    return max(done, key=lambda r: r['N']) if done else None


def ratio(row, spread=False):
    """'2.81 × d', 'failed' or 'not measured'; with ``spread``, the IQR of its takes too."""
    if row is None or row['result'].startswith('not measured'):
        return 'not measured'
    if row['result'] != 'ok':
        return 'failed'
    if spread and row.get('wall / d IQR'):
        return f'{row["wall / d"]} × d (IQR {row["wall / d IQR"]})'
    return f'{row["wall / d"]} × d'


def cpu(row, spread=False):
    """'190 µs' of client CPU per request; with ``spread``, the IQR of its takes too."""
    text = f'{int(row["client CPU µs/request"]):,} µs'
    return text + (f' (IQR {row["CPU µs IQR"]})' if spread and row.get('CPU µs IQR') else '')


def short_failure(row):
    """'N = 30,000: 10,052 of 30,000 failed, open files per process: 20,000' and the like."""
    result = row['result']
    limit = result.split('; limit: ', 1)[1] if '; limit: ' in result else ''
    what = result.split(' (', 1)[0].removeprefix('failed: ')
    return f'N = {row["N"]:,}: {what} failed' + (f', {limit}' if limit else '')


def stops(rows, model):
    """Where ``model`` stopped or was not measured, in words, from the rows."""
    mine = sorted((r for r in rows if r['model'] == model and r['collector'] == 'default'),
                  key=lambda r: r['N'])
    for row in mine:
        if row['result'].startswith('failed'):
            return short_failure(row)
        if row['result'].startswith('not measured'):
            return f'N = {row["N"]:,}: ' + row['result'].split(':')[0]
    return f'all answered up to N = {mine[-1]["N"]:,}' if mine else 'not measured'


def kib(value):
    if value is None:
        return '—'
    return f'{value / 1024:.1f} MiB' if value >= 1024 else f'{value:.0f} KiB' if value >= 10 \
        else f'{value:.1f} KiB'


def in_flight(row):
    """'3,140' requests in flight at once at the peak ('—' unknown)."""
    return f'{int(row["peak in flight"]):,}' if row and row.get('peak in flight') != '' else '—'


def overlap(a, b):
    """Whether the wall / d IQRs of two rows overlap (a row with one take: its value)."""
    def bounds(row):
        low, _, high = (row.get('wall / d IQR') or f'{row["wall / d"]}–{row["wall / d"]}').partition('–')
        return float(low), float(high)
    (a_low, a_high), (b_low, b_high) = bounds(a), bounds(b)
    return a_low <= b_high and b_low <= a_high


def wall_verdict(rows, n=COMPARED):
    """The models by wall time at N: 'uvloop < asyncio ≈ threads', where ``<`` says the
    interquartile ranges of their takes do not overlap and ``≈`` that they do."""
    done = sorted((find(rows, model, n) for model in dict.fromkeys(r['model'] for r in rows)),
                  key=lambda r: float(r['wall / d']) if r and r['result'] == 'ok' else float('inf'))
    done = [r for r in done if r and r['result'] == 'ok']
    if len(done) < 2:
        return 'too few models measured to compare'
    parts = [done[0]['model']]
    for faster, slower in itertools.pairwise(done):
        parts.append(('≈ ' if overlap(faster, slower) else '< ') + slower['model'])
    return ' '.join(parts)


def threads_claim(rows):
    """The 2015 claim that threads hit limits "by just a few hundreds", against the rows."""
    top = largest(rows, 'threads')
    if top is None:
        return 'not measured'
    held = f'all {top["N"]:,} requests answered, {in_flight(top)} in flight at once'
    return ('refuted: ' if top['peak in flight'] != '' and int(top['peak in flight']) >= 1000
            else 'not refuted here: ') + held


def loops_claim(rows, fd_limit):
    """The 2015 claim that non-blocking I/O scales to "hundreds of thousands of connections"."""
    tops = [top for top in (largest(rows, model) for model in ('asyncio', 'uvloop')) if top]
    if not tops:
        return 'not measured'
    top = max(tops, key=lambda row: row['N'])
    clients = plan(top['model'], top['N'], fd_limit)[0]
    where = f'{top["N"]:,} answered on {top["model"]}, {in_flight(top)} in flight at once'
    if top['N'] >= 100_000:
        return (f'held as far as measured: {where}, in {clients:,} processes of one loop each; '
                f'N stops at {top["N"]:,}')
    return f'not shown: {where}, the largest N measured'


def gc_share(row):
    """The share of the client's CPU time its cycle collector took, as 'NN%' ('' unknown)."""
    if row.get('client GC s', '') == '' or not float(row['client CPU s'] or 0):
        return ''
    return f'{float(row["client GC s"]) / float(row["client CPU s"]) * 100:.0f}%'


def figures(rows, counts, delay, limits, fd_limit, repeats=REPEATS, compared=COMPARED):
    """``{name: text}``: every number the slides quote, for substitution references;
    ``|asyncio compared ratio|`` and the like are those at N = ``compared``."""
    pythons = sorted({r['python'] for r in rows if r['python']})
    fig = {'d': f'{delay:g} s', 'fd limit': f'{fd_limit:,}',
           'port range': f'{limits["ports"]:,}', 'somaxconn': f'{limits["somaxconn"]:,}',
           'pid_max': f'{limits["pid_max"]:,}', 'max_map_count': f'{limits["max_map_count"]:,}',
           'memory available': f'{limits["memory available MiB"] / 1024:.0f} GiB',
           'cores': f'{os.cpu_count()}', 'repeats': f'{repeats}', 'compared': f'{compared:,}',
           'python': ', '.join(pythons) or '—',
           'counts': ' and '.join(filter(None, [', '.join(f'{n:,}' for n in counts[:-1]),
                                                f'{counts[-1]:,}'])),
           'wall verdict': wall_verdict(rows, compared), 'run budget': f'{RUN_BUDGET} s'}
    for model in dict.fromkeys(r['model'] for r in rows):
        for n in dict.fromkeys([*QUOTED, *counts, 'compared']):     # the names exist whatever ran
            at = compared if n == 'compared' else n
            row = find(rows, model, at)
            ok = row is not None and row['result'] == 'ok'
            fig[f'{model} {n} ratio'] = ratio(row, spread=True)
            fig[f'{model} {n} cpu'] = cpu(row, spread=True) if ok else '—'
            fig[f'{model} {n} MiB'] = f'{int(row["client peak MiB"]):,} MiB' if ok else '—'
            fig[f'{model} {n} gc'] = (gc_share(row) or '—') if ok else '—'
            fig[f'{model} {n} in flight'] = in_flight(row) if ok else '—'
            clients, ports, _ = plan(model, at, fd_limit)
            fig[f'{model} {n} clients'] = f'{clients:,}'
            fig[f'{model} {n} ports'] = f'{ports:,}'
        each = memory_per_unit(rows, model)
        fig[f'{model} each'] = kib(each and each[0])
        fig[f'{model} each from'] = f'N = {each[1]:,} to {each[2]:,}' if each else '—'
        fig[f'{model} stops'] = stops(rows, model)
        top = largest(rows, model)
        fig[f'{model} largest'] = f'{top["N"]:,}' if top else '—'
        fig[f'{model} peak'] = f'{units(top):,} {UNITS.get(model, "connections")}' if top else '—'
        fig[f'{model} peak in flight'] = in_flight(top)
    for collector in COLLECTORS[1:]:                    # asyncio's collector, other ways
        row = find(rows, 'asyncio', compared, collector)
        ok = row is not None and row['result'] == 'ok'
        fig[f'asyncio compared {collector} ratio'] = ratio(row, spread=True)
        fig[f'asyncio compared {collector} cpu'] = cpu(row, spread=True) if ok else '—'
        fig[f'asyncio compared {collector} gc'] = (gc_share(row) or '—') if ok else '—'
    top = largest(rows, 'threads')
    fig['threads at scale'] = (                         # blocking.rst quotes it
        f'{top["N"]:,} requests, {in_flight(top)} of them in flight at once: '
        f'{ratio(top, spread=True)}, {int(top["client peak MiB"]):,} MiB' if top else 'not measured')
    fig['threads claim'] = threads_claim(rows)
    fig['loops claim'] = loops_claim(rows, fd_limit)
    per_process = memory_per_unit(rows, 'processes')
    fig['processes fit'] = (f'{limits["memory available MiB"] * 1024 / per_process[0]:,.0f}'
                            if per_process else '—')
    server = [float(r['server CPU µs/request']) for r in rows
              if r['result'] == 'ok' and r['N'] >= 1000]
    fig['server cpu'] = f'{sum(server) / len(server):.0f} µs' if server else '—'
    return fig


def write_csv(rows, path):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([row[c] for c in COLUMNS] for row in rows)


def write_table(rows, path, counts):
    """The slide's table: wall time, CPU per request, memory and requests in flight at the given N."""
    models = list(dict.fromkeys(row['model'] for row in rows))
    header = ['model'] + [cell for n in counts
                          for cell in (f'N = {n:,}: × d', 'CPU µs', 'MiB', 'in flight')]
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for model in models:
            cells = [model]
            for n in counts:
                row = find(rows, model, n)
                ok = row is not None and row['result'] == 'ok'
                wall = (f'{row["wall / d"]} ({row["wall / d IQR"]})' if ok and row.get('wall / d IQR')
                        else row['wall / d'] if ok else ratio(row))
                cpu_cell = (f'{int(row["client CPU µs/request"]):,}'
                            + (f' ({row["CPU µs IQR"]})' if row.get('CPU µs IQR') else '')) if ok else '—'
                cells += [wall, cpu_cell, f'{int(row["client peak MiB"]):,}' if ok else '—',
                          in_flight(row) if ok else '—']
            writer.writerow(cells)


def stop_short(rows, model):
    """Where ``model`` stopped, for a table cell: '30,000: EMFILE', '10,000: not measured
    (time budget)' or '—'."""
    for row in sorted((r for r in rows if r['model'] == model and r['collector'] == 'default'),
                      key=lambda r: r['N']):
        if row['result'].startswith('failed'):
            detail = row['result'].split('; limit: ')[0].partition(' (')[2].rstrip(')')
            kinds = [part.split(' × ')[-1] for part in detail.split('; ') if part]
            return f'{row["N"]:,}: ' + (', '.join(kinds) or 'failed')
        if row['result'].startswith('not measured'):
            return f'{row["N"]:,}: ' + row['result'].split(':')[0]
    return '—'


def write_stops(rows, path):
    """The slide's second table: per model, the largest N answered in full, the requests
    in flight at once there, memory each, and the first N it failed or was not measured at."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['model', 'all answered up to N', 'in flight at once',
                         'memory each', 'from N', 'failed or not measured at N'])
        for model in dict.fromkeys(row['model'] for row in rows):
            top, each = largest(rows, model), memory_per_unit(rows, model)
            writer.writerow([model, f'{top["N"]:,}' if top else '—', in_flight(top),
                             kib(each and each[0]), f'{each[1]:,}–{each[2]:,}' if each else '—',
                             stop_short(rows, model)])


def write_figures(fig, path, source='make bench'):
    """reStructuredText substitution definitions: ``|asyncio 10000 ratio|`` and so on."""
    lines = [f'.. Written by `{source}` (slides/tools/bench/): do not edit.', '']
    lines += [f'.. |{name}| replace:: {text}' for name, text in fig.items()]
    path.write_text('\n'.join(lines) + '\n')


def error_bars(axes, xs, rows, color):
    """The median of each row, and a bar over the interquartile range of its takes."""
    median = [float(r['wall / d']) for r in rows]
    spread = [[float(x) for x in r['wall / d IQR'].split('–')] if r.get('wall / d IQR')
              else [m, m] for r, m in zip(rows, median, strict=True)]
    # Of an even number of takes, the median row is the slower middle one, which may lie past Q3.
    axes.errorbar(xs, median, fmt='none', color=color, capsize=3,
                  yerr=[[max(0, m - lo) for m, (lo, _) in zip(median, spread, strict=True)],
                        [max(0, hi - m) for m, (_, hi) in zip(median, spread, strict=True)]])


def pyplot():
    import matplotlib
    matplotlib.use('Agg')
    matplotlib.rcParams['svg.hashsalt'] = 'bench'      # reproducible SVG ids
    from matplotlib import pyplot as plt
    return plt


def write_chart(rows, path, delay):
    plt = pyplot()
    fig, (wall, memory) = plt.subplots(1, 2, figsize=(10, 4.2), layout='constrained')
    failures = []
    for model in dict.fromkeys(row['model'] for row in rows):
        done = ok_rows(rows, model)
        ns = [r['N'] for r in done]
        line, = wall.plot(ns, [float(r['wall / d']) for r in done], 'o-', label=model)
        error_bars(wall, ns, done, line.get_color())
        memory.plot(ns, [float(r['client peak MiB']) for r in done], 'o-', color=line.get_color())
        failures += [(r, line.get_color()) for r in rows
                     if r['model'] == model and r['result'].startswith('failed')]
    wall.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    wall.set(ylabel=f'wall time / d   (d = {delay:g} s)', title='time (1 = ideal)')
    memory.set(ylabel='peak memory of the client (PSS), MiB', title='memory')
    ns = sorted({row['N'] for row in rows})
    for axes in (wall, memory):
        axes.set(xscale='log', yscale='log', xlabel='N concurrent requests')
        axes.set_xticks(ns, [f'{n / 1000:g}k' if n >= 1000 else f'{n}' for n in ns])
        axes.minorticks_off()
    top = wall.get_ylim()[1]
    for row, color in failures:          # a failure is a cross at its N, never a point on a line
        wall.plot([row['N']], [top], 'X', markersize=11, color=color, clip_on=False)
    if failures:
        wall.plot([], [], 'X', color='grey', label='failed (see table)')
    wall.legend()
    for axes, ticks in ((wall, [1, 2, 5, 10, 20, 50, 100]),
                        (memory, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])):
        low, high = axes.get_ylim()
        shown = [t for t in ticks if low <= t <= high]
        axes.set_yticks(shown, [f'{t:,}' for t in shown])
        axes.grid(True, alpha=0.3)
    fig.savefig(path, metadata={'Date': None, 'Creator': None})
    plt.close(fig)


def write_outputs(rows, out, counts, delay, about, limits, fd_limit, repeats=REPEATS, compared=COMPARED):
    out.mkdir(parents=True, exist_ok=True)
    quoted = [n for n in QUOTED if n in counts] or counts[-2:]
    write_csv(rows, out / 'bench.csv')
    write_table(rows, out / 'bench_table.csv', quoted)
    write_stops(rows, out / 'stops.csv')
    write_figures(figures(rows, counts, delay, limits, fd_limit, repeats, compared), out / 'figures.txt')
    write_chart(rows, out / 'bench.svg', delay)
    (out / 'machine.txt').write_text(about + '\n')


def targets(rows):
    lines = []
    for model, n, most in TARGETS:
        row = find(rows, model, n)
        if row is None:
            continue
        got = float(row['wall / d']) if row['wall / d'] else None
        verdict = ('met' if got is not None and got <= most and row['result'] == 'ok'
                   else 'missed')
        lines.append(f'target: {model} at N = {n:,} within {most:g} × d on Python 3.14: '
                     f'{ratio(row, spread=True)} on Python {row["python"] or "—"} ({verdict})')
    return lines
