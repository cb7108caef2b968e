"""The harness behind ``snippets.bench_models``: server, clients, timing, memory, outputs.

    python -m snippets.bench_models [--counts N ...] [--delay S] [--out DIR]

For every (model, N), a fresh server and fresh client processes:

* the server is nginx (C) with Debian's echo module: ``echo_sleep`` waits d
  seconds, then a 100-byte body, so what is measured is the client, not the
  server.  Several worker processes share each listening port (``reuseport``),
  access log off, the kernel's largest listen backlog (``somaxconn``); the
  CPU time of all its processes is reported beside the client's;
* the client is one process (``python -m snippets._bench client``) that runs
  the model on its share of the requests, or, for the event loops at large N,
  several processes, one loop each: one process may open only so many files.
  They start together; each reports its wall time, its CPU time, the CPU
  time its cycle collector (``gc``) ran, and every request's outcome:
  answered in full, timed out, refused, reset, or another error, by name;
* while they run, this process samples the proportional set size (PSS, from
  /proc/PID/smaps_rollup) of every client process and all its descendants
  every 50 ms, or less often when sampling takes longer (at most a tenth of
  a core); the peak of that sum is the client's memory.  PSS splits pages
  shared between forked processes fairly, where a sum of RSS would count them
  again for every worker.

At the N the slides compare the models at (10,000), each model runs three
takes, and the row is the median take with the range beside it; elsewhere,
one take.

Nothing here caps a model: a model that fails at some N (open files, threads,
memory) is recorded as failing there, with the limit that stopped it.  The
soft open-file limit is raised to the hard limit first (the children inherit
it).  The machine is shared: its idle share is measured before the sweep, and
the CPU time used by other processes during every run is recorded.
"""
import argparse
import contextlib
import csv
import errno
import gc
import json
import math
import multiprocessing
import os
import platform
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from snippets._nginx import HOST, echo_module, nginx_binary, running_nginx

ROOT = Path(__file__).resolve().parent.parent    # where `-m snippets...` runs
BODY_SIZE = 100
SAMPLE_EVERY = 0.05                 # seconds between memory samples
# Reading smaps_rollup walks a process's page tables: sampling one asyncio
# client holding 10,000 connections as often as it could (a third of the time)
# took a quarter of a core, on a machine of 2 (perf, 25 Nov 2026).
SAMPLE_SHARE = 0.1                  # of one core, at most
# Seconds one (model, N) run may take before it is killed and recorded as
# failed: the slowest complete run so far, asyncio at N = 100,000 on a busy
# machine (25 Nov 2026), took 86 s.
RUN_TIMEOUT = 180
# Descriptors a client process needs besides its sockets: 15 were open in one
# running uvloop (std streams, epoll, self-pipe, the interpreter's files), 9 on
# asyncio's loop; 64 leaves room.  The event loops run in several processes
# once N passes what one process may open: the hard open-file limit less this.
FD_MARGIN = 64
# Connections per server port: for each new connection the kernel searches its
# ephemeral range for a port still free towards that destination (address,
# port), so the fuller one destination's range, the more system time connect()
# takes.  30,000 connections on uvloop (2 processes), 25 Nov 2026, machine busy:
# through 2 ports (15,000 each) 500 and 573 µs of client CPU per request, through
# 6 ports (5,000 each) 343 and 381 µs.
PER_PORT = 5000
# nginx workers: each holds at most the open-file limit in connections, and
# reuseport hands a connection to one of them by a hash of its addresses: at
# 30,000 connections, 2 workers held 14,823 and 15,198 (1.3 % apart).  No worker
# gets more than 3/4 of its limit on average; at least one worker per core.
PER_WORKER_SHARE = 0.75
LOOPS = ('asyncio', 'uvloop')      # the models that can run one loop per process
CLOCK_TICKS = os.sysconf('SC_CLK_TCK')

COLUMNS = ['model', 'N', 'client processes', 'server ports', 'server workers',
           'takes', 'wall / d range', 'wall s', 'wall / d', 'overhead s',
           'client CPU µs/request', 'client CPU s', 'client GC s',
           'client peak MiB', 'peak processes', 'peak threads',
           'server CPU s', 'server CPU µs/request',
           'answered', 'timeouts', 'refused', 'resets', 'other failures',
           'others CPU %', 'result']


