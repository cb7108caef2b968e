"""The harness behind ``snippets.bench_models``: servers, timing, memory, chart.

    python -m snippets.bench_models [--counts N ...] [--delay S] [--out DIR]

For every (model, N) a fresh server and a fresh client process are started:

* the server is the demo server's ASGI app (``snippets.demo_server``: uvicorn
  and h11, strict HTTP/1.1), run by ``--server-processes`` processes on uvloop
  that share one listening socket whose backlog is the kernel's maximum
  (``net.core.somaxconn``), so that it is not the server that limits 10,000
  simultaneous connections; its CPU time is recorded next to each row, so the
  reader can see how much of the machine it took;
* the client process (``python -m snippets._bench one MODEL N ...``) times the
  model's call, from before its pool or loop exists until the last response
  is back, and checks every response's status and body;
* while it runs, this process samples the proportional set size (PSS, from
  /proc/PID/smaps_rollup) of the client process and all its descendants every
  50 ms; the peak of that sum is the model's memory.  PSS splits pages shared
  between forked processes fairly, where a sum of RSS would count them again
  for every worker.

The open-file limit is raised to the hard limit first (the children inherit
it); counts that need more descriptors than the limit allows are skipped, and
the table says so.
"""
import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import platform
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HOST = '127.0.0.1'
ROOT = Path(__file__).resolve().parent.parent    # where `-m snippets...` runs
BODY_SIZE = 100
SAMPLE_EVERY = 0.05                 # seconds between memory samples
CLIENT_TIMEOUT = 240                # seconds one (model, N) run may take
FD_MARGIN = 64                      # descriptors a client needs besides sockets
CLOCK_TICKS = os.sysconf('SC_CLK_TCK')
COLUMNS = ['model', 'N', 'workers', 'wall s', 'wall / d', 'peak MiB',
           'peak processes', 'peak threads', 'client CPU s', 'server CPU s',
           'note']


