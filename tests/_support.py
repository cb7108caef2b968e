"""Plain helpers shared by conftest.py and the tests (not fixtures), as CPython's ``test.support``.

Waiting: the tests wait for what they mean, never for a fixed time that stands in for it.

* Named timeouts bound every wait: ``SHORT_TIMEOUT`` for something that normally takes well under a
  second (a server to answer or stop, a callback to run), ``LONG_TIMEOUT`` for a whole program or
  build, ``BROWSER_TIMEOUT_MS`` for one wait of the browser's.  Generous, so that a busy machine is slow, not failing: a timeout is a hang, not a result.
* ``wait_until(condition)`` (in a thread) and ``await until(condition)`` (in a coroutine: the loop runs
  meanwhile) poll a condition until it holds, and fail saying what did not happen.
* ``Ran`` wraps a callback: ``await ran.wait()`` returns once it has run (returned or raised) as many
  times as asked, so a check of what the callback did comes after it, however late it is.
"""
import asyncio
import contextlib
import functools
import json
import os
import re
import selectors
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SHORT_TIMEOUT = 30      # seconds: a server to start, answer or stop; a callback to run; an event to come
LONG_TIMEOUT = 300      # seconds: a whole build or program
BROWSER_TIMEOUT_MS = 15_000   # milliseconds: any single wait of Chromium's (Playwright counts in ms)
POLL = 0.01             # seconds between two looks at a condition


def _not_within(condition, timeout, what):
    what = what() if callable(what) else what
    pytest.fail(f'{what or getattr(condition, "__name__", condition)}: not within {timeout} s')


def wait_until(condition, timeout=SHORT_TIMEOUT, what=None):
    """Call ``condition()`` until it returns something true, and return that; fail after ``timeout``
    seconds, saying ``what`` (a string, or a function that returns one) did not happen."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            _not_within(condition, timeout, what)
        time.sleep(POLL)
    return result


async def until(condition, timeout=SHORT_TIMEOUT, what=None):
    """``wait_until`` in a coroutine: the loop runs the other tasks and callbacks between two looks."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            _not_within(condition, timeout, what)
        await asyncio.sleep(POLL)
    return result


