"""``make present``: the deck from a local server whose ``r`` runs a slide's snippet.

It serves a built deck (``make slides``) on 127.0.0.1 and nothing else::

    python -m slides.tools.present _build/slides [--port N] [--no-browser] [--run-timeout S]

It starts the bundled demo servers, opens the browser, prints the URL, and on a slide's
``r`` runs ``python -m snippets.NAME`` (no arguments, no shell) against them, streaming
the output as JSON lines.  Only snippets that the slides include can run: the server
reads the allow-list from the deck's record, ``deck.json``, which the build writes beside the
deck (``slides/_ext/deck_record.py``; the same build marks those slides); the browser sends only
a name.  A run needs the secret this start injected into the served deck, in a header, from the
deck's own origin; at most ``MAX_RUNS`` go at once.  A run is stopped, its whole tree (through
``slides/tools/run_tree.py``: even what starts a session of its own), past the bound, when the
browser goes away, when the same snippet is started again, and on Ctrl-C, however the server was
started.  Only the deck's own origin may frame it, and the environment's secrets are hidden from
the output.  Every refused request is logged, escaped, as is every run when it ends.
"""
import argparse
import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
import secrets
import signal
import socket
import sys
import webbrowser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aiohttp import web

from snippets._run import demo_servers

ROOT = Path(__file__).resolve().parents[2]   # the project: where python -m snippets.NAME runs

HOST = '127.0.0.1'                    # the only address the server binds
RUN_TIMEOUT = 30.0                    # seconds a run may take before it is stopped
STOP_GRACE = 3.0                      # seconds between SIGTERM and SIGKILL to a run's group
#                                       (run_tree needs its own GRACE, 1 s, to stop the rest)
MAX_RUNS = 3                          # runs going at once, all snippets together
SECRET_HEADER = 'X-Liverun-Secret'
# Every answer: framed by the deck's own origin only (the console), no window of another origin
# keeps a handle on it (clickjacking of `r`: issue 33).
SAFE_HEADERS = {'Content-Security-Policy': "frame-ancestors 'self'", 'X-Frame-Options': 'SAMEORIGIN',
                'Cross-Origin-Opener-Policy': 'same-origin',
                'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store'}
# The environment's secrets, hidden from the output (the snippets print none: a second guard):
# the values of variables named for one, the passwords in URLs and in libpq DSNs.
SECRET_NAME = re.compile(r'PASSWORD|PASSWD|SECRET|TOKEN|(?:^|_)(?:API_?)?KEY$|(?:^|_)AUTH$', re.I)
DSN_PASSWORD = re.compile(r"\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']+))")
HIDDEN = '******'


def printable(text):
    """``text`` with every control or invisible character escaped (``\\x1b``, ``\\n``,
    ``\\u202e``): logged request data cannot move the cursor, clear the terminal or forge a line."""
    return ''.join(c if c.isprintable() else c.encode('unicode_escape', 'backslashreplace').decode()
                   for c in text)


def environment_secrets(env):
    """The values in ``env`` that must not reach the page, longest first: those of variables
    named for a secret (``PGPASSWORD``, ``GITHUB_TOKEN``; 6 characters or more), and the passwords
    in URLs (``redis://:PASSWORD@host``) and libpq DSNs (``password=...``; 3 or more)."""
    found = set()
    for name, value in env.items():
        if SECRET_NAME.search(name) and len(value) >= 6:
            found.add(value)
        passwords = {re.sub(r'\\(.)', r'\1', quoted) or bare for quoted, bare in DSN_PASSWORD.findall(value)}
        if '://' in value:
            with contextlib.suppress(ValueError):
                if password := urlsplit(value).password:
                    passwords |= {password, unquote(password)}
        found |= {password for password in passwords if len(password) >= 3}
    return sorted(found, key=len, reverse=True)


