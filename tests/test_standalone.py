"""Every snippet is a program: `python -W error -m snippets.NAME` runs offline and prints what its slide promises."""
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from _support import SHORT_TIMEOUT, sigint_ignored

ROOT = Path(__file__).resolve().parent.parent
NOT_PROGRAMS = {'__init__'}   # the package marker (helpers, _name, are not lessons: _demo_server has its own test)

# What each snippet must print when run with no argument (a regular expression searched in its output).
# A new snippet needs a line here: the test fails until it has one.  Timings printed by a snippet are
# matched loosely here (a busy machine is slower); the timing semantics have their own tests.
EXPECTED = {
    'http_blocking': r'demo server.*\n(HTTP/1.1 200 OK\n){2}',
    'http_processes': r'(HTTP/1.1 200 OK\n){2}',
    'http_threads': r'(HTTP/1.1 200 OK\n){2}',
    'http_callbacks': r'demo server.*\n(HTTP/1.1 200 OK\n){3}',
    'http_asyncore': r'demo server.*\n(HTTP/1.1 200 OK\n){3}',
    'http_twisted': r'demo server.*\n(HTTP/1.1 200 OK\n){3}',
    'deferred_chain': (r"callbacks: example.org is at 192.0.2.10\nexample.org is at 192.0.2.10\n"
                       r"failed: unknown host 'nowhere.test'\nconnected to 192.0.2.10\n"),
    'decorators': r'working\nworking\nCalling add_one\n43\n',
    'generators': r'4 5 6 7 8 9 \n',
    'delegating': r'(\[0, 1, 2, .*, 19\]\n){2}',
    'generator_send': r'send\(10\) -> 10\.0\nsend\(20\) -> 15\.0\nsend\(30\) -> 20\.0',
    'generator_scheduler': r'a: 3\nb: 2\na: 2\nb: 1\na: 1\n',
    'http_asyncio': r'demo server.*\n(HTTP/1.1 200 OK \d+ bytes\n){3}',
    'loop_hello': r'^Hello World!\n$',
    'loop_call_soon': r'^Hello\nWorld\n\.\.\.and later\n$',
    'echo_streams': r"demo server.*\nb'Hello World!'\n",
    'echo_protocol': r"demo server.*\nb'iloveyou'\n",
    'futures': r'^result: 42\nexception: no such thing\n$',
    'callback_to_future': r'callback_to_future\.py: \d+ bytes: .*\n/no/such/file: No such file or directory\n',
    'tasks': r'^main 0\n(.*\n)*task: 3 ticks\n$',
    # real seconds, more on a busy machine; test_idioms checks 8, 4 and 1 s exactly on a virtual clock
    'idiom_sequential': r'^took \d+\.\d s\n$',
    'idiom_parallel': r'^\[4, 3, 2\] took \d+\.\d s\n$',
    'idiom_chained': r'^step 0 done\nstep 1 done\nstep 2 done\ntook \d+\.\d s\n$',
    'idiom_timer': r'^tick 0\.\d\ntick 1\.\d\ntick 2\.\d\ntick 3\.\d\ntimer stopped, cancelled: True\n$',
    'tiny_loop': r"\['a', 'b', 'c'\] in \d+\.\d s, not 0\.6 s",
    'tiny_http': r'(/\?delay=1 HTTP/1.1 200 OK \d+ bytes\n){3}3 requests in \d+\.\d s',
    'taskgroup': r"connection: \['a failed'\]\ntimeout: \['b failed'\]\nslow cancelled: True",
    'taskgroup_cancel': r'(HTTP/1.1 200 OK after \d+\.\d s; the slower requests were cancelled|needs Python 3\.15)',
    'timeout': r'HTTP/1.1 200 OK\nno answer within 0\.5 s: gave up',
    'cancellation': r"\['working', 'cleaning up'\] cancelled: True",
    'to_thread': r'3 blocking calls in \d+\.\d s; the loop beat \d+ times',
    'interpreter_pool': (r'(count_primes\(100000\) 4 times: \[9592, 9592, 9592, 9592\]\n'
                         r'in interpreters of their own: \d+\.\d s; one after another: \d+\.\d s \(\d+ CPUs\)'
                         r'|needs Python 3\.14)'),
    'semaphore': r'20 responses, 5 at a time: \d+\.\d s',
    'asyncio_ps': r'(└── \(T\) Task-1\n(.*\n)*.*\(T\) GET /\?delay=3\n(.*\n)*|needs Python 3\.14.*\n)2 answers\n',
    'bench_models': r'model=uvloop  N=100  .*wall / d=\d',
    'app_aiohttp': r'2000 characters\n/\?status=404: failed: 404',
    'app_postgres': r'writer 2: n = \[0, 1, 2, 3\]',
    'app_redis': r"pub/sub: \['one', 'two'\]",
}

