"""Why threads take about 3 × d in one take and 15-45 × d in the next: a GIL convoy.

    python -m slides.tools.threads_probe --python 3.13 --delays 1 --switch 0.005 10 --rounds 3

``make bench``'s nginx (``slides.tools.bench.run.delayed_server``, the echo module's ``echo_sleep``) answers N = 10,000 requests after d s each; a client runs
them the slide's way (``ThreadPoolExecutor(N)``, a ``submit`` of the blocking ``http_get`` each) or with
one ``threading.Thread`` each (``--models threads``), every (Python, d, switch interval, futex hash,
model) in turn, round after round.  Per take: wall / d, the time to submit all, user and kernel CPU,
CPU per request, context switches, the peak of threads blocked in ``futex`` inside ``_PyRuntime``
(``/proc/PID/task/*/syscall``: the GIL's mutex and condition live there), and others' CPU and steal
(counted as ``make bench`` counts them; a take is this machine's only when both are near 0).  Then, per setting, every take's
CPU per request and how many were slow (> SLOW µs).

What it shows (slides/tools/threads_probe.md): a slow take is a convoy on the GIL.  When the answers
come, thousands of threads wait in ``take_gil``, each in a condition wait that times out every switch
interval and then retakes the GIL's mutex; the kernel's time goes to futex wake-ups on that mutex.
``--switch 10`` (waiters then wake only when the GIL is handed over) makes most slow takes fast.

``--python``: a version pyenv has (3.11, 3.12, 3.13), one of the Debian chroot's (3.14, 3.15 in
``.chroot/sid``; as root, /proc is mounted in it for the run), or a path.  Default: this interpreter.
"""
import argparse
import contextlib
import fcntl
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from slides.tools.bench.run import FD_MARGIN, delayed_server
from slides.tools.bench.system import CLOCK_TICKS, cpu_times, tree_cpu

ROOT = Path(__file__).resolve().parents[2]
CHROOT = ROOT / '.chroot'
CHROOT_PYTHONS = ('3.14', '3.15')
FUTEX = '202'                       # x86-64 system call number of futex (the first field of .../syscall)
RUNTIME_SPAN = 0x80000              # bytes of _PyRuntime to count in (0x28b20 in 3.11 .. 0x704a8 in 3.12)
SLOW = 1000                         # µs of CPU per request above which a take is slow (fast ones: 200-650)
SAMPLE_EVERY = 0.5                  # seconds between two reads of the client's threads (each costs CPU)
TAKE_TIMEOUT = 180                  # seconds before a take is killed

# The client: python -c CLIENT MODEL N DELAY PORTS SWITCH HASH.  It prints the address of _PyRuntime, waits
# for a line, runs the model and prints one JSON line.
CLIENT = r'''
import ctypes, json, resource, socket, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

model, n, delay, ports = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
sys.setswitchinterval(float(sys.argv[5]))
if sys.argv[6] == 'global':                              # prctl(PR_FUTEX_HASH, SET_SLOTS, 0): Linux < 6.16's
    assert ctypes.CDLL(None, use_errno=True).prctl(78, 1, 0, 0, 0) == 0, ctypes.get_errno()
print('runtime', ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, '_PyRuntime')), flush=True)
sys.stdin.readline()


def http_get(host, port=80, path='/'):                   # snippets.http_blocking.http_get
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f'GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n'.encode('ascii'))
        response = b''
        while chunk := sock.recv(64 * 1024):
            response += chunk
    return response


requests = [('127.0.0.1', ports[i % len(ports)], f'/?delay={delay:g}&n={i}') for i in range(n)]
usage, start = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
if model == 'pool':                                      # snippets.bench_models.with_threads
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(http_get, *r) for r in requests]
        submitted = time.monotonic()
    answered = sum(f.exception() is None for f in futures)
else:
    results = []
    threads = [threading.Thread(target=lambda r: results.append(http_get(*r)), args=(r,)) for r in requests]
    for t in threads:
        t.start()
    submitted = time.monotonic()
    for t in threads:
        t.join()
    answered = len(results)
end, after = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    'python': sys.version.split()[0], 'wall': end - start, 'submit': submitted - start,
    'user': after.ru_utime - usage.ru_utime, 'sys': after.ru_stime - usage.ru_stime,
    'switches': (after.ru_nvcsw - usage.ru_nvcsw) + (after.ru_nivcsw - usage.ru_nivcsw),
    'answered': answered}), flush=True)
'''