# -- the open-file limit
def raise_nofile_limit():
    """Raise the soft open-file limit to the hard one; return ``(soft, note)``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft >= hard:
        return soft, f'open-file limit {soft} (already the hard limit)'
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        return soft, f'open-file limit {soft}: could not raise it to {target} ({exc})'
    return target, f'open-file limit raised from {soft} to {target}'


# -- the server
def somaxconn():
    try:
        return int(Path('/proc/sys/net/core/somaxconn').read_text())
    except (OSError, ValueError):
        return socket.SOMAXCONN


def serve(fd, backlog):
    """Server process: the demo app on an inherited listening socket, on uvloop."""
    import uvicorn
    import uvloop

    from snippets.demo_server import make_http_app

    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(make_http_app(0.0, BODY_SIZE), http='h11', ws='none',
                            lifespan='off', log_level='warning', access_log=False,
                            backlog=backlog)
    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(uvicorn.Server(config).serve(sockets=[sock]))


def cpu_seconds(pid):
    """User + system CPU time of a process so far (0 when it is gone)."""
    try:
        fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextlib.contextmanager
def bench_server(processes=2):
    """Start the server processes on one fresh socket; yield ``((host, port), pids)``."""
    from snippets.http_blocking import http_get

    backlog = somaxconn()
    listener = socket.create_server((HOST, 0), backlog=backlog)
    fd = listener.fileno()
    cmd = [sys.executable, '-m', 'snippets._bench', 'serve', str(fd), str(backlog)]
    procs = [subprocess.Popen(cmd, pass_fds=[fd], cwd=ROOT) for _ in range(processes)]
    address = listener.getsockname()[:2]
    try:
        deadline = time.monotonic() + 20
        while True:              # the socket queues connections from the start:
            try:                 # wait for an answer, i.e. a server that runs
                http_get(*address, path='/?size=1')
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError('the benchmark server did not start') from None
                time.sleep(0.1)
        time.sleep(0.3)          # let the second process finish starting too
        yield address, [p.pid for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(20)
        listener.close()


# -- one measurement, in its own process
def run_one(model, n, host, port, delay):
    """Client process: time one model on N paths, check every response."""
    from snippets._http import split_response
    from snippets.bench_models import MODELS
    from snippets.demo_server import demo_body

    raise_nofile_limit()
    # Worker processes fork from a server that already imported the client:
    # the cheapest start the process pool can get.
    multiprocessing.get_context('forkserver').set_forkserver_preload(
        ['snippets.bench_models'])
    paths = [f'/?delay={delay}&size={BODY_SIZE}&n={i}' for i in range(n)]
    start = time.perf_counter()
    responses = MODELS[model](host, port, paths)
    wall = time.perf_counter() - start
    expected = (200, demo_body(BODY_SIZE))
    ok = sum(split_response(r) == expected for r in responses)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {'wall': wall, 'ok': ok, 'cpu': usage.ru_utime + usage.ru_stime}


# -- memory, CPU and size of a process tree
def tree_stats(root):
    """``{pid: (cpu seconds, threads)}`` of ``root`` and every process below it."""
    stats, children = {}, {}
    for entry in os.scandir('/proc'):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, 'stat').read_text()
            except OSError:
                continue
            fields = text.rsplit(')', 1)[1].split()
            pid = int(entry.name)
            children.setdefault(int(fields[1]), []).append(pid)
            stats[pid] = ((int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
                          int(fields[17]))
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            tree[pid] = stats[pid]
        todo.extend(children.get(pid, ()))
    return tree


def pss_kib(pid):
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Sample a process tree until stopped: peak PSS (KiB), processes, threads.

    Also keeps the last CPU time seen of every process below the root (the
    root reports its own), so workers that exit still count.
    """

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self._stopped = root, threading.Event()
        self.peak_pss = self.peak_processes = self.peak_threads = 0
        self.cpu = {}

    def run(self):
        while not self._stopped.is_set():
            tree = tree_stats(self.root)
            self.peak_pss = max(self.peak_pss, sum(map(pss_kib, tree)))
            self.peak_processes = max(self.peak_processes, len(tree))
            self.peak_threads = max(self.peak_threads,
                                    sum(threads for _, threads in tree.values()))
            self.cpu.update((pid, cpu) for pid, (cpu, _) in tree.items()
                            if pid != self.root)
            self._stopped.wait(SAMPLE_EVERY)

    def stop(self):
        self._stopped.set()
        self.join(30)


def tcp_trouble():
    """Listen-queue overflows and SYN retransmissions so far (this network namespace)."""
    lines = Path('/proc/net/netstat').read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith('TcpExt:'):
            counters = dict(zip(names.split()[1:], map(int, values.split()[1:])))
            return (counters.get('ListenOverflows', 0) + counters.get('ListenDrops', 0),
                    counters.get('TCPSynRetrans', 0))
    return 0, 0


def workers_for(model, n):
    from snippets import bench_models
    cap = {'processes': bench_models.MAX_PROCESSES,
           'threads': bench_models.MAX_THREADS}.get(model)
    return min(n, cap) if cap else n