# -- this machine and its limits
def raise_nofile_limit():
    """Raise the soft open-file limit to the hard one; return ``(soft, note)``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft >= hard:
        return soft, f'open-file limit {soft:,} per process (the hard limit)'
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        return soft, f'open-file limit {soft:,}: could not raise it to {target:,} ({exc})'
    return target, f'open-file limit raised from {soft:,} to {target:,} (the hard limit)'


def read_numbers(path, default=()):
    try:
        return [int(field) for field in Path(path).read_text().split()]
    except (OSError, ValueError):
        return list(default)


def kernel_limits():
    """The kernel's limits that bound N: ``{name: value}``."""
    low, high = read_numbers('/proc/sys/net/ipv4/ip_local_port_range', (32768, 60999))
    memory = {line.split(':')[0]: int(line.split()[1])
              for line in Path('/proc/meminfo').read_text().splitlines()}
    return {
        'ports': high - low + 1, 'port range': f'{low}–{high}',
        'somaxconn': read_numbers('/proc/sys/net/core/somaxconn', [4096])[0],
        'max_map_count': read_numbers('/proc/sys/vm/max_map_count', [65530])[0],
        'pid_max': read_numbers('/proc/sys/kernel/pid_max', [32768])[0],
        'threads-max': read_numbers('/proc/sys/kernel/threads-max', [0])[0],
        'memory available MiB': memory.get('MemAvailable', 0) // 1024,
        'memory MiB': memory.get('MemTotal', 0) // 1024,
    }


def machine():
    cpu = 'unknown CPU'
    with contextlib.suppress(OSError):
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    memory = kernel_limits()['memory MiB']
    nginx = subprocess.run([nginx_binary(), '-v'], capture_output=True, text=True).stderr
    return (f'{os.cpu_count()} × {cpu}, {memory / 1024:.0f} GiB, Linux {platform.release()}, '
            f'Python {platform.python_version()}, {nginx.strip().rsplit(" ", 1)[-1]}')


def cpu_times():
    """``(busy, total)`` CPU time of the whole machine so far, in clock ticks."""
    fields = [int(f) for f in Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]                       # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_idle(seconds=2.0):
    """Fraction of the machine's CPU time that was idle over the next ``seconds``."""
    busy, total = cpu_times()
    time.sleep(seconds)
    busy2, total2 = cpu_times()
    return 1 - (busy2 - busy) / max(1, total2 - total)


# -- processes: CPU time, memory, descendants
def process_table():
    """``{pid: (ppid, cpu seconds, cpu seconds of waited-for children, threads)}``."""
    table = {}
    for entry in os.scandir('/proc'):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, 'stat').read_text()
            except OSError:
                continue
            fields = text.rsplit(')', 1)[1].split()
            table[int(entry.name)] = (
                int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
                (int(fields[13]) + int(fields[14])) / CLOCK_TICKS, int(fields[17]))
    return table


def descendants(roots, table=None):
    """The pids of ``roots`` and every process below them."""
    table = process_table() if table is None else table
    children = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid in table:
            found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def tree_cpu(root):
    """CPU seconds of ``root`` and the processes below it, living or waited for."""
    table = process_table()
    return sum(table[pid][1] + table[pid][2] for pid in descendants([root], table))


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
    """Sample the process trees below ``roots`` until stopped: peak PSS (KiB), processes, threads.

    Every SAMPLE_EVERY seconds, or less often when sampling would take more than
    SAMPLE_SHARE of a core: the sampler shares the machine with what it measures.
    """

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots, self._stopped = roots, threading.Event()
        self.peak_pss = self.peak_processes = self.peak_threads = 0

    def run(self):
        while not self._stopped.is_set():
            started = time.monotonic()
            table = process_table()
            tree = descendants(self.roots, table)
            self.peak_pss = max(self.peak_pss, sum(map(pss_kib, tree)))
            self.peak_processes = max(self.peak_processes, len(tree))
            self.peak_threads = max(self.peak_threads, sum(table[pid][3] for pid in tree))
            took = time.monotonic() - started
            self._stopped.wait(max(SAMPLE_EVERY, took * (1 / SAMPLE_SHARE - 1)))

    def stop(self):
        self._stopped.set()
        self.join(30)