def hide(text, hidden):
    """``text`` with each of the values ``hidden`` replaced by ``******``."""
    for value in hidden:
        text = text.replace(value, HIDDEN)
    return text


def allowed_snippets(deck):
    """The modules of the snippets the slides show that are programs, from the build's deck.json."""
    record = json.loads((Path(deck) / 'deck.json').read_text())
    return {entry['module'] for entry in record['snippets'].values() if entry['program'] and entry['slides']}


def check_host(host):
    """Refuse any address but 127.0.0.1: the server runs code on request."""
    if host != HOST:
        raise ValueError(f'refusing to listen on {host!r}: the presenter server binds {HOST} only')


def kill_group(proc, sig):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


class OneLine(logging.Handler):
    """aiohttp's own messages (a malformed request, answered 400 before any handler) as one
    line of the server's log, escaped: not a traceback with the request's bytes in it."""

    def __init__(self, log):
        super().__init__()
        self.line = log

    def emit(self, record):
        error = record.exc_info[1] if record.exc_info else None
        text = record.getMessage() + (f': {error}' if error else '')
        self.line(' '.join(text.split()))


def in_run_tree(program):
    """The command that runs ``program`` below ``run_tree``, which stops all it starts with it."""
    return [sys.executable, '-m', 'slides.tools.run_tree', *program]