def measure(model, n, delay, fd_limit, server_processes=2):
    """One row of the table: run ``model`` on N requests in a fresh client process."""
    row = dict.fromkeys(COLUMNS, '')
    row.update(model=model, N=n, workers=workers_for(model, n))
    if n + FD_MARGIN > fd_limit:
        row['note'] = f'skipped: needs ~{n + FD_MARGIN} open files, limit {fd_limit}'
        return row
    with bench_server(server_processes) as ((host, port), server_pids):
        server_cpu = sum(cpu_seconds(pid) for pid in server_pids)
        trouble = tcp_trouble()
        cmd = [sys.executable, *warning_flags(), '-m', 'snippets._bench', 'one',
               model, str(n), host, str(port), str(delay)]
        client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, cwd=ROOT)
        sampler = TreeSampler(client.pid)
        sampler.start()
        try:
            out, err = client.communicate(timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            client.kill()
            out, err = client.communicate()
            err = f'timed out after {CLIENT_TIMEOUT} s'
        finally:
            sampler.stop()
        server_cpu = sum(cpu_seconds(pid) for pid in server_pids) - server_cpu
        overflows, syn_retrans = (b - a for a, b in zip(trouble, tcp_trouble()))
    trouble = (f'{overflows} listen-queue overflows, {syn_retrans} SYN retransmissions'
               if overflows or syn_retrans else '')
    if client.returncode != 0:
        lines = err.strip().splitlines() or ['no output']
        row['note'] = '; '.join(filter(None, [f'failed: {lines[-1][:80]}', trouble]))
        return row
    result = json.loads(out)
    row.update({'wall s': f'{result["wall"]:.2f}',
                'wall / d': f'{result["wall"] / delay:.2f}',
                'peak MiB': f'{sampler.peak_pss / 1024:.0f}',
                'peak processes': sampler.peak_processes,
                'peak threads': sampler.peak_threads,
                'client CPU s': f'{result["cpu"] + sum(sampler.cpu.values()):.1f}',
                'server CPU s': f'{server_cpu:.1f}'})
    notes = []
    if row['workers'] < n:
        notes.append(f'capped at {row["workers"]} workers')
    if result['ok'] != n:
        notes.append(f'only {result["ok"]} of {n} responses complete')
    row['note'] = '; '.join(filter(None, notes + [trouble]))
    return row


def warning_flags():
    """The -W options this interpreter runs with, for the client processes too."""
    return [f'-W{option}' for option in sys.warnoptions]


# -- outputs
def machine():
    cpu = 'unknown CPU'
    with contextlib.suppress(OSError):
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    return (f'{os.cpu_count()} × {cpu}, Linux {platform.release()}, '
            f'Python {platform.python_version()}')


def cpu_idle(seconds=1.0):
    """Fraction of the machine's CPU time that was idle over the next second."""
    def times():
        fields = Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]
        values = [int(f) for f in fields]
        return values[3] + values[4], sum(values[:8])   # idle + iowait, total
    idle, total = times()
    time.sleep(seconds)
    idle2, total2 = times()
    return (idle2 - idle) / max(1, total2 - total)


def write_csv(rows, path):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([row[c] for c in COLUMNS] for row in rows)


def write_table(rows, path, counts):
    """The slide's table: wall time and memory of each model at the given N.

    Returns the footnote for capped pools ('' when none is capped).
    """
    models = list(dict.fromkeys(row['model'] for row in rows))
    header = ['model'] + [cell for n in counts for cell in (f'N = {n:,}', 'MiB')]
    capped = {}
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for model in models:
            cells = [model]
            for n in counts:
                row = next((r for r in rows if r['model'] == model and r['N'] == n), {})
                ratio = f'{row["wall / d"]} × d' if row.get('wall / d') else '—'
                if row.get('workers', n) < n:
                    ratio += ' *'
                    capped[model] = row['workers']
                cells += [ratio, row.get('peak MiB') or '—']
            writer.writerow(cells)
    if not capped:
        return ''
    pools = ', '.join(f'{model} at {workers:,} workers' for model, workers in capped.items())
    return f'\\* pool capped: {pools}.'


def summary(rows, counts, delay):
    """One sentence per N, for the speaker notes."""
    sentences = []
    for n in counts:
        parts = [f'{r["model"]} {r["wall / d"]} × d ({r["peak MiB"]} MiB'
                 + (f', {r["workers"]:,} workers' if r['workers'] < n else '') + ')'
                 for r in rows if r['N'] == n and r['wall / d']]
        if parts:
            sentences.append(f'At N = {n:,}: ' + ', '.join(parts) + '.')
    return ' '.join(sentences) + f' (d = {delay:g} s.)'