# -- the client process: one model on its share of the requests
def own_cpu():
    """CPU seconds of this process and of everything below it (living or waited for)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    table = process_table()
    below = [pid for pid in descendants([os.getpid()], table) if pid != os.getpid()]
    return (sum(u.ru_utime + u.ru_stime for u in usage)
            + sum(table[pid][1] + table[pid][2] for pid in below))


class CollectorTime:
    """CPU seconds the cycle collector ran in this process, from ``gc.callbacks``.

    A collection runs in one thread, holding the GIL, from 'start' to 'stop'.
    """

    def __init__(self):
        self.seconds, self._started = 0.0, None

    def __call__(self, phase, info):
        if phase == 'start':
            self._started = time.thread_time()
        elif self._started is not None:
            self.seconds += time.thread_time() - self._started
            self._started = None


def outcome(result, expected):
    """What became of one request: 'answered', 'timeouts', 'refused', 'resets' or an error's name."""
    from snippets._http import split_response
    if isinstance(result, bytes):
        return 'answered' if split_response(result) == expected else 'wrong answer'
    if isinstance(result, TimeoutError):
        return 'timeouts'
    if isinstance(result, ConnectionRefusedError):
        return 'refused'
    if isinstance(result, (ConnectionResetError, BrokenPipeError)):
        return 'resets'
    if isinstance(result, OSError) and result.errno in errno.errorcode:
        return errno.errorcode[result.errno]
    return type(result).__name__


