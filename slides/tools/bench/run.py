"""One measurement: nginx and the client processes for one (model, N): a ``Take``."""
import contextlib
import json
import math
import os
import platform
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from slides.tools.bench.client import BODY_SIZE, reference
from slides.tools.bench.config import BUSY_SHARE
from slides.tools.bench.records import Take
from slides.tools.bench.sampler import TreeSampler
from slides.tools.bench.system import CLOCK_TICKS, cpu_times, kernel_limits, python_build, tree_cpu
from slides.tools.nginx import HOST, echo_module, running_nginx
from snippets._demo_server import demo_body

ROOT = Path(__file__).resolve().parents[3]     # the checkout, where `-m slides...` runs
RUN_TIMEOUT = 180                   # seconds one run may take before it is killed and failed
START_TIMEOUT = 60                  # seconds for a client process to import its model
# Descriptors a client process needs besides its sockets (std streams, epoll,
# self-pipe, the interpreter's files); the event loops run in several processes
# once N passes what one process may open: the hard open-file limit less this.
FD_MARGIN = 64
# Connections per server port: for each new connection the kernel searches its
# ephemeral range for a port still free towards that destination (address,
# port), so the fuller one destination's range, the more system time connect() takes.
PER_PORT = 5000
# nginx workers: each holds at most the open-file limit in connections, and
# reuseport hands a connection to one of them by a hash of its addresses, about
# evenly: no worker gets more than this share of its limit on average; at least
# one worker per core.
PER_WORKER_SHARE = 0.75
LOOPS = ('asyncio', 'uvloop')       # the models that can run one loop per process
# What a client may do to its cycle collector after start-up, before it runs the model.
COLLECTORS = ('default', 'freeze', 'threshold')


def echo_body():
    """demo_body(BODY_SIZE) as an nginx string (its newlines as \\n)."""
    return demo_body(BODY_SIZE).decode('ascii').replace('\n', '\\n')


@contextlib.contextmanager
def delayed_server(ports=1, workers=2, fd_limit=1024, backlog=4096):
    """nginx on ``ports`` free ports: ``/?delay=S`` answers the 100-byte body after S seconds.

    nginx's timeouts are not to decide a result (its default 60 s for a request
    to arrive closes the connections of a client whose requests come late):
    they wait as long as a run may.
    """
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
                       main=f'load_module {echo_module()};', status=True) as nginx:
        yield nginx


def plan(model, n, fd_limit):
    """``(client processes, server ports, server workers)`` for N requests of ``model``."""
    clients = math.ceil(n / max(1, fd_limit - FD_MARGIN)) if model in LOOPS else 1
    ports = math.ceil(n / PER_PORT)
    workers = max(os.cpu_count() or 1, math.ceil(n / (fd_limit * PER_WORKER_SHARE)))
    return clients, ports, workers


def failure_limit(kinds, limits, fd_limit, timeout=None):
    """Which limit the failures of a run point to, in words ('' when none is known)."""
    reasons = {
        'EMFILE': f'open files per process: {fd_limit:,}',
        'ENFILE': 'open files of the whole system (fs.file-max)',
        'EADDRNOTAVAIL': f'ephemeral ports: {limits["ports"]:,} per server address and port',
        "can't start new thread": (f'threads: max_map_count {limits["max_map_count"]:,} '
                                   f'(2 maps each), pid_max {limits["pid_max"]:,} (all tasks)'),
        'ENOMEM': f'memory ({limits["memory available MiB"]:,} MiB available at the start)',
        'killed': f'memory ({limits["memory available MiB"]:,} MiB available at the start)',
        'timed out': f'this harness: {timeout or RUN_TIMEOUT:g} s per run',
        'timeouts': 'the blocking http_get\'s socket timeout, or the kernel\'s connect timeout',
        'IncompleteResponse': 'the server closed connections before it answered',
    }
    return '; '.join(reason for key, reason in reasons.items()
                     if any(key in kind for kind in kinds))


