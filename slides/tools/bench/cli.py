"""The command line: ``main(models, description)``, which ``snippets.bench_models`` calls."""
import argparse
import sys
import time
from pathlib import Path

from slides.tools.bench.report import targets, write_outputs
from slides.tools.bench.run import BUSY_OTHERS
from slides.tools.bench.sweep import REPEAT_AT, REPEATS, sweep
from slides.tools.bench.system import cpu_idle, kernel_limits, machine, raise_nofile_limit

# The machine counts as busy when less than this share of its CPU was idle before the sweep
# (or other processes took more than BUSY_OTHERS % of it during a run).
BUSY_IDLE = 0.9


def main(models, description):
    """Measure ``models`` (``{name: module-level function}``) as the command line says."""
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
    parser.add_argument('--out', type=Path,
                        help='write bench.csv, bench_table.csv, stops.csv, bench.svg, '
                             'figures.txt, summary.txt and machine.txt into this directory')
    parser.add_argument('--command', default=None,
                        help='the command to quote next to the results')
    args = parser.parse_args()

    fd_limit, fd_note = raise_nofile_limit()
    limits = kernel_limits()
    idle = cpu_idle()
    say = (lambda text: print(text, file=sys.stderr, flush=True))
    say(f'{fd_note}; CPU {idle:.0%} idle before the sweep')
    started = time.monotonic()
    rows = sweep({name: models[name] for name in args.models}, args.counts, args.delay,
                 fd_limit, limits, repeats=args.repeats, repeat_at=args.repeat_at,
                 show=lambda line: print(line, flush=True))
    took = time.monotonic() - started
    others = [float(r['others CPU %']) for r in rows if r['others CPU %']]
    busiest, mean = max(others, default=0), sum(others) / max(1, len(others))
    busy = idle < BUSY_IDLE or busiest > BUSY_OTHERS
    report = (f'CPU {idle:.0%} idle before; other processes took {mean:.0f}% of the CPU '
              f'during the runs ({busiest:.0f}% at most); the sweep took {took:.0f} s')
    if busy:
        report += '; the machine was busy: rerun ``make bench`` when it is idle'
    for line in targets(rows):
        print(line)
    say(report)
    if args.out:
        argv = sys.argv[1:]
        if '--command' in argv:                 # not part of what ran
            at = argv.index('--command')
            del argv[at:at + 2]
        command = args.command or 'python -m snippets.bench_models ' + ' '.join(argv)
        write_outputs(rows, args.out, args.counts, args.delay,
                      f'``{command}`` on {machine()}: {report}.', limits, fd_limit,
                      args.repeats)
        say(f'wrote {args.out}/')
