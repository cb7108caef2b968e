"""The command line, ``python -m slides.tools.bench COMMAND``:

    sweep       every model at every N, rounds at the compared N (``make bench``: --out slides/bench)
    takes       one round of the compared N, its takes printed (what ``versions`` runs on each Python)
    versions    rounds of ``takes`` on every Python, in turn (``make bench-versions``)
    check       rounds of the compared N beside the committed bench.csv (``make bench-check``)
    redraw      the tables, charts and figures again from bench.csv and versions.csv (--out)
    ready       make every Python of --pythons ready to measure (venvs, the chroot): ``make bench-ready``
    where       'venv' if this Python is the headline one or newer, else the headline version

Progress goes to stderr as it goes; the figures are printed only once the machine is known to
have been idle (others' processes and the hypervisor's steal each under config.BUSY_SHARE).
"""
import argparse
import platform
import re
import sys
import time
from pathlib import Path

from slides.tools.bench import check, config, text, versions
from slides.tools.bench.records import points, read_takes
from slides.tools.bench.run import COLLECTORS
from slides.tools.bench.sweep import rounds, schedule, sweep
from slides.tools.bench.system import cpu_use, kernel_limits, machine, raise_nofile_limit
from snippets.bench_models import MODELS

IDLE_WAIT = 2.0                     # seconds the machine's CPU use is measured before measuring


