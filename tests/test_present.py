"""`make present`: the presenter server (slides/tools/present.py) and the slides' `r` key.

The server runs as `make present` runs it (a subprocess, with --no-browser) on the deck built as
`make slides` builds it, with its own demo servers; runs are real `python -m snippets.NAME`
processes.  Checked: a run streams its lines in order as they come; everything but a run of a
snippet a slide shows, asked for from the deck with this start's secret, is refused; the server
binds 127.0.0.1 only; a run past the bound, a run started again and Ctrl-C stop the run's whole
process group; in Debian's Chromium, `r` on the tiny HTTP client's slide shows its output in the
deck (a log named "live run" that Tab reaches and axe-core passes) and in the presenter console,
and the static deck says that live runs need `make present`.
Every wait is bounded; times are checked only from below (what the demo server's delay
guarantees) or loosely.
"""
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

import pytest
import requests

from _support import ROOT
from browser import axe_violations
from slides.tools.present import allowed_snippets, check_host

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

    def __init__(self, deck, *args):
        self.proc = subprocess.Popen(
            [*PRESENT, str(deck), '--no-browser', *args],
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


def test_ctrl_c_stops_the_server_its_demo_servers_and_a_running_snippet(deck):
    server = Server(deck)
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
