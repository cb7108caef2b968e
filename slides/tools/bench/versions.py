"""Same code, newer Python: the models at the compared N on every Python, in interleaved rounds.

    python -m slides.tools.bench versions [--pythons 3.11 ...]      (``make bench-versions``)

Each round runs one take of every model on every Python in turn, through ``.ci/bench PYTHON --
takes`` (pyenv's Pythons in venvs of their own, Debian's in the chroot), which prints its takes;
so a drift of the machine over time falls on every Python alike and shows between rounds.
``versions.csv`` holds every take; versions_table.csv, versions.svg and versions.txt come from it.
"""
import csv
import dataclasses
import json
import subprocess
import time
from pathlib import Path

from slides.tools.bench import text
from slides.tools.bench.chart import write_versions_chart
from slides.tools.bench.config import HEADLINE, PYTHONS, VERSIONS_BUDGET, VERSIONS_MODELS
from slides.tools.bench.records import Point, Take, points, read_takes, write_takes
from slides.tools.bench.report import write_figures

ROOT = Path(__file__).resolve().parents[3]
CALL_TIMEOUT = 600                  # seconds one Python's round may take
OVERRUN = 60                        # seconds the last round may run past the budget: then its takes stop


def minor(version):
    """'3.14' of '3.14.10'."""
    return '.'.join(version.split('.')[:2])


def order(version):
    return tuple(int(part) for part in version.split('.')[:3] if part.isdigit())


def take_lines(takes):
    """What ``takes`` prints: one line per Take, for the caller of .ci/bench to read back."""
    return [f'TAKE {json.dumps(dataclasses.asdict(take))}' for take in takes]


def read_take_lines(output):
    return [Take(**json.loads(line[5:])) for line in output.splitlines() if line.startswith('TAKE ')]


def call(python, args, timeout=CALL_TIMEOUT):
    return subprocess.run([str(ROOT / '.ci/bench'), python, '--', *args], cwd=ROOT,
                          stdout=subprocess.PIPE, text=True, timeout=timeout)


def ready(pythons=PYTHONS, say=print):
    """Make every Python ready to measure: its venv, or the chroot with its package (.ci/bench
    makes them on first use, which can take minutes: ``make bench-ready`` beforehand)."""
    started = time.monotonic()
    for python in pythons:
        say(f'[{time.monotonic() - started:4.0f} s] Python {python}: ready?')
        if call(python, ['where'], timeout=3600).returncode:
            raise SystemExit(f'bench-versions: Python {python} is not to be had here: nothing measured')


def measure(pythons=PYTHONS, rounds=3, models=VERSIONS_MODELS, say=print, options=(),
            budget=VERSIONS_BUDGET):
    """Every take of ``rounds`` rounds, each Python in turn (each round starting one further on).

    First every Python is made ready (its venv, or the chroot's), so that no round waits for
    pip; a round is started only if, as long as the last one took, it ends within ``budget``
    seconds (then fewer rounds, each of them whole), and no take runs past ``budget`` + OVERRUN."""
    started, takes = time.monotonic(), []
    ready(pythons, say)
    last, whole = 0.0, 0
    for number in range(1, rounds + 1):
        elapsed = time.monotonic() - started
        if number > 1 and elapsed + last > budget:
            say(f'[{elapsed:4.0f} s] round {number} not started: it would end past the '
                f'{budget} s budget (the last round took {last:.0f} s)')
            break
        turn = (number - 1) % len(pythons)
        for python in pythons[turn:] + pythons[:turn]:
            say(f'[{time.monotonic() - started:4.0f} s] round {number} of {rounds}: Python {python}')
            left = budget + OVERRUN - (time.monotonic() - started)     # a hard end, whatever
            done = call(python, ['takes', '--round', str(number), '--models', *models, *options,
                                 '--budget', f'{max(0, left):.0f}'])
            if done.returncode:
                raise SystemExit(f'bench-versions: Python {python} could not be measured '
                                 f'(.ci/bench exit {done.returncode}): nothing written')
            takes += read_take_lines(done.stdout)
        last, whole = time.monotonic() - started - elapsed, number
    say(f'[{time.monotonic() - started:4.0f} s] {whole} rounds on {len(pythons)} Pythons done')
    return takes


def by_python(takes):
    """``(pythons, points)``: the full versions in order, and one Point per (Python, model)."""
    pythons = sorted({t.python for t in takes}, key=order)
    found = [Point(p.model, p.n, p.collector, p.takes, label=p.takes[0].python)
             for python in pythons for p in points([t for t in takes if t.python == python])]
    return pythons, found