def say(line):
    print(line, file=sys.stderr, flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(prog='python -m slides.tools.bench',
                                     description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('command', nargs='?', default='sweep',
                        choices=['sweep', 'takes', 'versions', 'check', 'redraw', 'ready', 'where'])
    parser.add_argument('--counts', type=int, nargs='+', default=list(config.COUNTS),
                        help='numbers of requests N (sweep)')
    parser.add_argument('--compared', type=int, default=config.COMPARED, help='the N run in rounds')
    parser.add_argument('--delay', type=float, default=config.DELAY, help='d: seconds before each answer')
    parser.add_argument('--models', nargs='+', choices=list(MODELS))
    parser.add_argument('--rounds', type=int, help='rounds at the compared N')
    parser.add_argument('--per-round', type=int, default=config.TAKES_PER_ROUND,
                        help='takes of each model in a round (sweep)')
    parser.add_argument('--round', type=int, default=1, help='the number of this round (takes)')
    parser.add_argument('--collectors', nargs='*', default=list(COLLECTORS[1:]), choices=COLLECTORS[1:],
                        help="asyncio also with its cycle collector frozen after start-up or its "
                             "threshold raised, in the rounds (sweep)")
    parser.add_argument('--pythons', nargs='+', default=list(config.PYTHONS), help='versions')
    parser.add_argument('--budget', type=float, help='seconds the takes may take in all (sweep: '
                        f'{config.SWEEP_BUDGET}, check: {config.CHECK_BUDGET}, versions: {config.VERSIONS_BUDGET})')
    parser.add_argument('--out', type=Path, help='write the files into this directory (sweep, versions)')
    parser.add_argument('--committed', type=Path, default=Path('slides/bench/bench.csv'), help='check')
    parser.add_argument('--keep-busy', action='store_true',
                        help='write (and print) the figures even if the machine was busy')
    parser.add_argument('--command', dest='quoted', default=None, help='the command to quote in machine.txt')
    return parser.parse_args(argv)


def idle(takes, before, keep_busy):
    """Say how busy the machine was; whether to go on to the figures."""
    measured = [t for t in takes if t.others is not None]
    others, steal = [t.others for t in measured], [t.steal for t in measured]
    busy = [t for t in measured if t.busy]
    report = (f'{before:.0%} busy before; while measuring, other processes {mean(others):.0%} of the CPU '
              f'({max(others, default=0):.0%} at most), steal {mean(steal):.0%} '
              f'({max(steal, default=0):.0%} at most)')
    if before > config.BUSY_SHARE or busy:
        report += (f'; BUSY (over {config.BUSY_SHARE:.0%} not ours) in {len(busy)} of {len(measured)} '
                   'takes: rerun when idle' + ('' if keep_busy else '; nothing written or printed '
                                               '(KEEP_BUSY=1, or --keep-busy, keeps it)'))
        return report, keep_busy
    return report, True


def mean(values):
    return sum(values) / max(1, len(values))


def summary(takes):
    """The figures at the compared N, one line per model and collector."""
    return [f'{p.label} at N = {p.n:,}: {text.ratio(p)}, CPU {text.cpu(p, spread=True)} per request'
            for p in points(takes) if p.ok and len(p.measured) > 1] + [
        f'wall time: {text.order([p for p in points(takes) if p.collector == "default" and len(p.measured) > 1])}']


def main(argv=None):
    args = parse(argv)
    if args.command == 'where':
        headline = tuple(int(x) for x in config.HEADLINE.split('.'))
        print('venv' if sys.version_info[:2] >= headline else config.HEADLINE)
        return 0
    if args.command == 'versions':
        return run_versions(args)
    if args.command == 'ready':
        versions.ready(args.pythons, say=say)
        return 0
    if args.command == 'redraw':
        return redraw(args.out or Path('slides/bench'))
    fd_limit, fd_note = raise_nofile_limit()
    limits = kernel_limits()
    before, stolen = cpu_use(IDLE_WAIT)
    say(f'Python {platform.python_version()}; {fd_note}; the machine {before:.0%} busy, '
        f'{stolen:.0%} of it stolen by the hypervisor')
    names = args.models or (list(config.VERSIONS_MODELS) if args.command in ('takes', 'check')
                            else list(MODELS))
    models = {name: MODELS[name] for name in names}
    python = platform.python_version()
    if args.command == 'takes':
        plan = [(m, args.compared, 'default', args.round) for m in
                names[(args.round - 1) % len(names):] + names[:(args.round - 1) % len(names)]]
    elif args.command == 'check':
        plan = list(rounds([(m, 'default') for m in names], args.compared, args.rounds or config.CHECK_ROUNDS))
    else:
        plan = list(schedule(names, args.counts, args.compared, args.collectors, ('asyncio',),
                             args.rounds or config.ROUNDS, args.per_round))
    budget = (args.budget if args.budget is not None else
              config.CHECK_BUDGET if args.command == 'check' else config.SWEEP_BUDGET)
    say(f'{len(plan)} takes planned ({", ".join(dict.fromkeys(m for m, *_ in plan))}), none started '
        f'past {budget:g} s; progress as they start, the figures once the machine is known to have been idle')
    started = time.monotonic()
    takes = sweep(models, plan, args.delay, fd_limit, limits, budget, say=say, python=python)
    took = time.monotonic() - started
    report, go_on = idle(takes, before, args.keep_busy or args.command == 'takes')
    say(f'{report}; {len(takes)} takes, {took:.0f} s')
    if args.command == 'takes':
        print('\n'.join(versions.take_lines(takes)), flush=True)    # the caller decides on busy
        return 0
    if not go_on:
        return 1
    for line in summary(takes):
        print(line)
    if args.command == 'check':
        lines = check.compare(takes, read_takes(args.committed))
        print('\n'.join(lines))
        print(check.verdict(lines))
        return 0
    if args.out:
        from slides.tools.bench.report import write_outputs
        command = args.quoted or 'python -m slides.tools.bench ' + ' '.join(sys.argv[1:])
        write_outputs(takes, args.out, args.counts,
                      f'``{command}`` on {machine()}: {report}; the sweep took {took:.0f} s.',
                      limits, fd_limit, args.compared)
        say(f'wrote {args.out}/')
    return 0


def run_versions(args):
    """Rounds of ``takes`` on every Python; the files once the machine is known to have been idle."""
    before, _ = cpu_use(IDLE_WAIT)
    takes = versions.measure(args.pythons, args.rounds or config.VERSIONS_ROUNDS,
                             args.models or config.VERSIONS_MODELS, say=say,
                             options=['--compared', f'{args.compared}', '--delay', f'{args.delay:g}'],
                             budget=config.VERSIONS_BUDGET if args.budget is None else args.budget)
    report, go_on = idle(takes, before, args.keep_busy)
    say(report)
    if not go_on:
        return 1
    for python in dict.fromkeys(t.python for t in takes):
        print(f'Python {python}:', '; '.join(summary([t for t in takes if t.python == python])))
    if args.out:
        versions.write_outputs(takes, args.out)
        say(f'wrote {args.out}/versions.csv, versions_table.csv, versions.svg, versions.txt')
    return 0


def redraw(out):
    """The files made from bench.csv and versions.csv, again (after a change of their format)."""
    from slides.tools.bench.report import write_outputs
    takes = read_takes(out / 'bench.csv')
    about = (out / 'machine.txt').read_text().strip()
    counts = sorted({t.n for t in takes})
    limits, fd_limit = kernel_limits(), raise_nofile_limit()[0]
    if (out / 'figures.txt').exists():                  # the limits as they were when measured
        was = dict(re.findall(r'^\.\. \|([^|]+)\| replace:: (.*)$', (out / 'figures.txt').read_text(), re.M))
        number = lambda name: int(was[name].split()[0].replace(',', ''))     # noqa: E731
        limits.update(ports=number('port range'), somaxconn=number('somaxconn'),
                      pid_max=number('pid_max'), max_map_count=number('max_map_count'))
        limits['memory available MiB'] = number('memory available') * 1024
        fd_limit = number('fd limit')
    write_outputs(takes, out, counts, about, limits, fd_limit,
                  max((t.n for t in takes if t.round), default=config.COMPARED))
    if (out / 'versions.csv').exists():
        versions.redraw(out)
    say(f'redrew {out}/ from bench.csv and versions.csv')
    return 0