# Snippets whose run is mostly real sleeping, which test_idioms and test_asyncio check exactly on a
# virtual clock: run for real on the main Python only (marked real_sleeps; `make matrix` leaves them out).
SLEEPERS = {'idiom_sequential', 'idiom_parallel', 'idiom_chained', 'idiom_timer', 'tasks'}

# Snippets that need a database: the fixture that starts one, and the variable that tells the snippet where.
SERVERS = {
    'app_postgres': ('postgres', 'ASYNCIO_TALK_PG_DSN'),
    'app_redis': ('redis_server', 'ASYNCIO_TALK_REDIS_URL'),
}


def snippet_modules():
    return sorted(p.stem for p in (ROOT / 'snippets').glob('*.py')
                  if not p.stem.startswith('_') and p.stem not in NOT_PROGRAMS)


def run_snippet(name, *args, env=None, timeout=120):
    return subprocess.run([sys.executable, '-W', 'error', '-m', f'snippets.{name}', *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize('name', [pytest.param(name, marks=pytest.mark.real_sleeps) if name in SLEEPERS else name
                                  for name in snippet_modules()])
def test_snippet_runs_standalone(name, request):
    assert name in EXPECTED, (f'snippets/{name}.py is a program: add to EXPECTED in tests/test_standalone.py '
                              f'a regular expression for what `python -m snippets.{name}` prints')
    env = {}
    if name in SERVERS:
        fixture, variable = SERVERS[name]
        env[variable] = request.getfixturevalue(fixture)
    result = run_snippet(name, env=env)
    assert result.returncode == 0, result.stderr
    assert 'Warning' not in result.stderr, result.stderr
    assert re.search(EXPECTED[name], result.stdout), result.stdout


def test_snippet_runs_against_a_given_host(http_server):
    host, port = http_server
    result = run_snippet('http_blocking', f'http://{host}:{port}/')
    assert result.returncode == 0, result.stderr
    assert 'demo server' not in result.stdout
    assert result.stdout.count('HTTP/1.1 200 OK') == 2


def test_help_says_what_a_snippet_takes():
    result = run_snippet('http_blocking', '--help')
    assert result.returncode == 0
    assert 'HOST' in result.stdout.upper() and 'demo server' in result.stdout


def test_sigint_ignored_starts_a_process_that_ignores_ctrl_c():
    """The launcher of the Ctrl-C tests does what a script's `cmd &` does."""
    code = 'import signal; print(signal.getsignal(signal.SIGINT))'
    result = subprocess.run(sigint_ignored([sys.executable, '-c', code]), capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == str(signal.SIG_IGN), result


@pytest.mark.parametrize('started', ['from a terminal', 'with SIGINT ignored'])
def test_demo_server_stops_cleanly_on_ctrl_c(started):
    """Ctrl-C stops it however it was started: `cmd &` in a script leaves SIGINT ignored (issue 33)."""
    command = [sys.executable, '-W', 'error', '-m', 'snippets._demo_server', '--http-port', '0', '--echo-port', '0']
    if started == 'with SIGINT ignored':
        command = sigint_ignored(command)
    # Leaving the with block waits for the process and closes its pipes, also when a wait timed
    # out (a server killed but not waited for is reported later, by another test: ResourceWarning).
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            first = proc.stdout.readline()
            assert first.startswith('HTTP http://127.0.0.1:')
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=SHORT_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert 'Traceback' not in err