class Run:
    """One run of ``command`` (a snippet ``in_run_tree``) in its own session, streamed to one response."""

    def __init__(self, name, command):
        self.name = name
        self.command = command
        self.stopped = None            # why it was stopped early, if it was
        self.proc = None
        self.reaped = False
        self.done = asyncio.Event()

    async def stop(self, reason):
        """Stop it (SIGTERM to its group, SIGKILL after STOP_GRACE) and wait until it is gone."""
        self.stopped = self.stopped or reason
        if self.proc and self.proc.returncode is None:
            kill_group(self.proc, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.done.wait()), STOP_GRACE * 2)

    async def stream(self, env, timeout, send, hidden=()):
        """Start the snippet, ``send`` each event, return the final one."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.proc = proc = await asyncio.create_subprocess_exec(
            *self.command, cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True, limit=1 << 20)
        if self.stopped:                            # stopped while it was starting
            kill_group(proc, signal.SIGTERM)
        try:
            await send({'event': 'start', 'name': self.name, 'pid': proc.pid,
                        'command': f'python -m snippets.{self.name}', 'timeout': timeout})
            timed_out = False
            try:
                async with asyncio.timeout_at(started + timeout):
                    while line := await proc.stdout.readline():
                        text = hide(line.decode(errors='replace').rstrip('\r\n'), hidden)
                        await send({'event': 'line', 'text': text,
                                    't': round(loop.time() - started, 3)})
                    await proc.wait()
            except TimeoutError:
                timed_out = True
                self.stopped = self.stopped or f'past the bound of {timeout:g} s'
            elapsed = loop.time() - started
            await self.reap()
            end = {'event': 'end', 'status': proc.returncode, 'elapsed': round(elapsed, 3),
                   'timed_out': timed_out, 'stopped': self.stopped}
            await send(end)
            return end
        finally:
            await self.reap()
            self.done.set()

    async def reap(self):
        """The run and everything it started are gone, even when the request is cancelled."""
        proc = self.proc
        if self.reaped:
            return
        try:
            if proc.returncode is None:
                kill_group(proc, signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(proc.wait()), STOP_GRACE)
        finally:
            kill_group(proc, signal.SIGKILL)        # whatever is left in its group
            self.reaped = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(proc.wait()), STOP_GRACE)
        # Our end of its output pipe, closed now: were run_tree killed before it had stopped a
        # descendant, that descendant would hold the pipe open, and the transport would stay open
        # until garbage collection reported it (ResourceWarning).  asyncio's Process has no
        # close() of its own, so this is its transport's.
        proc._transport.close()


class Presenter:
    """The deck's server: the deck with this start's secret, and the snippet runs."""

    def __init__(self, deck, allowed, env, run_timeout=RUN_TIMEOUT, log=print):
        self.deck = Path(deck)
        self.allowed = frozenset(allowed)
        self.env = env
        self.run_timeout = run_timeout
        self.log = lambda line: log(printable(line))     # request data in it: escaped
        self.secret = secrets.token_urlsafe(32)
        self.runs = {}                 # name -> its Run: one at a time per snippet, MAX_RUNS in all
        self.hidden = environment_secrets(env)
        self.origin = None             # http://127.0.0.1:PORT once listening

    def app(self):
        @web.middleware
        async def guard(request, handler):
            return await self.guard(request, handler)

        app = web.Application(middlewares=[guard])
        app.router.add_get('/', self.index)
        app.router.add_get('/index.html', self.index)
        app.router.add_route('*', '/run/{name}', self.run)     # only POST runs: any other method is refused
        app.router.add_static('/', self.deck)
        return app

    async def guard(self, request, handler):
        """Every request names this server as its Host (no DNS rebinding); a run also needs
        the deck's own Origin and this start's secret.  A refused run, or any request refused
        for its Host, is logged before the answer goes out."""
        try:
            self.check(request)
            response = await handler(request)
        except web.HTTPException as refusal:
            if refusal.status == 403 or request.path.startswith('/run/'):
                self.log(f'refused {request.method} {request.path}: {refusal.status} {refusal.text.strip()}')
            refusal.headers.update(SAFE_HEADERS)
            raise
        response.headers.update(SAFE_HEADERS)
        return response

    def check(self, request):
        if request.host != self.origin.removeprefix('http://'):
            raise web.HTTPForbidden(text=f'wrong Host header: {request.host!r}\n')
        if request.path.startswith('/run/'):
            if request.headers.get('Origin') != self.origin:
                raise web.HTTPForbidden(text='runs are started from the deck only (Origin)\n')
            given = request.headers.get(SECRET_HEADER, '')
            # the secret is ASCII; a header that is not (even not UTF-8: aiohttp keeps such bytes
            # as surrogates, which .encode() refused with a 500) is a wrong one
            if not (given.isascii() and hmac.compare_digest(given.encode(), self.secret.encode())):
                raise web.HTTPForbidden(text='missing or wrong secret: reload the deck\n')

    def program(self, name):
        """What a run of ``name`` runs."""
        return [sys.executable, '-m', f'snippets.{name}']

    async def index(self, request):
        """The deck, with this start's secret for liverun.js."""
        page = (self.deck / 'index.html').read_text()
        meta = f'<meta name="liverun-secret" content="{self.secret}" />'
        page, found = re.subn(r'<head\b[^>]*>', lambda m: f'{m.group(0)}\n    {meta}', page, count=1,
                              flags=re.I)
        if not found:
            raise web.HTTPInternalServerError(text='the deck has no <head>\n')
        return web.Response(text=page, content_type='text/html')

    async def run(self, request):
        """POST /run/NAME: run a snippet the slides show; stream its events as JSON lines."""
        if request.method != 'POST':
            raise web.HTTPMethodNotAllowed(request.method, ['POST'], text='runs are started by POST only\n')
        name = request.match_info['name']
        if name not in self.allowed:
            raise web.HTTPNotFound(text=f'{name!r} is not a snippet a slide shows\n')
        for _ in range(3):             # one run at a time per snippet: the newest one
            if not (previous := self.runs.get(name)):
                break
            await previous.stop('run again')
        else:
            raise web.HTTPConflict(text=f'the previous run of {name} is still stopping\n')
        if len(self.runs) >= MAX_RUNS:
            going = ', '.join(sorted(self.runs))
            raise web.HTTPTooManyRequests(
                text=f'{MAX_RUNS} runs are going already ({going}): stop one (Esc on its slide) first\n')
        run = self.runs[name] = Run(name, in_run_tree(self.program(name)))
        self.log(f'run {name}: start')
        response = web.StreamResponse(headers={'Content-Type': 'application/x-ndjson'})
        await response.prepare(request)

        async def send(event):
            await response.write(json.dumps(event).encode() + b'\n')

        try:
            end = await run.stream(self.env, self.run_timeout, send, self.hidden)
            self.log(f'run {name}: exit {end["status"]} in {end["elapsed"]:.1f} s'
                     + (f' (stopped: {end["stopped"]})' if end['stopped'] else ''))
        except (ConnectionError, asyncio.CancelledError):
            self.log(f'run {name}: stopped, the browser went away')
            raise
        finally:
            if self.runs.get(name) is run:
                del self.runs[name]
        await response.write_eof()
        return response

    async def close(self):
        await asyncio.gather(*(run.stop('the server stops') for run in list(self.runs.values())))

    async def serve(self, port=0, host=HOST, ready=None):
        """Listen on ``host:port`` until cancelled or SIGTERM; then stop every run."""
        check_host(host)
        logger = logging.Logger('aiohttp.server')       # this server's own, not the global one
        logger.addHandler(OneLine(self.log))
        runner = web.AppRunner(self.app(), handler_cancellation=True, access_log=None, logger=logger,
                               shutdown_timeout=STOP_GRACE)
        await runner.setup()
        sock = socket.create_server((host, port))
        try:
            await web.SockSite(runner, sock).start()
            self.origin = f'http://{host}:{sock.getsockname()[1]}'
            stop = asyncio.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):       # Ctrl-C however we were started
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
            if ready:
                ready(f'{self.origin}/')
            await stop.wait()
        finally:
            with contextlib.suppress(ValueError):       # (only the main thread handles signals)
                signal.signal(signal.SIGINT, signal.SIG_IGN)    # a second Ctrl-C: still clean up
            await self.close()
            await runner.cleanup()
            sock.close()


