"""The harness below every snippet's slide part: where to run, and against what.

``python -m snippets.NAME`` with no argument starts the bundled demo servers
(``snippets._demo_server``) in a background process and runs against them, so
every snippet works offline; when ``$ASYNCIO_TALK_DEMO_HTTP`` or
``$ASYNCIO_TALK_DEMO_ECHO`` holds ``HOST:PORT`` of demo servers already running
(``make present`` sets both), it uses those instead.  ``python -m snippets.NAME HOST [PORT]`` or
``python -m snippets.NAME http://HOST[:PORT]/`` runs against a real host.
"""
import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from urllib.parse import urlsplit

STARTUP_TIMEOUT = 15  # seconds to wait for the demo servers to print their addresses


@contextlib.contextmanager
def demo_servers(delay=0.0, size=1024):
    """Start ``snippets._demo_server`` on free ports; yield its addresses.

    Yields a dict: ``{'http': (host, port), 'echo': (host, port)}``.
    """
    cmd = [sys.executable, '-m', 'snippets._demo_server', '--http-port', '0',
           '--echo-port', '0', '--delay', str(delay), '--size', str(size)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        reader = threading.Thread(
            target=lambda: lines.extend(proc.stdout.readline() for _ in range(2)),
            daemon=True)
        reader.start()
        reader.join(STARTUP_TIMEOUT)
        if reader.is_alive() or not all(lines):
            raise RuntimeError(f'demo servers did not start: {" ".join(cmd)}')
        addresses = {}
        for line in lines:
            kind, address = line.split()
            host, port = address.removeprefix('http://').rstrip('/').rsplit(':', 1)
            addresses[kind.lower()] = (host, int(port))
        yield addresses
    finally:
        proc.terminate()
        proc.wait(STARTUP_TIMEOUT)
        proc.stdout.close()


def parse_target(description, default_port, argv=None):
    """Parse ``[HOST [PORT]]`` or ``[URL]``; return ``(host, port)`` or None."""
    parser = argparse.ArgumentParser(
        description=description,
        epilog='With no HOST, the bundled local demo server is started and used '
               '(no network needed).')
    parser.add_argument('host', nargs='?', help='host name or http://host[:port]/')
    parser.add_argument('port', nargs='?', type=int, default=None,
                        help=f'port (default {default_port})')
    args = parser.parse_args(argv)
    if args.host is None:
        return None
    if '://' in args.host:
        url = urlsplit(args.host)
        return url.hostname, url.port or args.port or default_port
    return args.host, args.port or default_port


@contextlib.contextmanager
def target(description, kind='http', default_port=None, argv=None):
    """Yield ``(host, port)``: the one given on the command line, or a local demo server."""
    default_port = default_port or {'http': 80, 'echo': 8888}[kind]
    given = parse_target(description, default_port, argv)
    if given:
        yield given
        return
    if running := os.environ.get(f'ASYNCIO_TALK_DEMO_{kind.upper()}'):
        host, port = running.rsplit(':', 1)
        print(f'(no host given: using the local demo server at {host}:{port})')
        yield host, int(port)
        return
    with demo_servers() as servers:
        print(f'(no host given: using the local demo server at {servers[kind][0]}:{servers[kind][1]})')
        yield servers[kind]


def run_service_demo(description, main, unavailable):
    """Run ``asyncio.run(main())`` for a snippet whose server comes from the environment.

    Only ``--help`` is parsed (the docstring says which variable to set).  When the
    server is missing, ``main`` raises ``unavailable`` with advice: print it, exit 1.
    """
    argparse.ArgumentParser(description=description,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        asyncio.run(main())
    except unavailable as error:
        sys.exit(f'error: {error}')
