"""`make present`: the presenter server (slides/tools/present.py) and the slides' `r` key.

The server runs as `make present` runs it (a subprocess, with --no-browser) on the deck built as
`make slides` builds it, with its own demo servers; runs are real `python -m snippets.NAME`
processes.  Checked: a run streams its lines in order as they come; everything but a run of a
snippet a slide shows, asked for from the deck with this start's secret, is refused; the server
binds 127.0.0.1 only; a run past the bound, a run started again, a run whose browser went away
(Esc) and Ctrl-C stop the run's whole tree, even a child gone into a session of its own; at most
MAX_RUNS go at once; Ctrl-C stops the server however it was started; request data reaches the log
escaped, and the environment's secrets do not reach the page; only the deck's own origin may
frame it (in Chromium, a page of another origin that frames the deck can run nothing); in Debian's Chromium, `r` on the tiny HTTP client's slide shows its output in the
deck (a log named "live run" that Tab reaches and axe-core passes) and in the presenter console,
and the static deck says that live runs need `make present`.
Every wait is bounded; times are checked only from below (what the demo server's delay
guarantees) or loosely.
"""
import asyncio
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import aiohttp
import pytest
import pytest_asyncio
import requests
from aiohttp.test_utils import TestServer

from _support import ROOT, sigint_ignored
from browser import axe_violations, static_server
from slides.tools.present import (
    MAX_RUNS,
    RUN_TIMEOUT,
    Presenter,
    Run,
    allowed_snippets,
    check_host,
    environment_secrets,
    hide,
    in_run_tree,
    printable,
)

PRESENT = [sys.executable, '-W', 'error', '-m', 'slides.tools.present']   # as `make present` runs it

STARTUP = 30                 # seconds for the server (and its demo servers) to start or stop
HTTP_TIMEOUT = (5, 60)       # requests: connect, and between two bytes of a streamed run
TIMEOUT_MS = 10_000          # any single browser wait
RUN_MS = 60_000              # a browser wait for a whole run
STATUS = r'/\?delay=1 HTTP/1\.1 200 OK \d+ bytes'   # what tiny_http prints per request


@pytest.fixture(scope='session')
def deck(slides_build):
    """The deck, built as `make slides` builds it (tests/builds.py: one build per session)."""
    return slides_build


class Server:
    """``python -m slides.tools.present DECK --no-browser [ARGS]`` in a subprocess, its output read as it comes."""

    def __init__(self, deck, *args, env=None, ignoring_sigint=False):
        command = [*PRESENT, str(deck), '--no-browser', *args]
        self.proc = subprocess.Popen(
            sigint_ignored(command) if ignoring_sigint else command, env={**os.environ, **(env or {})},
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.log = []
        self.interrupted = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.url = self.expect(r'deck: (http://\S+/)').group(1)
            demo = self.expect(r'demo servers: HTTP (\S+):(\d+), echo')
            self.expect(r'live runs: ')
        except BaseException:
            self.proc.kill()
            self.stop()
            raise
        self.demo_http = (demo.group(1), int(demo.group(2)))
        self.origin = self.url.rstrip('/')
        self.port = int(self.origin.rsplit(':', 1)[1])
        index = requests.get(self.url + 'index.html', timeout=HTTP_TIMEOUT)
        self.secret = re.search(r'<meta name="liverun-secret" content="([^"]+)"', index.text).group(1)

    def _read(self):
        for line in self.proc.stdout:
            self.log.append(line.rstrip('\n'))
            self.lines.put(line.rstrip('\n'))

    def expect(self, pattern):
        """The next line of output that matches ``pattern`` (bounded wait)."""
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f'no line matching {pattern!r} in {STARTUP} s: {self.log}') from None
            if match := re.match(pattern, line):
                return match

    def headers(self, **changes):
        headers = {'Origin': self.origin, 'X-Liverun-Secret': self.secret}
        headers.update(changes)
        return {name: value for name, value in headers.items() if value is not None}

    def post(self, name, **changes):
        return requests.post(f'{self.url}run/{name}', headers=self.headers(**changes),
                             stream=True, timeout=HTTP_TIMEOUT)

    def interrupt(self):
        """Ctrl-C (once)."""
        if self.proc.poll() is None and not self.interrupted:
            self.proc.send_signal(signal.SIGINT)
            self.interrupted = True

    def stop(self):
        """Ctrl-C; return (exit status, stderr)."""
        self.interrupt()
        try:
            self.proc.wait(STARTUP)
        finally:
            self.proc.kill()
        self.reader.join(STARTUP)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, err