def write_chart(rows, path, delay):
    import matplotlib
    matplotlib.use('Agg')
    matplotlib.rcParams['svg.hashsalt'] = 'bench'      # reproducible SVG ids
    from matplotlib import pyplot as plt

    fig, (wall, memory) = plt.subplots(1, 2, figsize=(10, 4.2), layout='constrained')
    for model in dict.fromkeys(row['model'] for row in rows):
        done = [r for r in rows if r['model'] == model and r['wall / d']]
        ns = [r['N'] for r in done]
        line, = wall.plot(ns, [float(r['wall / d']) for r in done], 'o-', label=model)
        memory.plot(ns, [float(r['peak MiB']) for r in done], 'o-', color=line.get_color())
        capped = [r for r in done if r['workers'] < r['N']]
        if capped:
            wall.plot([r['N'] for r in capped], [float(r['wall / d']) for r in capped],
                      'o', markersize=12, fillstyle='none', color=line.get_color())
    wall.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    wall.set(ylabel=f'wall time / d   (d = {delay:g} s)', title='time (1 = ideal)')
    memory.set(ylabel='peak memory of the client (PSS), MiB', title='memory')
    wall.legend(title='circled: pool capped')
    ns = sorted({row['N'] for row in rows})
    for axes, ticks in ((wall, [1, 2, 5, 10, 20, 50, 100]),
                        (memory, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])):
        axes.set(xscale='log', yscale='log', xlabel='N concurrent requests')
        axes.set_xticks(ns, [f'{n:,}' for n in ns])
        axes.minorticks_off()
        low, high = axes.get_ylim()
        shown = [t for t in ticks if low <= t <= high]
        axes.set_yticks(shown, [f'{t:,}' for t in shown])
        axes.grid(True, alpha=0.3)
    fig.savefig(path, metadata={'Date': None, 'Creator': None})
    plt.close(fig)


def write_outputs(rows, out, counts, delay, notes, command):
    out.mkdir(parents=True, exist_ok=True)
    write_csv(rows, out / 'bench.csv')
    quoted = [n for n in (1000, 10_000) if n in counts] or counts[-2:]
    footnote = write_table(rows, out / 'bench_table.csv', quoted)
    (out / 'table_note.txt').write_text(
        'Wall time over d (1 is ideal) and peak memory of the client. '
        + footnote + '\n')
    write_chart(rows, out / 'bench.svg', delay)
    (out / 'summary.txt').write_text(summary(rows, quoted, delay) + '\n')
    (out / 'machine.txt').write_text(
        f'{command} on {machine()}; {"; ".join(notes)}.\n')


# -- the command line
def main(models, description):
    parser = argparse.ArgumentParser(
        description=description.splitlines()[0],
        epilog='Default: a small sweep, printed.  `make bench` runs the full one.')
    parser.add_argument('--counts', type=int, nargs='+', default=[10, 100],
                        help='numbers of concurrent requests N (default 10 100)')
    parser.add_argument('--delay', type=float, default=0.2,
                        help='seconds the server waits before each answer (default 0.2)')
    parser.add_argument('--models', nargs='+', choices=list(models), default=list(models))
    parser.add_argument('--server-processes', type=int, default=2)
    parser.add_argument('--out', type=Path,
                        help='write bench.csv, bench_table.csv, bench.svg, summary.txt, '
                             'machine.txt, table_note.txt into this directory')
    parser.add_argument('--command', default=None,
                        help='the command to quote next to the results')
    args = parser.parse_args()

    fd_limit, fd_note = raise_nofile_limit()
    print(fd_note, file=sys.stderr)
    notes = [fd_note, f'{args.server_processes} server processes, '
                      f'listen backlog {somaxconn()}',
             f'CPU {cpu_idle():.0%} idle just before']
    rows = []
    started = time.monotonic()
    for n in args.counts:
        for model in args.models:
            row = measure(model, n, args.delay, fd_limit, args.server_processes)
            rows.append(row)
            print('  '.join(f'{c}={row[c]}' for c in COLUMNS if row[c] != ''),
                  flush=True)
    took = time.monotonic() - started
    notes.append(f'the sweep took {took:.0f} s')
    print(f'sweep took {took:.0f} s', file=sys.stderr)
    if args.out:
        argv = sys.argv[1:]
        if '--command' in argv:                 # not part of what ran
            at = argv.index('--command')
            del argv[at:at + 2]
        command = '``python -m snippets.bench_models ' + ' '.join(argv) + '``'
        if args.command:
            command = f'``{args.command}`` ({command})'
        write_outputs(rows, args.out, args.counts, args.delay, notes, command)
        print(f'wrote {args.out}/', file=sys.stderr)


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == 'one':
        model, n, host, port, delay = sys.argv[2:7]
        print(json.dumps(run_one(model, int(n), host, int(port), float(delay))))