def write_table(takes, path):
    pythons, found = by_python(takes)
    models = list(dict.fromkeys(p.model for p in found))
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['Python', 'from', *(what for model in models for what in (f'{model} × d', 'CPU µs'))])
        for python in pythons:
            cells = [python, short(where(next(t.build for t in takes if t.python == python))[0])]
            for model in models:
                point = next((p for p in found if p.python == python and p.model == model), None)
                cells += [text.cell(point), text.cpu(point).replace(' µs', '')]
            writer.writerow(cells)


def figures(takes):
    pythons, found = by_python(takes)
    models = list(dict.fromkeys(p.model for p in found))
    fig = {'versions pythons': ', '.join(pythons) or '—',
           'versions takes': text.takes(found[0]) if found else '—',
           'versions N': ', '.join(f'{n:,}' for n in sorted({p.n for p in found})) or '—',
           'versions drift': text.drift([p for p in found if p.model != 'threads']) or 'not measured',
           'versions collector': collector(pythons),
           'versions sources': sources(takes), 'versions limit': limit(takes)}
    for model in models:
        mine = {p.python: p for p in found if p.model == model}
        for python, point in mine.items():
            fig[f'{model} {minor(python)} ratio'] = text.ratio(point, short=True)
        headline = [python for python in mine if minor(python) == HEADLINE] or list(mine)[-1:]
        first = list(mine)[0] if mine else None
        fig[f'{model} versions change'] = (
            text.change(mine[first], mine[headline[0]], (minor(first), minor(headline[0])))
            if first and headline and first != headline[0] else '—')
        fig[f'{model} versions order'] = text.order(list(mine.values()))
    return fig


def where(build):
    """``(source, version)``: 'pyenv' or 'Debian forky/sid' and its package's version ('' if none)."""
    if build.startswith('Debian '):
        suite, _, version = build.rpartition(' ')
        return suite, version
    return build or 'not recorded', ''


def short(source):
    """'sid' of 'Debian forky/sid', for the table."""
    return source.rpartition('/')[2] if source.startswith('Debian ') else source


def sources(takes):
    """'3.11.7 and 3.12.1: pyenv; 3.14.10 and 3.15.2: Debian forky/sid (3.14.10-1, 3.15.2-1)'."""
    by = {}
    for python in sorted({t.python for t in takes}, key=order):
        source, version = where(next(t.build for t in takes if t.python == python))
        by.setdefault(source, []).append((python, version))
    return '; '.join(
        text.listing(p for p, _ in found) + f': {source}'
        + (' (packages ' + ', '.join(v for _, v in found) + ')' if any(v for _, v in found) else '')
        for source, found in by.items()) or '—'


def limit(takes):
    """Why a Python is not the newest patch release of its line, where one is pyenv's."""
    pyenv = [p for p in sorted({t.python for t in takes}, key=order)
             if where(next(t.build for t in takes if t.python == p))[0] == 'pyenv']
    if not pyenv:
        return 'Each the newest patch release of its line that Debian sid has'
    return (f'{text.listing(pyenv)}: pyenv\'s newest here, older than upstream\'s; no Debian suite '
            'on this mirror has newer')


def collector(pythons):
    """Which cycle collector the 3.14 and newer Pythons run: 3.14.0 to 3.14.4 shipped an incremental
    one, 3.14.5 went back to 3.13's generational collector, which 3.15 keeps (gh-148726)."""
    newer = [p for p in pythons if order(p)[:2] >= (3, 14)]
    incremental = [p for p in newer if order(p)[:2] == (3, 14) and order(p)[2:3] < (5,)]
    generational = [p for p in newer if p not in incremental]
    parts = [f'{text.listing(ps)} {"runs" if len(ps) == 1 else "run"} the {kind} one'
             for ps, kind in ((generational, "generational"), (incremental, "incremental")) if ps]
    return '; '.join(parts) or 'no 3.14 or newer measured'


def write_outputs(takes, out):
    write_takes(sorted(takes, key=lambda t: (order(t.python), t.round)), out / 'versions.csv')
    write_table(takes, out / 'versions_table.csv')
    pythons, found = by_python(takes)
    write_versions_chart(found, pythons, out / 'versions.svg')
    write_figures(figures(takes), out / 'versions.txt', source='make bench-versions')


def redraw(out):
    """The table, chart and figures again from versions.csv."""
    write_outputs(read_takes(out / 'versions.csv'), out)