def measure(name, model, n, delay, fd_limit, limits=None, client_nofile=None, collector='default',
            timeout=None):
    """One Take: run ``model`` (a function, called ``name``) on N requests in fresh client processes.

    ``client_nofile``: an open-file limit for the clients below ``fd_limit``
    (the tests use it to make a run fail); ``collector``: one of COLLECTORS;
    ``timeout``: seconds before the run is killed (RUN_TIMEOUT, or less: the sweep's budget).
    """
    limits = limits or kernel_limits()
    clients, ports, workers = plan(name, n, fd_limit)
    take = Take(model=name, n=n, collector=collector, python=platform.python_version(),
                build=python_build(), delay=delay, clients=clients, ports=ports, workers=workers)
    with delayed_server(ports, workers, fd_limit, limits['somaxconn']) as nginx:
        requests = [(HOST, nginx.ports[i % ports], f'/?delay={delay:g}&n={i}') for i in range(n)]
        run = run_clients(reference(model), requests, clients, nginx, client_nofile, collector,
                          timeout or RUN_TIMEOUT)
    reports, errors = run['reports'], run['errors']
    for report in reports:
        for kind, count in report['counts'].items():
            take.outcomes[kind] = take.outcomes.get(kind, 0) + count
    errors += [r['error'] for r in reports if r['error']]
    take.error = '; '.join(errors)
    if reports and not errors:
        take.wall = max(r['end'] for r in reports) - min(r['start'] for r in reports)
        take.cpu = sum(r['cpu'] for r in reports)
        take.gc = sum(r['gc'] for r in reports)
    peak, held = run['sampler'].peak, run['sampler'].at_peak_pss
    take.peak_mib = peak['pss'] / 1024
    take.processes_at_peak, take.threads_at_peak = held['processes'], held['threads']
    take.peak_processes, take.peak_threads = peak['processes'], peak['threads']
    take.in_flight, take.server_cpu = peak['in flight'], run['server cpu']
    # Other processes' share of the machine while this ran: its busy time less ours, less what
    # the hypervisor stole (a share of its own), and less the kernel's interrupt work, which is
    # no process's: on loopback it is the run's own traffic (a tenth of the machine at
    # N = 100,000, which counted as 'other processes' made every such run look busy).
    ours = sum(r['cpu'] for r in reports) + run['server cpu'] + run['harness cpu']
    spent = run['machine']
    if spent.total:
        processes = spent.busy - spent.steal - spent.interrupts
        take.others = max(0.0, processes / CLOCK_TICKS - ours) / (spent.total / CLOCK_TICKS)
        take.steal = spent.steal / spent.total
        take.busy = max(take.others, take.steal) > BUSY_SHARE
    if not take.ok:
        take.limit = failure_limit([*errors, *take.failures], limits, client_nofile or fd_limit,
                                   timeout or RUN_TIMEOUT)
    return take


def run_clients(model, requests, count, nginx, nofile=None, collector='default', timeout=None):
    """Run ``model`` (``module:name``) on ``requests`` to ``nginx`` split over ``count``
    client processes, started together.

    Returns a dict: each process's JSON ``reports``, the ``errors`` of processes
    that did not report, the ``sampler`` with its peaks, the CPU seconds of the
    server and of this harness during the run, and the ``machine``'s CpuTimes
    over the run.
    """
    cmd = [sys.executable, *warning_flags(), '-m', 'slides.tools.bench.client']
    procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, process_group=0)
             for _ in range(count)]
    run = {'reports': [], 'errors': [],
           'sampler': TreeSampler([p.pid for p in procs], nginx.connections)}
    server_pid = nginx.process.pid
    try:
        for i, proc in enumerate(procs):
            job = {'model': model, 'requests': requests[i::count], 'nofile': nofile,
                   'collector': collector}
            proc.stdin.write(json.dumps(job) + '\n')
            proc.stdin.flush()
        for proc in procs:
            if readline_within(proc, START_TIMEOUT) != 'ready\n':
                proc.kill()
                raise RuntimeError(f'a client did not start: {proc.communicate()[1][-2000:]}')
        server, harness, machine = tree_cpu(server_pid), harness_cpu(), cpu_times()
        run['sampler'].start()
        for proc in procs:
            proc.stdin.write('go\n')
            proc.stdin.flush()
        timeout = timeout or RUN_TIMEOUT
        deadline = time.monotonic() + timeout
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                run['errors'].append(f'timed out after {timeout:g} s')
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
        run['machine'] = cpu_times() - machine
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