def gil_waiters(pid, runtime):
    """Threads of process ``pid`` blocked now in futex on an address in _PyRuntime (None: it is gone)."""
    try:
        tasks = os.listdir(f'/proc/{pid}/task')
    except OSError:
        return None
    waiting = 0
    for task in tasks:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f'/proc/{pid}/task/{task}/syscall').read_text().split()
            waiting += fields[0] == FUTEX and runtime <= int(fields[1], 16) < runtime + RUNTIME_SPAN
    return waiting


def command(spec):
    """The command that runs Python ``spec``, and the chroot it needs /proc in (or None)."""
    if spec in CHROOT_PYTHONS:
        root = CHROOT / 'sid'
        if not (root / f'usr/bin/python{spec}').exists():
            sys.exit(f'threads_probe: no python{spec} in {root}: make it with `.ci/chroot --bench {spec}`')
        return ['chroot', str(root), f'python{spec}'], root
    if spec.replace('.', '').isdigit():
        version = subprocess.run(['pyenv', 'latest', spec], capture_output=True, text=True).stdout.strip()
        if not version:
            sys.exit(f'threads_probe: pyenv has no Python {spec}')
        root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True).stdout.strip()
        return [f'{root}/versions/{version}/bin/python'], None
    return [spec], None


@contextlib.contextmanager
def proc_mounted(root):
    """/proc mounted in the chroot ``root`` (ctypes and /proc/self there), as long as needed."""
    if root is None or (root / 'proc/self').exists():
        yield
        return
    with open(CHROOT / '.lock', 'w') as lock:            # .ci/chroot's lock: one user at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(['mount', '-t', 'proc', 'proc', str(root / 'proc')], check=True)
        try:
            yield
        finally:
            subprocess.run(['umount', str(root / 'proc')], check=True)