def client():
    """Client process: read the job, say ready, wait for go, run, report as JSON."""
    from snippets.bench_models import MODELS
    from snippets.demo_server import demo_body

    raise_nofile_limit()
    job = json.loads(sys.stdin.readline())
    if job.get('nofile'):                                 # a lower limit, to see it bite
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (job['nofile'], resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    requests = [tuple(r) for r in job['requests']]
    # Worker processes fork from a server that already imported the client:
    # the cheapest start a process pool can get.
    multiprocessing.get_context('forkserver').set_forkserver_preload(['snippets.bench_models'])
    print('ready', flush=True)
    sys.stdin.readline()                                  # go
    collector = CollectorTime()                           # this process only, not pool workers
    gc.callbacks.append(collector)
    cpu, start = own_cpu(), time.monotonic()              # CLOCK_MONOTONIC: one clock for all
    error = None
    try:
        results = MODELS[job['model']](requests)
    except Exception as exc:                              # the model as a whole failed
        results, error = [], f'{type(exc).__name__}: {exc}'
    end = time.monotonic()
    cpu = own_cpu() - cpu
    gc.callbacks.remove(collector)
    counts = {}
    expected = (200, demo_body(BODY_SIZE))
    for result in results:
        kind = outcome(result, expected)
        counts[kind] = counts.get(kind, 0) + 1
    print(json.dumps({'start': start, 'end': end, 'cpu': cpu, 'gc': collector.seconds,
                      'counts': counts, 'error': error}), flush=True)


# -- the server
def echo_body():
    """demo_body(BODY_SIZE) as an nginx string (its newlines as \\n)."""
    from snippets.demo_server import demo_body
    return demo_body(BODY_SIZE).decode('ascii').replace('\n', '\\n')


@contextlib.contextmanager
def delayed_server(ports=1, workers=2, fd_limit=1024, backlog=4096):
    """nginx on ``ports`` free ports: ``/?delay=S`` answers the 100-byte body after S seconds."""
    # nginx's timeouts are not to decide a result: its default 60 s for a request
    # to arrive closed 65,866 of asyncio's 100,000 connections on a busy machine
    # (25 Nov 2026), whose requests came late.  They wait as long as a run may.
    server = f'''\
        chunked_transfer_encoding off;    # the body as it is, then close
        client_header_timeout {RUN_TIMEOUT}s;
        send_timeout {RUN_TIMEOUT}s;
        location / {{
            echo_sleep $arg_delay;
            echo -n "{echo_body()}";
        }}'''
    with running_nginx(server, ports=ports, workers=workers,
                       listen_options=f'reuseport backlog={backlog}',
                       connections=max(256, fd_limit - FD_MARGIN),
                       main=f'load_module {echo_module()};') as nginx:
        yield nginx


# -- one measurement
def plan(model, n, fd_limit):
    """``(client processes, server ports, server workers)`` for N requests of ``model``."""
    clients = math.ceil(n / max(1, fd_limit - FD_MARGIN)) if model in LOOPS else 1
    ports = math.ceil(n / PER_PORT)
    workers = max(os.cpu_count() or 1, math.ceil(n / (fd_limit * PER_WORKER_SHARE)))
    return clients, ports, workers


def failure_limit(kinds, limits, fd_limit):
    """Which limit the failures of a run point to, in words ('' when none is known)."""
    reasons = {
        'EMFILE': f'open files per process: {fd_limit:,}',
        'ENFILE': 'open files of the whole system (fs.file-max)',
        'EADDRNOTAVAIL': f'ephemeral ports: {limits["ports"]:,} per server address and port',
        "can't start new thread": (f'threads: max_map_count {limits["max_map_count"]:,} '
                                   f'(2 maps each), pid_max {limits["pid_max"]:,} (all tasks)'),
        'ENOMEM': f'memory ({limits["memory available MiB"]:,} MiB available at the start)',
        'killed': f'memory ({limits["memory available MiB"]:,} MiB available at the start)',
        'timed out': f'this harness: {RUN_TIMEOUT} s per run',
        'timeouts': 'the blocking http_get\'s socket timeout, or the kernel\'s connect timeout',
        'IncompleteResponse': 'the server closed connections before it answered',
    }
    return '; '.join(reason for key, reason in reasons.items()
                     if any(key in kind for kind in kinds))


def measure(model, n, delay, fd_limit, limits=None, client_nofile=None):
    """One row of the table: run ``model`` on N requests in fresh client processes.

    ``client_nofile``: an open-file limit for the clients below ``fd_limit``
    (the tests use it to make a run fail).
    """
    limits = limits or kernel_limits()
    clients, ports, workers = plan(model, n, fd_limit)
    row = dict.fromkeys(COLUMNS, '')
    row.update({'model': model, 'N': n, 'client processes': clients,
                'server ports': ports, 'server workers': workers})
    with delayed_server(ports, workers, fd_limit, limits['somaxconn']) as nginx:
        requests = [(HOST, nginx.ports[i % ports], f'/?delay={delay:g}&n={i}') for i in range(n)]
        run = run_clients(model, requests, clients, nginx.process.pid, client_nofile)
    reports, errors = run['reports'], run['errors']
    counts = {}
    for report in reports:
        for kind, count in report['counts'].items():
            counts[kind] = counts.get(kind, 0) + count
    errors += [r['error'] for r in reports if r['error']]
    failures = {kind: count for kind, count in counts.items() if kind != 'answered'}
    row.update({'answered': counts.get('answered', 0), 'timeouts': counts.get('timeouts', 0),
                'refused': counts.get('refused', 0), 'resets': counts.get('resets', 0),
                'other failures': sum(count for kind, count in failures.items()
                                      if kind not in ('timeouts', 'refused', 'resets'))})
    client_cpu = sum(r['cpu'] for r in reports)
    if reports and not errors:
        wall = max(r['end'] for r in reports) - min(r['start'] for r in reports)
        row.update({'wall s': f'{wall:.2f}', 'wall / d': f'{wall / delay:.2f}',
                    'overhead s': f'{wall - delay:.2f}',
                    'client CPU s': f'{client_cpu:.2f}',
                    'client GC s': f'{sum(r["gc"] for r in reports):.2f}',
                    'client CPU µs/request': f'{client_cpu / n * 1e6:.0f}'})
    sampler = run['sampler']
    row.update({'client peak MiB': f'{sampler.peak_pss / 1024:.0f}',
                'peak processes': sampler.peak_processes,
                'peak threads': sampler.peak_threads,
                'server CPU s': f'{run["server cpu"]:.2f}',
                'server CPU µs/request': f'{run["server cpu"] / n * 1e6:.0f}'})
    # Other processes' share of the machine while this ran: its busy time less ours.
    ours = client_cpu + run['server cpu'] + run['harness cpu']
    if run['capacity']:
        row['others CPU %'] = f'{max(0.0, run["busy"] - ours) / run["capacity"] * 100:.0f}'
    failed = n - row['answered']
    if not errors and not failed:
        row['result'] = 'ok'
    else:
        detail = '; '.join(errors[:1] + [f'{count:,} × {kind}' for kind, count in failures.items()])
        limit = failure_limit([*errors, *failures], limits, client_nofile or fd_limit)
        if row['others CPU %'] and float(row['others CPU %']) > BUSY_OTHERS:
            limit += f'{"; " if limit else ""}other processes took {row["others CPU %"]}% of the CPU'
        row['result'] = (f'failed: {failed:,} of {n:,}'
                         + (f' ({detail})' if detail else '')
                         + (f'; limit: {limit}' if limit else ''))
    return row


def run_clients(model, requests, count, server_pid, nofile=None):
    """Run ``model`` on ``requests`` split over ``count`` client processes, started together.

    Returns a dict: each process's JSON ``reports``, the ``errors`` of processes
    that did not report, the memory ``sampler``, the CPU seconds of the server
    and of this harness during the run, and the machine's ``busy`` CPU seconds
    and ``capacity`` (CPU seconds it had) over the run.
    """
    cmd = [sys.executable, *warning_flags(), '-m', 'snippets._bench', 'client']
    procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, process_group=0)
             for _ in range(count)]
    run = {'reports': [], 'errors': [], 'sampler': TreeSampler([p.pid for p in procs])}
    try:
        for i, proc in enumerate(procs):
            job = {'model': model, 'requests': requests[i::count], 'nofile': nofile}
            proc.stdin.write(json.dumps(job) + '\n')
            proc.stdin.flush()
        for proc in procs:
            if readline_within(proc, 60) != 'ready\n':
                proc.kill()
                raise RuntimeError(f'a client did not start: {proc.communicate()[1][-2000:]}')
        server, harness, (busy, total) = tree_cpu(server_pid), harness_cpu(), cpu_times()
        run['sampler'].start()
        for proc in procs:
            proc.stdin.write('go\n')
            proc.stdin.flush()
        deadline = time.monotonic() + RUN_TIMEOUT
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                run['errors'].append(f'timed out after {RUN_TIMEOUT} s')
                break
            if proc.returncode == 0:
                run['reports'].append(json.loads(out.splitlines()[-1]))
            elif proc.returncode < 0:
                run['errors'].append(f'killed by signal {-proc.returncode}')
            else:
                lines = err.strip().splitlines() or ['no output']
                run['errors'].append(lines[-1][:120])
        run['server cpu'] = tree_cpu(server_pid) - server
        run['harness cpu'] = harness_cpu() - harness
        busy2, total2 = cpu_times()
        run['busy'], run['capacity'] = (busy2 - busy) / CLOCK_TICKS, (total2 - total) / CLOCK_TICKS
    finally:
        if run['sampler'].is_alive():
            run['sampler'].stop()
        for proc in procs:
            if proc.returncode is None:         # each client leads a process group:
                with contextlib.suppress(OSError):      # kill it with its workers
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                with contextlib.suppress(OSError):
                    stream.close()
    return run


