"""The charts: every take a dot, so that a model whose takes split into modes shows both."""
from slides.tools.bench.records import points


def pyplot():
    import matplotlib
    matplotlib.use('Agg')
    matplotlib.rcParams['svg.hashsalt'] = 'bench'      # reproducible SVG ids
    from matplotlib import pyplot as plt
    return plt


def takes_and_line(axes, xs, found, color, label=None):
    """Each take of each Point a dot at its x; a line through the points' medians, dashed
    where a point's takes split into modes (the median then stands for none of them)."""
    import statistics
    for x, point in zip(xs, found, strict=True):
        axes.plot([x] * len(point.ratios), point.ratios, 'o', color=color, alpha=0.45,
                  markersize=4, markeredgewidth=0)
    medians = [statistics.median(p.ratios) for p in found]
    axes.plot(xs, medians, '-', color=color, label=label, linewidth=1.4)
    for i, point in enumerate(found):
        if len(point.modes) > 1:
            axes.plot(xs[i], medians[i], 'o', color=color, fillstyle='none', markersize=9)


def write_chart(takes, path):
    plt = pyplot()
    fig, (wall, memory) = plt.subplots(1, 2, figsize=(10, 4.2), layout='constrained')
    found = points(takes)
    delay = next((t.delay for t in takes), 1.0)
    failures = []
    for model in dict.fromkeys(p.model for p in found):
        done = sorted((p for p in found if p.model == model and p.collector == 'default' and p.ok),
                      key=lambda p: p.n)
        line, = wall.plot([], [])
        color = line.get_color()
        takes_and_line(wall, [p.n for p in done], done, color, label=model)
        memory.plot([p.n for p in done], [p.mean('peak_mib') for p in done], 'o-', color=color)
        failures += [(p, color) for p in found if p.model == model and p.collector == 'default'
                     and p.measured and not p.ok]
    wall.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    wall.set(ylabel=f'wall time / d   (d = {delay:g} s)', title='time (1 = ideal): each dot a take')
    memory.set(ylabel='peak memory of the client (PSS), MiB', title='memory (mean of the takes)')
    ns = sorted({p.n for p in found})
    for axes in (wall, memory):
        axes.set(xscale='log', yscale='log',
                 xlabel='N requests, all started at once (the pools hold fewer in flight)')
        axes.set_xticks(ns, [f'{n / 1000:g}k' if n >= 1000 else f'{n}' for n in ns])
        axes.minorticks_off()
    top = wall.get_ylim()[1]
    for point, color in failures:       # a failure is a cross at its N, never a point on a line
        wall.plot([point.n], [top], 'X', markersize=11, color=color, clip_on=False)
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


def write_versions_chart(found, pythons, path):
    """Wall time over d against the Python, one colour per model, each take a dot."""
    plt = pyplot()
    fig, axes = plt.subplots(figsize=(9, 2.1), layout='constrained')
    for model in dict.fromkeys(p.model for p in found):
        done = [(i, p) for i, python in enumerate(pythons) for p in found
                if p.model == model and p.python == python and p.ok]
        line, = axes.plot([], [])
        takes_and_line(axes, [i for i, _ in done], [p for _, p in done], line.get_color(), label=model)
    axes.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    n = ', '.join(f'{n:,}' for n in sorted({p.n for p in found}))
    axes.set(xlabel='Python', ylabel='wall time / d', title=f'N = {n}: each dot a take', yscale='log')
    axes.set_xticks(range(len(pythons)), pythons)
    axes.grid(True, alpha=0.3)
    axes.legend()
    fig.savefig(path, metadata={'Date': None, 'Creator': None})
    plt.close(fig)
