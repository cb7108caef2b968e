"""The command line: ``main(models, description)``, which ``snippets.bench_models`` calls."""
import argparse
import platform
import sys
import time
from pathlib import Path

from slides.tools.bench.check import compare
from slides.tools.bench.report import COMPARED, read_csv, targets, write_outputs
from slides.tools.bench.run import BUSY_SHARE, COLLECTORS
from slides.tools.bench.sweep import REPEAT_AT, REPEATS, sweep
from slides.tools.bench.system import cpu_use, kernel_limits, machine, raise_nofile_limit
from slides.tools.bench.versions import merge_versions

IDLE_WAIT = 2.0                     # seconds the machine's CPU use is measured before the sweep


def parse(models, description):
    parser = argparse.ArgumentParser(
        description=description.splitlines()[0],
        epilog='Default: a small sweep, printed.  `make bench` runs the full one.')
    parser.add_argument('--counts', type=int, nargs='+', default=[10, 100],
                        help='numbers of concurrent requests N (default 10 100)')
    parser.add_argument('--delay', type=float, default=0.2,
                        help='seconds the server waits before each answer (default 0.2)')
    parser.add_argument('--models', nargs='+', choices=list(models), default=list(models))
    parser.add_argument('--repeats', type=int, default=REPEATS,
                        help=f'takes of each model at the --repeat-at N (default {REPEATS})')
    parser.add_argument('--repeat-at', type=int, nargs='*', default=list(REPEAT_AT),
                        help='the N that get several takes (default 10000); one take elsewhere')
    parser.add_argument('--collectors', nargs='*', default=[], choices=COLLECTORS[1:],
                        help="also run the --collector-models at the --repeat-at N with the cycle "
                             "collector frozen after start-up (gc.freeze()) or a higher threshold")
    parser.add_argument('--collector-models', nargs='+', default=['asyncio'], choices=list(models))
    parser.add_argument('--out', type=Path,
                        help='write bench.csv, bench_table.csv, stops.csv, bench.svg, '
                             'figures.txt and machine.txt into this directory')
    parser.add_argument('--versions', type=Path, metavar='CSV',
                        help="put this Python's rows into CSV (versions.csv), replacing its earlier ones")
    parser.add_argument('--check', type=Path, metavar='CSV',
                        help="print each model's median beside CSV's (the committed bench.csv); "
                             'write nothing')
    parser.add_argument('--keep-busy', action='store_true',
                        help='write the files even if the machine was busy (otherwise: exit 1)')
    parser.add_argument('--command', default=None,
                        help='the command to quote next to the results')
    return parser.parse_args()


def main(models, description):
    """Measure ``models`` (``{name: module-level function}``) as the command line says."""
    args = parse(models, description)
    say = (lambda text: print(text, file=sys.stderr, flush=True))
    fd_limit, fd_note = raise_nofile_limit()
    limits = kernel_limits()
    used, stolen = cpu_use(IDLE_WAIT)
    say(f'Python {platform.python_version()}; {fd_note}; before the sweep the machine was '
        f'{used:.0%} busy, {stolen:.0%} of it stolen by the hypervisor')
    started = time.monotonic()
    rows = sweep({name: models[name] for name in args.models}, args.counts, args.delay,
                 fd_limit, limits, repeats=args.repeats, repeat_at=args.repeat_at,
                 collectors=args.collectors, collector_models=args.collector_models,
                 show=lambda line: print(line, flush=True))
    took = time.monotonic() - started
    measured = [r for r in rows if r['others CPU %'] != '']
    others = [float(r['others CPU %']) for r in measured]
    steal = [float(r['steal %']) for r in measured]
    busy_runs = [r for r in measured if r['busy']]
    busy = used * 100 > BUSY_SHARE or bool(busy_runs)
    report = (f'{used:.0%} busy before the sweep; during it, other processes {mean(others):.0f}% of the '
              f'CPU ({max(others, default=0):.0f}% at most), steal {mean(steal):.0f}% '
              f'({max(steal, default=0):.0f}% at most); the sweep took {took:.0f} s')
    if busy:
        report += (f'; BUSY (over {BUSY_SHARE}% not ours) in {len(busy_runs)} of {len(measured)} points: '
                   f'rerun when idle')
    for line in targets(rows):
        print(line)
    say(report)
    if args.check:
        for line in compare(rows, read_csv(args.check)):
            print(line)
        return 1 if busy else 0
    if busy and not args.keep_busy and (args.out or args.versions):
        say('nothing written: the machine was busy (KEEP_BUSY=1, or --keep-busy, writes it anyway)')
        return 1
    if args.versions:
        merge_versions(rows, args.versions)
        say(f'wrote Python {platform.python_version()} into {args.versions}')
    if args.out:
        argv = sys.argv[1:]
        if '--command' in argv:                 # not part of what ran
            at = argv.index('--command')
            del argv[at:at + 2]
        command = args.command or 'python -m snippets.bench_models ' + ' '.join(argv)
        compared = max((n for n in args.repeat_at if n in args.counts), default=COMPARED)
        write_outputs(rows, args.out, args.counts, args.delay,
                      f'``{command}`` on {machine()}: {report}.', limits, fd_limit,
                      args.repeats, compared)
        say(f'wrote {args.out}/')
    return 0


def mean(values):
    return sum(values) / max(1, len(values))