def readline_within(proc, seconds):
    """The next line of ``proc``'s output, or '' if none comes within ``seconds``."""
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    return proc.stdout.readline() if ready else ''


def harness_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warning_flags():
    """The -W options this interpreter runs with, for the client processes too."""
    return [f'-W{option}' for option in sys.warnoptions]



# -- the sweep
def skip_reason(model, n, done, delay):
    """Why ``model`` is not run at N ('' to run it): it failed at a smaller N, or
    (the pools) it would take past RUN_BUDGET: d plus N times the client CPU per
    request of its run at the previous N, on one core.  The event loops, which the
    slides quote at every N, always run."""
    earlier = [row for row in done if row['model'] == model and row['N'] < n]
    if not earlier:
        return ''
    last = max(earlier, key=lambda row: row['N'])
    if last['result'].startswith('not run'):
        return f'not run: not run at N = {last["N"]:,} either'
    if last['result'] != 'ok':
        return f'not run: failed at N = {last["N"]:,}'
    estimate = delay + float(last['client CPU µs/request']) * n / 1e6
    if estimate > RUN_BUDGET and model not in LOOPS:
        return (f'not run: ~{estimate:.0f} s expected ({last["client CPU µs/request"]} µs '
                f'of CPU per request at N = {last["N"]:,}), over the {RUN_BUDGET} s '
                f'a run may take in make bench')
    return ''


