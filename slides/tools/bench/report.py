"""The report: what the rows say (figures for the slides), the CSV tables and the chart."""
import csv
import os

from slides.tools.bench.run import COLUMNS, plan
from slides.tools.bench.sweep import REPEATS

QUOTED = (10_000, 100_000)          # the N the slides quote
# Targets (printed beside the results, never asserted): (model, N, wall / d at most).
TARGETS = [('asyncio', 10_000, 2.6), ('uvloop', 10_000, 1.7),
           ('asyncio', 100_000, 12), ('uvloop', 100_000, 12)]
UNITS = {'processes': 'processes', 'threads': 'threads'}     # else: connections


def find(rows, model, n):
    return next((r for r in rows if r['model'] == model and r['N'] == n), None)


def ok_rows(rows, model):
    return [r for r in rows if r['model'] == model and r['result'] == 'ok']


def units(row):
    """What a model holds per request: processes, threads, or (event loops) connections."""
    return {'processes': row['peak processes'],
            'threads': row['peak threads']}.get(row['model'], row['N'])


def memory_per_unit(rows, model):
    """KiB of PSS per process, thread or connection, with its request: the slope of
    peak memory from the model's smallest complete one-process run to its largest
    one that had (nearly) every request in flight at once; the pools reuse a free
    worker before they start a new one, so a pool may hold fewer workers than N.
    None without two such runs."""
    single = sorted((r for r in ok_rows(rows, model) if r['client processes'] == 1),
                    key=lambda r: r['N'])
    if len(single) < 2:
        return None
    small, rest = single[0], single[1:]
    large = max([r for r in rest if units(r) >= 0.9 * r['N']] or rest, key=lambda r: r['N'])
    if units(large) <= units(small):
        return None
    return ((float(large['client peak MiB']) - float(small['client peak MiB'])) * 1024
            / (units(large) - units(small)))


def largest(rows, model):
    done = ok_rows(rows, model)
    return max(done, key=lambda r: r['N']) if done else None


def ratio(row, spread=False):
    """'5.69 × d', 'failed' or 'not run'; with ``spread``, the range of its takes too."""
    if row is None or row['result'].startswith('not run'):
        return 'not run'
    if row['result'] != 'ok':
        return 'failed'
    if spread and row.get('wall / d range'):
        return f'{row["wall / d"]} × d ({row["wall / d range"]})'
    return f'{row["wall / d"]} × d'


def short_failure(row):
    """'N = 30,000: 10,052 of 30,000 failed, open files per process: 20,000' and the like."""
    result = row['result']
    limit = result.split('; limit: ', 1)[1] if '; limit: ' in result else ''
    what = result.split(' (', 1)[0].removeprefix('failed: ')
    return f'N = {row["N"]:,}: {what} failed' + (f', {limit}' if limit else '')


def stops(rows, model):
    """Where ``model`` stopped, in words, from the rows."""
    mine = sorted((r for r in rows if r['model'] == model), key=lambda r: r['N'])
    for row in mine:
        if row['result'].startswith('failed'):
            return short_failure(row)
        if row['result'].startswith('not run'):
            return f'N = {row["N"]:,} ' + row['result'].split(' (')[0]
    return f'not reached at N = {mine[-1]["N"]:,}' if mine else 'not run'


def kib(value):
    if value is None:
        return '—'
    return f'{value / 1024:.1f} MiB' if value >= 1024 else f'{value:.0f} KiB' if value >= 10 \
        else f'{value:.1f} KiB'


def figures(rows, counts, delay, limits, fd_limit, repeats=REPEATS):
    """``{name: text}``: every number the slides quote, for substitution references."""
    fig = {'d': f'{delay:g} s', 'fd limit': f'{fd_limit:,}',
           'port range': f'{limits["ports"]:,}', 'somaxconn': f'{limits["somaxconn"]:,}',
           'pid_max': f'{limits["pid_max"]:,}', 'max_map_count': f'{limits["max_map_count"]:,}',
           'memory available': f'{limits["memory available MiB"] / 1024:.0f} GiB',
           'cores': f'{os.cpu_count()}',
           'repeats': f'{repeats}',
           'counts': ' and '.join(filter(None, [', '.join(f'{n:,}' for n in counts[:-1]),
                                                f'{counts[-1]:,}']))}
    for model in dict.fromkeys(r['model'] for r in rows):
        for n in dict.fromkeys([*QUOTED, *counts]):     # the names exist whatever ran
            row = find(rows, model, n)
            ok = row is not None and row['result'] == 'ok'
            fig[f'{model} {n} ratio'] = ratio(row, spread=True)
            fig[f'{model} {n} cpu'] = f'{int(row["client CPU µs/request"]):,} µs' if ok else '—'
            fig[f'{model} {n} MiB'] = f'{int(row["client peak MiB"]):,} MiB' if ok else '—'
            fig[f'{model} {n} gc'] = (gc_share(row) or '—') if ok else '—'
            clients, ports, _ = plan(model, n, fd_limit)
            fig[f'{model} {n} clients'] = f'{clients:,}'
            fig[f'{model} {n} ports'] = f'{ports:,}'
        fig[f'{model} each'] = kib(memory_per_unit(rows, model))
        fig[f'{model} stops'] = stops(rows, model)
        top = largest(rows, model)
        fig[f'{model} largest'] = f'{top["N"]:,}' if top else '—'
        fig[f'{model} peak'] = f'{units(top):,} {UNITS.get(model, "connections")}' if top else '—'
    top = largest(rows, 'threads')
    fig['threads at scale'] = (
        f'{top["N"]:,} requests on up to {top["N"]:,} threads ({units(top):,} at once): '
        f'{ratio(top, spread=True)}, {int(top["client peak MiB"]):,} MiB' if top
        else 'threads not measured')
    per_process = memory_per_unit(rows, 'processes')
    fig['processes fit'] = (f'{limits["memory available MiB"] * 1024 / per_process:,.0f}'
                            if per_process else '—')
    server = [float(r['server CPU µs/request']) for r in rows
              if r['result'] == 'ok' and r['N'] >= 1000]
    fig['server cpu'] = f'{sum(server) / len(server):.0f} µs' if server else '—'
    return fig