def main(argv=None):
    # Our own Ctrl-C, first: started with SIGINT ignored (`cmd &` in a script), a process
    # ignores it, and so do the processes it starts.  serve() then takes it over.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('deck', type=Path, help='the built deck: the folder of make slides (index.html)')
    parser.add_argument('--host', default=HOST, help=f'only {HOST} is accepted')
    parser.add_argument('--port', type=int, default=0, help='default: a free port')
    parser.add_argument('--run-timeout', type=float, default=RUN_TIMEOUT,
                        help=f'seconds before a run is stopped (default {RUN_TIMEOUT:g})')
    parser.add_argument('--no-browser', action='store_true', help='do not open a browser')
    args = parser.parse_args(argv)
    try:
        check_host(args.host)
    except ValueError as error:
        parser.error(str(error))
    if not (args.deck / 'index.html').is_file() or not (args.deck / 'deck.json').is_file():
        parser.error(f'no deck in {args.deck}: build it first (make slides)')

    def say(line):
        print(line, flush=True)

    def ready(url):
        say(f'deck: {url}')
        say(f'demo servers: HTTP {env["ASYNCIO_TALK_DEMO_HTTP"]}, echo {env["ASYNCIO_TALK_DEMO_ECHO"]}')
        say(f'live runs: {len(allowed)} snippets, `r` on their slides; Ctrl-C stops')
        if not args.no_browser:
            webbrowser.open(url)

    allowed = allowed_snippets(args.deck)
    with demo_servers() as servers:
        env = {**os.environ, 'PYTHONUNBUFFERED': '1',
               'ASYNCIO_TALK_DEMO_HTTP': '%s:%d' % servers['http'],
               'ASYNCIO_TALK_DEMO_ECHO': '%s:%d' % servers['echo']}
        presenter = Presenter(args.deck, allowed, env, args.run_timeout, log=say)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(presenter.serve(args.port, args.host, ready))
    say('stopped')


if __name__ == '__main__':
    main()
