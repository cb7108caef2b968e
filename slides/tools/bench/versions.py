"""Same code, newer Python: the models at one N on every Python, from versions.csv.

    python -m slides.tools.bench.versions DIR       (``make bench-versions`` runs it last)

Each Python's run puts its rows into DIR/versions.csv (``--versions``); this
writes versions_table.csv, versions.svg and versions.txt (the figures) from it.
"""
import csv
import sys
from pathlib import Path

from slides.tools.bench.report import error_bars, pyplot, ratio, read_csv, write_figures
from slides.tools.bench.run import COLUMNS

HEADLINE = '3.14'                   # the Python the measured slides are taken on; compared with the oldest


def minor(version):
    """'3.14' of '3.14.10'."""
    return '.'.join(version.split('.')[:2])


def order(version):
    return tuple(int(part) for part in version.split('.')[:3] if part.isdigit())


def merge_versions(rows, path):
    """Put ``rows`` (one Python's) into the CSV at ``path``, replacing that Python's earlier rows
    and any row at another N (another measurement)."""
    mine = [row for row in rows if row['collector'] == 'default']
    pythons, counts = {minor(row['python']) for row in mine}, {row['N'] for row in mine}
    kept = [row for row in (read_csv(path) if path.exists() else [])
            if minor(row['python']) not in pythons and row['N'] in counts]
    merged = sorted(kept + mine, key=lambda row: order(row['python']))
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([row.get(c, '') for c in COLUMNS] for row in merged)


def cell(row):
    if row is None:
        return 'not measured'
    if row['result'] != 'ok':
        return 'failed'
    return f'{row["wall / d"]} ({row["wall / d IQR"]})' if row.get('wall / d IQR') else row['wall / d']


def table(rows):
    """``(models, [(python, {model: row})])`` in the order of the rows."""
    models = list(dict.fromkeys(row['model'] for row in rows))
    pythons = {}
    for row in rows:
        pythons.setdefault(row['python'], {})[row['model']] = row
    return models, list(pythons.items())


def write_table(rows, path):
    models, pythons = table(rows)
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['Python', *(what for model in models for what in (f'{model} × d (IQR)', 'CPU µs'))])
        for python, found in pythons:
            writer.writerow([python, *(text for model in models
                                       for text in (cell(found.get(model)), cpu_cell(found.get(model))))])


def cpu_cell(row):
    """The median CPU µs per request (its IQR is in versions.csv)."""
    return '—' if row is None or row['result'] != 'ok' else f'{int(row["client CPU µs/request"]):,}'


def figures(rows):
    models, pythons = table(rows)
    takes = sorted({row['takes'] for row in rows if row['takes'] != ''})
    fig = {'versions pythons': ', '.join(python for python, _ in pythons) or '—',
           'versions takes': ' or '.join(f'{t}' for t in takes) or '—',
           'versions N': ', '.join(f'{n:,}' for n in sorted({row['N'] for row in rows})) or '—'}
    for model in models:
        done = [(python, found[model]) for python, found in pythons
                if model in found and found[model]['result'] == 'ok']
        for python, row in done:
            fig[f'{model} {minor(python)} ratio'] = ratio(row, spread=True)
        headline = [(python, row) for python, row in done if minor(python) == HEADLINE]
        if len(done) >= 2:
            (first, a), (last, b) = done[0], (headline or done)[-1]
            change = (float(b['wall / d']) - float(a['wall / d'])) / float(a['wall / d']) * 100
            fig[f'{model} versions change'] = (
                f'{a["wall / d"]} × d and {a["client CPU µs/request"]} µs of CPU per request on '
                f'{minor(first)}, {b["wall / d"]} × d and {b["client CPU µs/request"]} µs on {minor(last)} '
                f'(wall time {change:+.0f}%)')
        else:
            fig[f'{model} versions change'] = '—'
    return fig


def write_chart(rows, path):
    plt = pyplot()
    models, pythons = table(rows)
    fig, axes = plt.subplots(figsize=(9, 2.8), layout='constrained')
    labels = [minor(python) for python, _ in pythons]
    for model in models:
        at = [(i, found[model]) for i, (_, found) in enumerate(pythons)
              if model in found and found[model]['result'] == 'ok']
        xs = [i for i, _ in at]
        line, = axes.plot(xs, [float(row['wall / d']) for _, row in at], 'o-', label=model)
        error_bars(axes, xs, [row for _, row in at], line.get_color())
    axes.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    n = ', '.join(f'{n:,}' for n in sorted({row['N'] for row in rows}))
    axes.set(xlabel='Python', ylabel='wall time / d', title=f'N = {n}: median and IQR of the takes',
             ylim=(0, None))
    axes.set_xticks(range(len(labels)), labels)
    axes.grid(True, alpha=0.3)
    axes.legend()
    fig.savefig(path, metadata={'Date': None, 'Creator': None})
    plt.close(fig)


def main(out):
    rows = read_csv(out / 'versions.csv')
    write_table(rows, out / 'versions_table.csv')
    write_chart(rows, out / 'versions.svg')
    write_figures(figures(rows), out / 'versions.txt', source='make bench-versions')
    print(f'wrote {out}/versions_table.csv, versions.svg, versions.txt '
          f'({", ".join(figures(rows)["versions pythons"].split(", "))})')


if __name__ == '__main__':
    main(Path(sys.argv[1]))