class Ran:
    """Which calls of the callbacks it wraps have finished (returned or raised), as an event to wait for.

    ``ran.wrap(func)`` is ``func`` that counts its calls once they are over;
    ``await ran.wait(times)`` returns once that many are (failing after ``SHORT_TIMEOUT``).  Calls may come
    from any thread.
    """

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()

    def wrap(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            finally:
                with self._lock:
                    self.count += 1
        return wrapper

    async def wait(self, times=1, timeout=SHORT_TIMEOUT):
        await until(lambda: self.count >= times, timeout, f'the callback to run {times} time(s) (ran {self.count})')


def deck_record(build):
    """The record a build wrote beside its output (``deck.json``, slides/_ext/deck_record.py): the slides,
    and the snippets they show."""
    return json.loads((build / 'deck.json').read_text())


def shown_snippets(build):
    """The file names under snippets/ that some slide shows, from the build's record."""
    return set(deck_record(build)['snippets'])


def design_size():
    """``(width, height)`` in px of the slides' one design size: ``--deck-width`` and ``--deck-height``
    in slides/_static/custom.css, which deck.js, deck.css and the PDF's pages follow."""
    css = (ROOT / 'slides' / '_static' / 'custom.css').read_text()
    return tuple(int(re.search(rf'--deck-{side}:\s*(\d+)px;', css).group(1)) for side in ('width', 'height'))


def deck_keys():
    """The keys column of the deck's one key table (``HELP`` in slides/_static/deck.js), in order:
    what the help overlay lists and the README's table must say."""
    table = re.search(r'^\s*var HELP = \[\n(.*?)^\s*\];', (ROOT / 'slides' / '_static' / 'deck.js').read_text(),
                      re.M | re.S).group(1)
    return re.findall(r"^\s*\['([^']+)', ", table, re.M)


def missing(message):
    """Something the tests need is not installed: skip locally with what to install, fail in CI."""
    if os.environ.get('CI', '').lower() == 'true':
        pytest.fail(message)
    pytest.skip(message)


def sphinx_build(builder, outdir, doctrees=None, options=()):
    """One Sphinx build as the Makefile runs it (-W: a warning fails it); returns ``outdir``."""
    result = subprocess.run(
        [sys.executable, '-W', 'error', '-m', 'sphinx', '-W', '--keep-going', '-q', *options, '-b', builder,
         '-c', str(ROOT), '-d', str(doctrees or outdir / '.doctrees'),
         str(ROOT / 'slides'), str(outdir)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return outdir


def build_env(**extra):
    """The environment of a ``make`` build: the venv's Python first on PATH, no base URL from outside."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('DECK_BASE_URL', 'READTHEDOCS_CANONICAL_URL', 'MAKEFLAGS', 'MAKELEVEL')}
    env['PATH'] = f'{ROOT / ".venv" / "bin"}{os.pathsep}{env.get("PATH", "")}'
    env.update(extra)
    return env


def shell(command, env, timeout=600):
    """Run ``command`` with bash in the project's root, as a user types it; fail with its output."""
    result = subprocess.run(command, shell=True, executable='/bin/bash', cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f'{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}'
    return result.stdout


def sigint_ignored(command):
    """``command`` started as ``command &`` in a script starts it: with SIGINT ignored, which it
    inherits (a server must take Ctrl-C back itself)."""
    return ['sh', '-c', 'trap "" INT; exec "$@"', 'sh', *command]


# -- concurrency as the server sees it (snippets/_demo_server.py: ?group=NAME&together=K)

def group_paths(count, together=0, wait=2.0, size=3):
    """``count`` paths of one fresh group: each answer says how many of the group were in flight.

    With ``together``, the server answers as soon as that many are in flight at once (or after
    ``wait`` seconds); without it, every answer takes ``wait`` seconds.
    """
    group = uuid.uuid4().hex
    return [f'/?group={group}&together={together}&delay={wait}&size={size}&n={n}'
            for n in range(count)]


def in_flight(responses):
    """The most requests of the group the server had in flight at once (its X-In-Flight header)."""
    peaks = []
    for response in responses:
        head = response.partition(b'\r\n\r\n')[0]
        for line in head.split(b'\r\n')[1:]:
            name, _, value = line.partition(b':')
            if name.strip().lower() == b'x-in-flight':
                peaks.append(int(value))
    assert len(peaks) == len(responses), 'an answer without X-In-Flight: not a grouped path?'
    return max(peaks)


# -- peers that read slowly (conftest.py: slow_http_server, slow_echo_server)

CLOSE_WAIT = 5   # seconds a peer may take to see the EOF of a client that closed (a busy machine)
BIG = 8 * 1024 * 1024   # bytes: more than the socket buffers on both sides hold (4 MiB + 32 KiB)


# -- a machine with both cores busy: timing tests must stay green on it

@contextlib.contextmanager
def busy_cores(count=None):
    """Keep ``count`` (default: every) CPU busy with a spinning process until the block ends."""
    spinners = [subprocess.Popen([sys.executable, '-c', 'while True: pass'])
                for _ in range(count or os.cpu_count())]
    try:
        yield len(spinners)
    finally:
        for proc in spinners:
            proc.kill()
        for proc in spinners:
            proc.wait(10)


# -- a virtual clock for asyncio: durations of the slides' size in no time

class JumpingSelector(selectors.DefaultSelector):
    """Never waits: when nothing is ready it moves the clock to the next timer."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def select(self, timeout=None):
        if timeout is None:                  # no timer at all: only I/O can wake us
            return super().select(None)
        events = super().select(0)
        if not events:
            self.clock[0] += timeout         # the loop asked to wait this long: jump
        return events


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` starts at 0 and only moves when the loop would sleep."""

    def __init__(self):
        self.clock = [0.0]
        super().__init__(JumpingSelector(self.clock))

    def time(self):
        return self.clock[0]


VIRTUAL_TIMEOUT = 24 * 3600   # the bound on the virtual loop: a virtual day passes in no time


def run_virtual(coro):
    """Run ``coro`` on a fresh VirtualClockLoop; return ``(result, virtual seconds, real seconds)``."""
    async def bounded():
        async with asyncio.timeout(VIRTUAL_TIMEOUT):
            return await coro

    real_start = time.monotonic()
    with asyncio.Runner(loop_factory=VirtualClockLoop) as runner:
        result = runner.run(bounded())
        virtual = runner.get_loop().time()
    return result, virtual, time.monotonic() - real_start