def take(cmd, model, n, delay, switch, futex_hash, nginx):
    """One take: the client's report, the GIL waiters' peak and the machine's load while it ran."""
    with subprocess.Popen([*cmd, '-c', CLIENT, model, str(n), f'{delay:g}', json.dumps(nginx.ports),
                           f'{switch:g}', futex_hash], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as proc:
        runtime = int(proc.stdout.readline().split()[1])
        machine, server = cpu_times(), tree_cpu(nginx.process.pid)
        proc.stdin.write('go\n')
        proc.stdin.flush()
        peak, deadline = 0, time.monotonic() + TAKE_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            peak = max(peak, gil_waiters(proc.pid, runtime) or 0)
            time.sleep(SAMPLE_EVERY)
        if proc.poll() is None:
            proc.kill()
        report = json.loads(proc.stdout.read().strip().splitlines()[-1])
    spent = cpu_times() - machine
    cpu = report['user'] + report['sys']
    ours = cpu + tree_cpu(nginx.process.pid) - server
    # others: as make bench counts them (slides/tools/bench/run.py), the machine's busy time less
    # ours, the hypervisor's steal and the kernel's interrupt work (the run's own loopback traffic)
    others = (spent.busy - spent.steal - spent.interrupts) / CLOCK_TICKS - ours
    report.update({
        'model': model, 'd': delay, 'switch': switch, 'hash': futex_hash, 'µs/req': cpu / n * 1e6, 'GIL waiters': peak,
        'others %': max(0.0, others) / (spent.total / CLOCK_TICKS) * 100 if spent.total else 0.0,
        'steal %': spent.steal / spent.total * 100 if spent.total else 0.0})
    return report


HEAD = (f"{'python':>8} {'model':>7} {'d':>5} {'switch':>6} {'hash':>7} {'wall/d':>7} {'submit':>7} {'user':>6}"
        f" {'sys':>6} {'µs/req':>7} {'kcs/s':>6} {'GILw':>6} {'ok':>6} {'oth%':>5} {'stl%':>5}")


def show(r):
    print(f"{r['python']:>8} {r['model']:>7} {r['d']:5g} {r['switch']:6g} {r['hash']:>7} {r['wall'] / r['d']:7.2f}"
          f" {r['submit']:7.2f} {r['user']:6.2f} {r['sys']:6.2f} {r['µs/req']:7,.0f}"
          f" {r['switches'] / r['wall'] / 1000:6.0f} {r['GIL waiters']:6,} {r['answered']:6,}"
          f" {r['others %']:5.0f} {r['steal %']:5.1f}", flush=True)


def summary(reports):
    """Per setting: slow takes of all, every take's µs of CPU per request, median wall / d."""
    print(f'\nslow: > {SLOW:,} µs of CPU per request; busy: others > 5 % or steal > 5 %')
    groups = {}
    for r in reports:
        groups.setdefault((r['python'], r['model'], r['d'], r['switch'], r['hash']), []).append(r)
    for (python, model, delay, switch, futex_hash), rs in groups.items():
        slow = sum(r['µs/req'] > SLOW for r in rs)
        busy = sum(r['others %'] > 5 or r['steal %'] > 5 for r in rs)
        each = ', '.join(f"{r['µs/req']:,.0f}" for r in rs)
        print(f"{python:>8} {model:>7} d={delay:g} switch={switch:g} {futex_hash}: {slow} of {len(rs)} slow"
              f" ({busy} busy); µs/req {each};"
              f" wall/d median {statistics.median(r['wall'] / delay for r in rs):.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--python', action='append', help='3.11 .. 3.15 or a path (repeatable)')
    parser.add_argument('--models', nargs='+', default=['pool'], choices=['pool', 'threads'])
    parser.add_argument('--delays', nargs='+', type=float, default=[1.0], help='d, seconds')
    parser.add_argument('--switch', nargs='+', type=float, default=[0.005], help='sys.setswitchinterval')
    parser.add_argument('--hash', nargs='+', default=['private'], choices=['private', 'global'],
                        help="the client's futex hash: Linux's default (>= 6.16: private, 16 slots a CPU) or global")
    parser.add_argument('--rounds', type=int, default=3, help='each round runs one take of each setting')
    parser.add_argument('-n', type=int, default=10_000)
    args = parser.parse_args(argv)
    pythons = args.python or [sys.executable]
    commands = dict(zip(pythons, map(command, pythons), strict=True))
    settings = list(itertools.product(pythons, args.delays, args.switch, args.hash, args.models))
    print(f'N = {args.n:,}, {args.rounds} rounds of {len(settings)} takes; GILw: peak of threads in'
          f' futex on _PyRuntime, read every {SAMPLE_EVERY} s; kcs/s: the client\'s context switches')
    print(HEAD)
    reports = []
    with contextlib.ExitStack() as stack:
        for root in {root for _, root in commands.values() if root}:
            stack.enter_context(proc_mounted(root))
        # make bench's server: 2 ports, 2 workers, room for every connection (and 1,024 to spare)
        nginx = stack.enter_context(delayed_server(ports=2, workers=2, fd_limit=max(1024, args.n + 1024) + FD_MARGIN))
        for number in range(args.rounds):
            turn = number % len(settings)                # each round starts one setting further on
            for python, delay, switch, futex_hash, model in settings[turn:] + settings[:turn]:
                reports.append(take(commands[python][0], model, args.n, delay, switch, futex_hash, nginx))
                show(reports[-1])
    summary(reports)
    return reports


if __name__ == '__main__':
    main()