@pytest.fixture(scope='module')
def server(deck):
    server = Server(deck)
    yield server
    status, err = server.stop()
    assert status == 0 and 'Traceback' not in err, err


def events(response):
    """``[(seconds since the request, event)]`` of a streamed run, read as the lines come."""
    start = time.monotonic()
    with response:
        assert response.status_code == 200, response.text
        assert response.headers['Content-Type'].startswith('application/x-ndjson')
        return [(time.monotonic() - start, json.loads(line)) for line in response.iter_lines() if line]


def group_gone(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def slide_number(deck, name):
    """The number of the first slide whose code is the snippet ``name``, read from the build."""
    slides = (deck / 'index.html').read_text().split('<article')[1:]
    return next(i for i, s in enumerate(slides, 1) if f'data-liverun="{name}"' in s)


# -- What can run ---------------------------------------------------------------------------

def test_allow_list_is_the_runnable_snippets_the_slides_show(deck):
    allowed = allowed_snippets(deck)
    marked = set(re.findall(r'data-liverun="([^"]+)"', (deck / 'index.html').read_text()))
    assert allowed == marked                     # the server's list (deck.json) and the build's marks agree
    assert 'tiny_http' in allowed and 'http_asyncio' in allowed
    assert not {name for name in allowed if name.startswith('_')}
    assert all((ROOT / 'snippets' / f'{name}.py').is_file() for name in allowed)


def test_the_server_imports_nothing_of_the_build():
    """present.py is a web server: it reads the build's deck.json, not Sphinx or the extensions."""
    code = ('import sys, slides.tools.present; '
            'assert not [m for m in sys.modules if m.split(".")[0] in ("sphinx", "hieroglyph", "docutils") '
            'or m.startswith("slides._ext") or m.startswith("deck_")], sorted(sys.modules)')
    result = subprocess.run([sys.executable, '-W', 'error', '-c', code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


# -- The endpoint ---------------------------------------------------------------------------

def test_run_streams_its_lines_in_order_as_they_come(server):
    got = events(server.post('tiny_http'))
    kinds = [event['event'] for _, event in got]
    assert kinds[0] == 'start' and kinds[-1] == 'end' and set(kinds[1:-1]) == {'line'}
    lines = [event['text'] for _, event in got if event['event'] == 'line']
    host, port = server.demo_http
    assert lines[0] == f'(no host given: using the local demo server at {host}:{port})'
    assert [bool(re.fullmatch(STATUS, line)) for line in lines[1:]] == [True, True, True, False]
    assert re.fullmatch(r'3 requests in \d+\.\d s', lines[-1])
    end = got[-1][1]
    assert end['status'] == 0 and not end['timed_out'] and end['stopped'] is None
    assert 1.0 <= end['elapsed'] < 30
    # streamed, not sent at the end: the first line came a (1 s) server delay before the last
    first_line = next(t for t, event in got if event['event'] == 'line')
    assert got[-1][0] - first_line >= 0.5
    assert group_gone(got[0][1]['pid'])
    server.expect(r'run tiny_http: exit 0 ')        # logged as the stream ends: read it, bounded


def started(server):
    """The runs the server has logged as started so far."""
    return [line for line in server.log if re.fullmatch(r'run \w+: start', line)]


@pytest.mark.parametrize('name, changes, status, says', [
    ('_demo_server', {}, 404, 'not a snippet a slide shows'),       # a program, but a helper on no slide
    ('_run', {}, 404, 'not a snippet a slide shows'),                # a helper
    ('no_such_snippet', {}, 404, 'not a snippet a slide shows'),
    ('tiny_http', {'X-Liverun-Secret': None}, 403, 'secret'),        # missing secret
    ('tiny_http', {'X-Liverun-Secret': 'guess'}, 403, 'secret'),     # wrong secret
    ('tiny_http', {'X-Liverun-Secret': '\xff\xfe'}, 403, 'secret'),   # not UTF-8 (was a 500: issue 33)
    ('tiny_http', {'X-Liverun-Secret': 'é'.encode().decode('latin-1')}, 403, 'secret'),   # UTF-8, not ASCII
    ('tiny_http', {'Origin': 'http://attacker.invalid'}, 403, 'Origin'),
    ('tiny_http', {'Origin': 'null'}, 403, 'Origin'),
    ('tiny_http', {'Origin': None}, 403, 'Origin'),
    ('tiny_http', {'Host': 'attacker.invalid'}, 403, 'Host'),       # DNS rebinding
])
def test_refused(server, name, changes, status, says):
    starts_before = started(server)
    with server.post(name, **changes) as response:
        assert response.status_code == status
        assert says in response.text
    # the server logs a run as it starts, and a refusal before it answers: read up to the refusal
    server.expect(rf'refused POST /run/{name}: {status} ')
    assert started(server) == starts_before


def test_secret_only_in_the_deck_served_to_its_own_host(server):
    other = requests.get(server.url + 'index.html', headers={'Host': 'attacker.invalid'},
                         timeout=HTTP_TIMEOUT)
    assert other.status_code == 403 and server.secret not in other.text
    starts_before = started(server)
    got = requests.get(f'{server.url}run/tiny_http', headers=server.headers(), timeout=HTTP_TIMEOUT)
    assert got.status_code == 405                        # only POST runs
    server.expect(r'refused GET /run/tiny_http: 405 ')
    assert started(server) == starts_before


def test_logged_request_data_is_escaped(server):
    """What a web page can put in a request (``<img src=".../run/%1b[2J...">``) reaches the terminal
    escaped: no control character clears it, sets its title or starts a forged log line."""
    forged = '%1B[2J%1B]0;pwned%07%0Arun%20tiny_http:%20start'
    starts_before = started(server)
    with requests.post(f'{server.url}run/{forged}', headers=server.headers(), timeout=HTTP_TIMEOUT) as got:
        assert got.status_code == 404
    server.expect(r'refused POST /run/\\x1b\[2J\\x1b\]0;pwned\\x07\\nrun tiny_http: start: 404 ')
    # bytes no browser sends, from a raw socket: aiohttp refuses them (400), in one escaped line
    with socket.create_connection(('127.0.0.1', server.port), timeout=5) as raw:
        raw.sendall(b'GET /\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n')
        assert raw.recv(100).startswith(b'HTTP/1.0 400 ')
    server.expect(r'Error handling request from 127\.0\.0\.1: 400, .*\\x1b\[2J')
    assert not [line for line in server.log if set(line) & {'\x1b', '\x07', '\r'}]
    assert started(server) == starts_before


def test_every_answer_refuses_to_be_framed_by_another_origin(server):
    for path in ('index.html', 'console.html', '_static/deck.js', 'no-such-file', 'run/tiny_http'):
        got = requests.get(server.url + path, timeout=HTTP_TIMEOUT)
        assert got.headers['Content-Security-Policy'] == "frame-ancestors 'self'", path
        assert got.headers['X-Frame-Options'] == 'SAMEORIGIN', path
        assert got.headers['Cross-Origin-Opener-Policy'] == 'same-origin', path


@pytest.mark.parametrize('host', ['0.0.0.0', '::', '::1', 'localhost', '192.0.2.1'])
def test_non_loopback_bind_is_refused(deck, host):
    with pytest.raises(ValueError, match='127.0.0.1 only'):
        check_host(host)
    result = subprocess.run([*PRESENT, str(deck), '--no-browser', '--host', host],
                            cwd=ROOT, capture_output=True, text=True, timeout=STARTUP)
    assert result.returncode == 2 and 'binds 127.0.0.1 only' in result.stderr
    assert 'deck:' not in result.stdout


def test_run_again_stops_the_previous_run(server):
    first = server.post('tiny_http')
    lines = first.iter_lines()
    start = json.loads(next(lines))
    assert start['event'] == 'start'
    second = server.post('tiny_http')          # answers once the first run is stopped
    rest = [json.loads(line) for line in lines if line]
    first.close()
    end = rest[-1]
    assert end['event'] == 'end' and end['stopped'] == 'run again' and end['status'] != 0
    assert group_gone(start['pid'])
    got = events(second)
    assert got[-1][1]['status'] == 0 and got[-1][1]['stopped'] is None


def test_run_stops_when_the_browser_goes_away(server):
    """What Esc does: the page aborts its request; the server stops the run."""
    response = server.post('tiny_http')
    start = json.loads(next(response.iter_lines()))
    response.close()
    server.expect(r'run tiny_http: stopped, the browser went away')
    assert group_gone(start['pid'])


def test_run_past_the_bound_is_stopped(deck):
    server = Server(deck, '--run-timeout', '0.5')      # tiny_http takes at least 1 s
    try:
        got = events(server.post('tiny_http'))
        end = got[-1][1]
        assert end['event'] == 'end' and end['timed_out']
        assert end['stopped'] == 'past the bound of 0.5 s'
        assert end['status'] < 0                       # killed by a signal
        assert 0.5 <= end['elapsed'] < 10
        assert not any(re.fullmatch(STATUS, e.get('text', '')) for _, e in got)
        assert group_gone(got[0][1]['pid'])
    finally:
        status, err = server.stop()
    assert status == 0, err


@pytest.mark.parametrize('started', ['from a terminal', 'with SIGINT ignored'])
def test_ctrl_c_stops_the_server_its_demo_servers_and_a_running_snippet(deck, started):
    """However it was started: `make present &` in a script leaves SIGINT ignored (issue 33)."""
    server = Server(deck, ignoring_sigint=started == 'with SIGINT ignored')
    try:
        response = server.post('tiny_http')
        lines = response.iter_lines()
        start = json.loads(next(lines))
        server.interrupt()
        rest = [json.loads(line) for line in lines if line]
        response.close()
    finally:
        status, err = server.stop()
    assert status == 0 and 'Traceback' not in err, err
    assert server.log[-1] == 'stopped'
    assert not rest or rest[-1]['stopped'] == 'the server stops'
    assert group_gone(start['pid'])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(server.demo_http, timeout=5).close()


def test_the_readme_says_the_cap_and_the_bound_the_server_has():
    readme = ' '.join((ROOT / 'README.md').read_text().split())
    assert f'{["no", "one", "two", "three", "four", "five"][MAX_RUNS]} in all' in readme
    assert f'after {RUN_TIMEOUT:g} s is stopped' in readme


# -- The environment's secrets ----------------------------------------------------------------

def test_environment_secrets_are_the_values_named_for_one_and_the_passwords_in_urls_and_dsns():
    env = {'ASYNCIO_TALK_REDIS_URL': 'redis://talk:s3cr%40t@127.0.0.1:6379/0',
           'ASYNCIO_TALK_PG_DSN': "host=127.0.0.1 dbname=postgres password='it\\'s me'",
           'OTHER_DSN': 'host=db password=plain9 user=talk',
           'PGPASSWORD': 'hunter22', 'GITHUB_TOKEN': 'ghp_0123456789', 'DEPLOY_API_KEY': 'abcdef12',
           'SHORT_TOKEN': '1', 'HOME': '/home/talk', 'SSH_AUTH_SOCK': '/run/ssh-agent.sock',
           'XAUTHORITY': '/run/user/1000/Xauthority', 'LANG': 'C.UTF-8', 'KEYBOARD_LAYOUT': 'us',
           'NOT_A_URL': 'http://[::1', 'PLAIN_URL': 'https://example.org/path'}
    secrets = environment_secrets(env)
    assert set(secrets) == {'s3cr%40t', 's3cr@t', "it's me", 'plain9', 'hunter22', 'ghp_0123456789', 'abcdef12'}
    assert [len(value) for value in secrets] == sorted(map(len, secrets), reverse=True)   # longest first
    assert hide('token ghp_0123456789, password s3cr@t', secrets) == 'token ******, password ******'
    assert environment_secrets({'HOME': '/root', 'PATH': '/usr/bin'}) == []


def test_printable_escapes_every_control_character():
    assert printable('a\x1b[2J\x07\r\n\u202eb é') == 'a\\x1b[2J\\x07\\r\\n\\u202eb é'


def test_app_redis_and_app_postgres_show_no_password_on_the_page(deck, refused_port):
    """The overlay of a run against unreachable servers whose URL and DSN hold a password."""
    password = 'hunter2-on-the-projector'
    env = {'ASYNCIO_TALK_REDIS_URL': f'redis://talk:{password}@127.0.0.1:{refused_port}/0',
           'ASYNCIO_TALK_PG_DSN': f'host=127.0.0.1 port={refused_port} dbname=postgres password={password}'}
    server = Server(deck, env=env)
    try:
        for name, says in [('app_redis', 'cannot reach Redis at 127.0.0.1:'),
                           ('app_postgres', 'cannot reach PostgreSQL at 127.0.0.1:')]:
            got = events(server.post(name))
            text = '\n'.join(event.get('text', '') for _, event in got)
            assert got[-1][1]['status'] == 1 and f'{says}{refused_port}' in text, text
            assert 'hunter2' not in text and '******' not in text       # the snippets print none
    finally:
        status, err = server.stop()
    assert status == 0, err
    assert not [line for line in server.log if 'hunter2' in line]


# -- A run's whole tree, and the cap on runs ---------------------------------------------------
# A snippet-like program whose child leaves: it starts a session of its own and its parent exits,
# so neither the run's process group nor its parent holds it, and it shrugs off SIGTERM.  With
# `exit`, the program waits until that child is there, then ends (exit status 3).  Each line is
# one write: the two processes share the pipe.
DOUBLE_FORK = r"""
import os, signal, sys, time
ready, told = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.write(1, b'daemon %d %d\n' % (os.getpid(), os.getsid(0)))
        os.write(told, b'!')
        time.sleep(600)
    os._exit(0)
os.write(1, b'snippet %d\n' % os.getpid())
os.read(ready, 1)
if sys.argv[1:] == ['exit']:
    sys.exit(3)
time.sleep(600)
"""
TREE = [sys.executable, '-W', 'error', '-m', 'slides.tools.run_tree']
SNIPPET = [sys.executable, '-W', 'error', '-c', DOUBLE_FORK]


def alive(pid):
    """``pid`` is a process, and not a zombie."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as stat:
            return stat.read().rsplit(b')', 1)[1].split()[0] != b'Z'
    except FileNotFoundError:
        return False


def parent(pid):
    with open(f'/proc/{pid}/stat', 'rb') as stat:
        return int(stat.read().rsplit(b')', 1)[1].split()[1])


def gone(pid):
    """``pid`` is gone within STARTUP seconds."""
    deadline = time.monotonic() + STARTUP
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def tree_pids(lines):
    """``{'snippet': pid, 'daemon': pid, 'session': the daemon's}`` from DOUBLE_FORK's lines."""
    pids = {}
    for line in lines:
        kind, pid, *session = line.split()
        pids[kind] = int(pid)
        if session:
            pids['session'] = int(session[0])
    return pids


def start_tree(*command):
    """``command`` in a session of its own, as present starts a run; return it and DOUBLE_FORK's pids."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    lines = queue.Queue()

    def read():
        with proc.stdout:                       # until the last process that holds it is gone
            for line in proc.stdout:
                lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        pids = tree_pids([lines.get(timeout=STARTUP), lines.get(timeout=STARTUP)])
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(STARTUP)
        raise
    return proc, pids


def test_run_tree_stops_a_child_gone_into_a_session_of_its_own():
    proc, pids = start_tree(*TREE, *SNIPPET)
    try:
        assert pids['session'] not in (proc.pid, pids['snippet'])      # out of the run's group and session
        deadline = time.monotonic() + STARTUP                            # its parent gone, it is handed
        while parent(pids['daemon']) != proc.pid and time.monotonic() < deadline:     # to run_tree
            time.sleep(0.05)
        assert parent(pids['daemon']) == proc.pid
        os.killpg(proc.pid, signal.SIGTERM)                              # what present sends a run
        assert proc.wait(STARTUP) == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert gone(pids['snippet']) and gone(pids['daemon'])


def test_without_run_tree_the_group_kill_misses_the_child_gone_into_its_own_session():
    """What the test above would see without run_tree (the test can fail)."""
    proc, pids = start_tree(*SNIPPET)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(STARTUP)
        assert alive(pids['daemon'])
    finally:
        os.kill(pids['daemon'], signal.SIGKILL)


def test_run_tree_ends_as_its_command_and_stops_what_it_left():
    proc, pids = start_tree(*TREE, *SNIPPET, 'exit')
    assert proc.wait(STARTUP) == 3
    assert gone(pids['daemon'])
    result = subprocess.run([*TREE, sys.executable, '-c', 'import os; os.kill(os.getpid(), 9)'],
                            cwd=ROOT, timeout=STARTUP)
    assert result.returncode == -signal.SIGKILL


@pytest.mark.asyncio
async def test_a_run_past_its_bound_is_stopped_with_its_whole_tree():
    async def send(event):
        lines.append(event.get('text', ''))

    for bound in (5, 10, 20):       # a bound the program's start fits in, on a busy machine too
        lines = []
        end = await Run('double_fork', in_run_tree(SNIPPET)).stream(os.environ, bound, send)
        pids = tree_pids(line for line in lines if line.startswith(('snippet', 'daemon')))
        if {'snippet', 'daemon'} <= set(pids):
            break
    assert end['timed_out'] and end['stopped'] == f'past the bound of {bound} s' and end['status'] < 0
    assert {'snippet', 'daemon'} <= set(pids), lines
    assert await asyncio.to_thread(gone, pids['snippet']) and await asyncio.to_thread(gone, pids['daemon'])


class Log:
    """A Presenter's log: its lines, and a bounded wait for one."""

    def __init__(self):
        self.lines = []
        self.changed = asyncio.Event()

    def __call__(self, line):
        self.lines.append(line)
        self.changed.set()

    async def expect(self, pattern):
        async with asyncio.timeout(STARTUP):
            while not any(re.fullmatch(pattern, line) for line in self.lines):
                self.changed.clear()
                await self.changed.wait()


class Scripted(Presenter):
    """The live-run server, its runs a given program for every name (in-process: its HTTP is real)."""

    def __init__(self, script, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.script = script

    def program(self, name):
        return self.script


@pytest_asyncio.fixture
async def scripted(tmp_path):
    """``start(script, env) -> (presenter, post(name))``: a Scripted server on 127.0.0.1, stopped after."""
    made = []

    async def start(script, env=None):
        log = Log()
        presenter = Scripted(script, tmp_path, {f'run{i}' for i in range(MAX_RUNS + 1)}, env or dict(os.environ),
                             log=log)
        server = TestServer(presenter.app(), host='127.0.0.1', port=0)
        await server.start_server()
        presenter.origin = f'http://127.0.0.1:{server.port}'
        session = aiohttp.ClientSession()
        made.append((presenter, server, session))
        headers = {'Origin': presenter.origin, 'X-Liverun-Secret': presenter.secret}

        async def post(name):
            return await session.post(f'{presenter.origin}/run/{name}', headers=headers)
        return presenter, log, post

    yield start
    for presenter, server, session in made:
        await presenter.close()
        await session.close()
        await server.close()


async def read_events(response, until):
    """The events of a streamed run up to the first for which ``until(events)`` holds (bounded)."""
    got = []
    async with asyncio.timeout(STARTUP):
        while not until(got):
            line = await response.content.readline()
            assert line, got
            got.append(json.loads(line))
    return got


def both_pids(events):
    lines = [event['text'] for event in events if event['event'] == 'line']
    return {'snippet', 'daemon'} <= set(tree_pids(lines))


@pytest.mark.asyncio
async def test_at_most_max_runs_go_at_once_and_esc_stops_a_runs_whole_tree(scripted):
    presenter, log, post = await scripted(SNIPPET)
    names = [f'run{i}' for i in range(MAX_RUNS)]
    responses, pids = {}, {}
    try:
        for name in names:
            responses[name] = response = await post(name)
            assert response.status == 200
            got = await read_events(response, both_pids)
            pids[name] = tree_pids(event['text'] for event in got if event['event'] == 'line')

        extra = f'run{MAX_RUNS}'                            # one more: refused, and says why
        async with await post(extra) as refused:
            assert refused.status == 429
            assert await refused.text() == (f'{MAX_RUNS} runs are going already ({", ".join(names)}): '
                                            'stop one (Esc on its slide) first\n')
        await log.expect(rf'refused POST /run/{extra}: 429 {MAX_RUNS} runs are going already .*')

        again = await post(names[0])                        # `r` again at the cap: the new run replaces the old
        assert again.status == 200
        old = await read_events(responses[names[0]], lambda got: got and got[-1]['event'] == 'end')
        assert old[-1]['stopped'] == 'run again'
        responses[names[0]].release()
        responses[names[0]] = again

        responses.pop(names[1]).close()                     # Esc: the page aborts its request
        await log.expect(rf'run {names[1]}: stopped, the browser went away')
        for name in names[:2]:
            assert await asyncio.to_thread(gone, pids[name]['daemon']), name
            assert await asyncio.to_thread(gone, pids[name]['snippet']), name
        responses[extra] = await post(extra)                # a place is free again
        assert responses[extra].status == 200
    finally:
        for response in responses.values():
            response.close()


@pytest.mark.asyncio
async def test_the_environments_secrets_are_hidden_from_a_runs_output(scripted):
    """A second guard (the snippets print none): what a run prints of them shows as ******."""
    env = {**os.environ, 'GITHUB_TOKEN': 'ghp_0123456789', 'ASYNCIO_TALK_REDIS_URL': 'redis://:hunter2@db:6379/0'}
    code = "import os; print('token', os.environ['GITHUB_TOKEN'], 'url', os.environ['ASYNCIO_TALK_REDIS_URL'])"
    presenter, log, post = await scripted([sys.executable, '-c', code], env)
    async with await post('run0') as response:
        got = await read_events(response, lambda got: got and got[-1]['event'] == 'end')
    assert [event['text'] for event in got if event['event'] == 'line'] == ['token ****** url redis://:******@db:6379/0']


# -- In the browser ---------------------------------------------------------------------------

@pytest.fixture
def context(browser):
    """A 1024x768 browser context; its pages' JavaScript errors end up in ``context.errors``."""
    context = browser.new_context(viewport={'width': 1024, 'height': 768})
    context.set_default_timeout(TIMEOUT_MS)
    context.errors = []

    def watch(page):
        page.on('pageerror', lambda error: context.errors.append(f'{page.url}: {error}'))
        page.on('console', lambda message: message.type == 'error' and context.errors.append(
            f'{page.url}: console: {message.text}'))

    context.on('page', watch)
    yield context
    context.close()


def open_deck(context, url):
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.body.classList.contains('loaded')")
    return page


OVERLAY = "(state) => { const o = document.querySelector('.liverun'); return o && !o.hidden && o.dataset.state === state; }"


@pytest.mark.browser
def test_r_runs_the_slides_snippet_in_the_deck_and_the_console(server, deck, context):
    number = slide_number(deck, 'tiny_http')
    page = open_deck(context, f'{server.url}index.html#{number}')
    with page.expect_popup() as popup:
        page.keyboard.press('c')
    console = popup.value
    console.wait_for_load_state()
    console.wait_for_function(f"document.querySelector('#cur_slide_num').textContent === '{number}'")

    page.keyboard.press('r')
    page.wait_for_function(OVERLAY, arg='running')
    page.wait_for_function(OVERLAY, arg='done', timeout=RUN_MS)
    output = page.text_content('.liverun-output').splitlines()
    assert len([line for line in output if re.fullmatch(STATUS, line)]) == 3, output
    assert page.text_content('.liverun-command') == '$ python -m snippets.tiny_http'
    assert page.get_attribute('.liverun', 'data-status') == '0'
    elapsed = float(page.get_attribute('.liverun', 'data-elapsed'))
    assert 0.9 <= elapsed < 15                          # three 1 s requests at once, plus start-up
    assert re.fullmatch(r'exit 0 · \d+\.\d s', page.text_content('.liverun-status'))

    # read and reached by keyboard: a log named "live run", whose output (it scrolls) Tab
    # reaches, named, with a focus ring; axe-core finds nothing in it
    assert page.get_by_role('log', name='live run').is_visible()
    for _ in range(100):                                # the slides' links first: bounded
        page.keyboard.press('Tab')
        focused = page.evaluate("""() => { const el = document.activeElement, s = getComputedStyle(el);
            return [el.className, el.getAttribute('aria-label'), s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        if focused[0] == 'liverun-output':
            break
    assert focused[:3] == ['liverun-output', 'output', 'solid'] and focused[3] >= 2, focused
    assert not axe_violations(page, '.liverun')

    console.wait_for_function(OVERLAY, arg='done')      # the console shows the same
    assert console.text_content('.liverun-output').splitlines() == output
    assert console.text_content('.liverun-status') == page.text_content('.liverun-status')

    page.keyboard.press('ArrowRight')                   # the output stays with its slide
    page.wait_for_function("document.querySelector('.liverun').hidden")
    console.wait_for_function("document.querySelector('.liverun').hidden")
    page.keyboard.press('ArrowLeft')
    page.wait_for_function(OVERLAY, arg='done')
    console.wait_for_function(OVERLAY, arg='done')

    page.keyboard.press('Escape')
    page.wait_for_function("document.querySelector('.liverun').hidden")
    console.wait_for_function("document.querySelector('.liverun').hidden")
    title = open_deck(context, f'{server.url}index.html#1')     # no code on it: nothing to run
    title.keyboard.press('r')
    title.wait_for_selector('.liverun-toast', state='visible')
    assert 'No snippet to run' in title.text_content('.liverun-toast')
    assert title.locator('.liverun').count() == 0
    assert not context.errors


@pytest.mark.browser
def test_static_deck_says_live_runs_need_make_present(deck, context):
    number = slide_number(deck, 'tiny_http')
    page = open_deck(context, f'{(deck / "index.html").as_uri()}#{number}')
    page.keyboard.press('r')
    page.wait_for_selector('.liverun-toast', state='visible')
    assert 'make present' in page.text_content('.liverun-toast')
    assert page.locator('.liverun').count() == 0
    before = page.evaluate('location.hash')
    page.keyboard.press('ArrowRight')                   # the deck's own keys still work
    page.wait_for_function('hash => location.hash !== hash', arg=before)
    assert not context.errors


FRAMING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>another origin</title></head>
<body><iframe id="deck" src="SRC" width="1000" height="700" onload="window.framed = true"></iframe>
<script>
  window.replies = [];       // what the deck answers (hieroglyph answers 'register' with the slides)
  addEventListener('message', function (event) { window.replies.push(event.data); });
  function attack(number) {  // what the page of issue 33 did: send the deck to a slide with code
    var deck = document.getElementById('deck').contentWindow;
    deck.postMessage({command: 'deck-action', action: 'goto', value: number}, '*');
    deck.postMessage({command: 'nextSlide'}, '*');
    deck.postMessage({command: 'register'}, '*');
  }
</script></body></html>
"""
FRAME_HEADERS = {'content-security-policy', 'x-frame-options', 'cross-origin-opener-policy'}


def framing_page(tmp_path, src):
    (tmp_path / 'index.html').write_text(FRAMING_PAGE.replace('SRC', src))
    return static_server(tmp_path)


@pytest.mark.browser
def test_a_page_of_another_origin_cannot_frame_the_deck(server, deck, context, tmp_path):
    """The clickjacking of issue 33: another local origin frames the deck on a slide with code,
    the presenter clicks into it and presses `r`.  The browser shows no deck in the frame."""
    number = slide_number(deck, 'tiny_http')
    runs = []
    context.on('request', lambda request: '/run/' in request.url and runs.append(request.url))
    starts_before = started(server)
    with framing_page(tmp_path, f'{server.url}index.html#{number}') as url:
        page = context.new_page()
        with page.expect_console_message(lambda message: "frame-ancestors 'self'" in message.text):
            page.goto(url)                                # Chromium says why it refuses the frame
        page.wait_for_function('window.framed')
        assert [frame.url for frame in page.frames[1:]] == ['chrome-error://chromewebdata/']   # no deck
        page.click('#deck')
        page.keyboard.press('r')
        assert page.frame_locator('#deck').locator('body.loaded').count() == 0
    assert not runs and started(server) == starts_before


@pytest.mark.browser
def test_the_deck_takes_messages_from_its_own_origin_only(server, deck, context, tmp_path):
    """Were the frame allowed (headers lost, an old browser), the deck still takes no message of
    another origin: the page cannot send it to a slide with code, nor register as its console."""
    number = slide_number(deck, 'tiny_http')

    def without_frame_headers(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in FRAME_HEADERS}
        route.fulfill(response=response, headers=headers)

    context.route(f'{server.url}**', without_frame_headers)
    try:
        runs = []
        context.on('request', lambda request: '/run/' in request.url and runs.append(request.url))
        starts_before = started(server)
        with framing_page(tmp_path, f'{server.url}index.html#1') as url:
            page = context.new_page()
            page.goto(url)
            deck_frame = page.frame_locator('#deck')
            deck_frame.locator('body.loaded').wait_for()
            frame = next(f for f in page.frames if f.url.startswith(server.url))
            page.evaluate('number => attack(number)', number)
            # a message of the deck's own origin, posted after the page's: once it has come, they have
            frame.evaluate("""() => new Promise(done => {
                addEventListener('message', event => event.data === 'probe' && done());
                postMessage('probe', location.origin); })""")
            assert frame.evaluate('SlideDeck.curSlide()') == 0              # still the title
            page.click('#deck')
            page.keyboard.press('r')                          # on the title slide: nothing to run
            deck_frame.locator('.liverun-toast').wait_for()
            assert 'No snippet to run' in deck_frame.locator('.liverun-toast').text_content()
            assert page.evaluate('window.replies') == []
            # the same message from the deck's own origin moves it (the test can fail)
            frame.evaluate("number => postMessage({command: 'deck-action', action: 'goto', value: number}, location.origin)",
                           number)
            frame.wait_for_function('index => SlideDeck.curSlide() === index', arg=number - 1)
        assert not runs and started(server) == starts_before
    finally:
        # a handler may still be fetching when the context closes (Route.fulfill: 'Fetch response
        # has been disposed' at teardown): stop routing first, without waiting for it
        context.unroute_all(behavior='ignoreErrors')
    assert not context.errors
