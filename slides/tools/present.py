"""``make present``: the deck from a local server whose ``r`` runs a slide's snippet.

It serves a built deck (``make slides``) on 127.0.0.1 and nothing else::

    python -m slides.tools.present _build/slides [--port N] [--no-browser] [--run-timeout S]

It starts the bundled demo servers, opens the browser, prints the URL, and on a slide's
``r`` runs ``python -m snippets.NAME`` (no arguments, no shell) against them, streaming
the output as JSON lines.  Only snippets that the slides include can run: the server
reads the allow-list from the deck's record, ``deck.json``, which the build writes beside the
deck (``slides/_ext/deck_record.py``; the same build marks those slides); the browser sends only
a name.  A run needs the secret this start injected into the served deck, in a header, from the
deck's own origin; it is stopped (its whole process group) past the bound, when the
browser goes away, when the same snippet is started again, and on Ctrl-C.  Every refused
request is logged, as is every run when it ends.
"""
import argparse
import asyncio
import contextlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import sys
import webbrowser
from pathlib import Path

from aiohttp import web

from snippets._run import demo_servers

ROOT = Path(__file__).resolve().parents[2]   # the project: where python -m snippets.NAME runs

HOST = '127.0.0.1'                    # the only address the server binds
RUN_TIMEOUT = 30.0                    # seconds a run may take before it is stopped
STOP_GRACE = 2.0                      # seconds between SIGTERM and SIGKILL to a run's group
SECRET_HEADER = 'X-Liverun-Secret'


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


class Run:
    """One ``python -m snippets.NAME`` in its own process group, streamed to one response."""

    def __init__(self, name):
        self.name = name
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

    async def stream(self, env, timeout, send):
        """Start the snippet, ``send`` each event, return the final one."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.proc = proc = await asyncio.create_subprocess_exec(
            sys.executable, '-m', f'snippets.{self.name}', cwd=ROOT, env=env,
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
                        await send({'event': 'line', 'text': line.decode(errors='replace').rstrip('\r\n'),
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


class Presenter:
    """The deck's server: the deck with this start's secret, and the snippet runs."""

    def __init__(self, deck, allowed, env, run_timeout=RUN_TIMEOUT, log=print):
        self.deck = Path(deck)
        self.allowed = frozenset(allowed)
        self.env = env
        self.run_timeout = run_timeout
        self.log = log
        self.secret = secrets.token_urlsafe(32)
        self.runs = {}                 # name -> its Run: one at a time per snippet
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
            raise
        response.headers['X-Content-Type-Options'] = 'nosniff'
        response.headers['Cache-Control'] = 'no-store'
        return response

    def check(self, request):
        if request.host != self.origin.removeprefix('http://'):
            raise web.HTTPForbidden(text=f'wrong Host header: {request.host!r}\n')
        if request.path.startswith('/run/'):
            if request.headers.get('Origin') != self.origin:
                raise web.HTTPForbidden(text='runs are started from the deck only (Origin)\n')
            given = request.headers.get(SECRET_HEADER, '')
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                raise web.HTTPForbidden(text='missing or wrong secret: reload the deck\n')

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
        run = self.runs[name] = Run(name)
        self.log(f'run {name}: start')
        response = web.StreamResponse(headers={'Content-Type': 'application/x-ndjson'})
        await response.prepare(request)

        async def send(event):
            await response.write(json.dumps(event).encode() + b'\n')

        try:
            end = await run.stream(self.env, self.run_timeout, send)
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
        runner = web.AppRunner(self.app(), handler_cancellation=True, access_log=None,
                               shutdown_timeout=STOP_GRACE)
        await runner.setup()
        sock = socket.create_server((host, port))
        try:
            await web.SockSite(runner, sock).start()
            self.origin = f'http://{host}:{sock.getsockname()[1]}'
            stop = asyncio.Event()
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
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