# A pool's run expected to take longer than this is not started: `make bench`
# must stay under 5 minutes, and on a busy machine (25 Nov 2026) the event
# loops' runs alone took 179 s of a 252 s sweep.  The estimate, N times the CPU
# per request at the previous N on one core, gave 43 s for processes at
# N = 1,000 (43,248 µs at N = 100); that run took 21 s.
RUN_BUDGET = 60


# At N = 10,000, the largest N every model but the process pool reaches and
# the one the slides compare them at, each model runs REPEATS takes; elsewhere
# one (make bench must stay under 5 minutes).  One take is not enough there:
# threads took from 4.62 to 25.64 × d in seven takes on an idle machine
# (25 Nov 2026), fighting over the GIL more in some than in others; asyncio,
# in four, from 4.70 to 6.88.
REPEATS, REPEAT_AT = 3, (10_000,)


def median_take(takes):
    """One row for the takes of a point: a failed take if any (a failure is never
    averaged away), else the median take by wall time (of two, the slower), with
    the number of takes and the range of wall / d."""
    failed = [take for take in takes if take['result'] != 'ok']
    if failed:
        return {**failed[0], 'takes': len(takes)}
    ordered = sorted(takes, key=lambda take: float(take['wall / d']))
    row = dict(ordered[len(ordered) // 2])
    row['takes'] = len(takes)
    if len(takes) > 1:
        row['wall / d range'] = f'{ordered[0]["wall / d"]}–{ordered[-1]["wall / d"]}'
    return row


def sweep(models, counts, delay, fd_limit, limits, show=print, repeats=REPEATS,
          repeat_at=REPEAT_AT):
    rows = []
    for n in counts:
        for model in models:
            reason = skip_reason(model, n, rows, delay)
            if reason:
                row = dict.fromkeys(COLUMNS, '')
                row.update(model=model, N=n, result=reason)
            else:
                takes = []
                for _ in range(repeats if n in repeat_at else 1):
                    takes.append(measure(model, n, delay, fd_limit, limits))
                    if takes[-1]['result'] != 'ok':     # a failure ends the takes
                        break
                row = median_take(takes)
            rows.append(row)
            show('  '.join(f'{c}={row[c]}' for c in COLUMNS if row[c] != ''))
    return rows


# -- what the rows say
QUOTED = (10_000, 100_000)          # the N the slides quote


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


UNITS = {'processes': 'processes', 'threads': 'threads'}     # else: connections


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


# -- outputs
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
    lines = ['.. Written by `make bench` (snippets/_bench.py): do not edit.', '']
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
                  else [m, m] for r, m in zip(done, median)]
        wall.errorbar(ns, median, fmt='none', color=line.get_color(), capsize=3,
                      yerr=[[m - lo for m, (lo, _) in zip(median, spread)],
                            [hi - m for m, (_, hi) in zip(median, spread)]])
        memory.plot(ns, [float(r['client peak MiB']) for r in done], 'o-', color=line.get_color())
        failures += [(r, line.get_color()) for r in rows
                     if r['model'] == model and r['result'].startswith('failed')]
    wall.axhline(1, color='grey', linewidth=0.8, linestyle=':')
    wall.set(ylabel=f'wall time / d   (d = {delay:g} s)', title='time (1 = ideal)')
    memory.set(ylabel='peak memory of the client (PSS), MiB', title='memory')
    ns = sorted({row['N'] for row in rows})
    for axes, ticks in ((wall, [1, 2, 5, 10, 20, 50, 100]),
                        (memory, [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000])):
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


# -- targets (issue 16): printed beside the results, never asserted
TARGETS = [('asyncio', 10_000, 2.6), ('uvloop', 10_000, 1.7),
           ('asyncio', 100_000, 12), ('uvloop', 100_000, 12)]


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
    rows = sweep(args.models, args.counts, args.delay, fd_limit, limits,
                 repeats=args.repeats, repeat_at=args.repeat_at,
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


# The machine counts as busy when less than 90 % of its CPU was idle before the
# sweep, or other processes took more than 10 % of it during a run.
BUSY_IDLE, BUSY_OTHERS = 0.9, 10


if __name__ == '__main__':
    if sys.argv[1:] == ['client']:
        client()