def gc_share(row):
    """The share of the client's CPU time its cycle collector took, as 'NN %' ('' unknown)."""
    if row.get('client GC s', '') == '' or not float(row['client CPU s'] or 0):
        return ''
    return f'{float(row["client GC s"]) / float(row["client CPU s"]) * 100:.0f} %'


def summary(rows, counts):
    """One sentence per N, for the speaker notes."""
    sentences = []
    for n in counts:
        parts = []
        for row in (r for r in rows if r['N'] == n):
            if row['result'] == 'ok':
                cpu = f'{int(row["client CPU µs/request"]):,} µs'
                first = not any('µs' in part for part in parts)
                if first:
                    cpu += ' of CPU per request'
                parts.append(f'{row["model"]} {ratio(row, spread=True)}, {cpu}')
            else:
                parts.append(f'{row["model"]} {ratio(row)}')
        if parts:
            sentences.append(f'At N = {n:,}: ' + '; '.join(parts) + '.')
    return ' '.join(sentences)


def write_csv(rows, path):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([row[c] for c in COLUMNS] for row in rows)


def write_table(rows, path, counts):
    """The slide's table: wall time, CPU per request and memory of each model at the given N."""
    models = list(dict.fromkeys(row['model'] for row in rows))
    header = ['model'] + [cell for n in counts for cell in (f'N = {n:,}', 'CPU µs', 'MiB')]
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for model in models:
            cells = [model]
            for n in counts:
                row = find(rows, model, n)
                ok = row is not None and row['result'] == 'ok'
                cells += [ratio(row, spread=True),
                          f'{int(row["client CPU µs/request"]):,}' if ok else '—',
                          f'{int(row["client peak MiB"]):,}' if ok else '—']
            writer.writerow(cells)


def stop_short(rows, model):
    """Where ``model`` stopped, for a table cell: '30,000: EMFILE', '1,000: not run' or '—'."""
    for row in sorted((r for r in rows if r['model'] == model), key=lambda r: r['N']):
        if row['result'].startswith('failed'):
            detail = row['result'].split('; limit: ')[0].partition(' (')[2].rstrip(')')
            kinds = [part.split(' × ')[-1] for part in detail.split('; ') if part]
            return f'{row["N"]:,}: ' + (', '.join(kinds) or 'failed')
        if row['result'].startswith('not run'):
            return f'{row["N"]:,}: not run'
    return '—'


def write_stops(rows, path):
    """The slide's second table: per model, the largest N answered in full, memory, where it stopped."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['model', 'all answered up to N', 'memory each', 'stopped at N'])
        for model in dict.fromkeys(row['model'] for row in rows):
            top = largest(rows, model)
            writer.writerow([model, f'{top["N"]:,}' if top else '—',
                             kib(memory_per_unit(rows, model)), stop_short(rows, model)])


def write_figures(fig, path):
    """reStructuredText substitution definitions: ``|asyncio 10000 ratio|`` and so on."""
    lines = ['.. Written by `make bench` (slides/tools/bench/report.py): do not edit.', '']
    lines += [f'.. |{name}| replace:: {text}' for name, text in fig.items()]
    path.write_text('\n'.join(lines) + '\n')


def write_chart(rows, path, delay):
    import matplotlib
    matplotlib.use('Agg')
    matplotlib.rcParams['svg.hashsalt'] = 'bench'      # reproducible SVG ids
    from matplotlib import pyplot as plt

    fig, (wall, memory) = plt.subplots(1, 2, figsize=(10, 4.2), layout='constrained')
    failures = []
    for model in dict.fromkeys(row['model'] for row in rows):
        done = ok_rows(rows, model)
        ns = [r['N'] for r in done]
        median = [float(r['wall / d']) for r in done]
        line, = wall.plot(ns, median, 'o-', label=model)
        spread = [[float(x) for x in r['wall / d range'].split('–')] if r.get('wall / d range')
                  else [m, m] for r, m in zip(done, median, strict=True)]
        wall.errorbar(ns, median, fmt='none', color=line.get_color(), capsize=3,
                      yerr=[[m - lo for m, (lo, _) in zip(median, spread, strict=True)],
                            [hi - m for m, (_, hi) in zip(median, spread, strict=True)]])
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


def write_outputs(rows, out, counts, delay, about, limits, fd_limit, repeats=REPEATS):
    out.mkdir(parents=True, exist_ok=True)
    quoted = [n for n in QUOTED if n in counts] or counts[-2:]
    write_csv(rows, out / 'bench.csv')
    write_table(rows, out / 'bench_table.csv', quoted)
    write_stops(rows, out / 'stops.csv')
    write_figures(figures(rows, counts, delay, limits, fd_limit, repeats), out / 'figures.txt')
    write_chart(rows, out / 'bench.svg', delay)
    (out / 'summary.txt').write_text(summary(rows, quoted) + f' (d = {delay:g} s.)\n')
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
        lines.append(f'target: {model} at N = {n:,} within {most:g} × d: '
                     f'{ratio(row)} ({verdict})')
    return lines
