"""The bundled local demo servers: a strict HTTP/1.1 server and a TCP echo server.

    python -m snippets._demo_server [--http-port N] [--echo-port N] [--delay S] [--size N]

HTTP is served by uvicorn with h11, which answers 400 to an HTTP/1.1 request
without a Host header, like real servers do.  Every GET answers with a body of
``size`` bytes after ``delay`` seconds; ``/?delay=0.5&size=100000`` overrides
both for one request.  ``&group=NAME`` makes it count: the answer carries
``X-In-Flight``, the most requests of that group it has seen in flight at once
(so a test sees how concurrent a client really is), and ``&together=K``
answers as soon as K of the group are in flight, or after ``delay`` seconds.
Port 0 picks a free port; the chosen addresses are printed, one per line,
before serving.  Ctrl-C (or SIGTERM) stops both servers gracefully.
"""
import argparse
import asyncio
import contextlib
import signal
import socket
from urllib.parse import parse_qs

import uvicorn

HOST = '127.0.0.1'


def demo_body(size):
    """The body the server sends: ``size`` bytes of a numbered, checkable text."""
    line_count = size // 16 + 1
    text = b''.join(b'line %010d\n' % i for i in range(line_count))
    return text[:size]


class Group:
    """Requests of one ``group``: how many are in flight now, and the most at once."""

    def __init__(self):
        self.in_flight = self.peak = 0
        self.full = asyncio.Event()


def make_http_app(delay, size):
    """A tiny ASGI app: a known body, optionally slow and of a chosen size."""
    groups = {}

    async def counted(name, wait, together):
        """Wait like any request, counted in its group; return the group's peak."""
        group = groups.setdefault(name, Group())
        group.in_flight += 1
        group.peak = max(group.peak, group.in_flight)
        if together and group.in_flight >= together:
            group.full.set()
        try:
            if together:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(group.full.wait(), wait)
            else:
                await asyncio.sleep(wait)
            return group.peak
        finally:                  # before the answer leaves: the client may send the next
            group.in_flight -= 1
            if not group.in_flight:
                del groups[name]

    async def app(scope, receive, send):
        query = parse_qs(scope['query_string'].decode('ascii'))
        wait = float(query.get('delay', [delay])[0])
        body = demo_body(int(query.get('size', [size])[0]))
        status = int(query.get('status', [200])[0])
        headers = [(b'content-type', b'text/plain'),
                   (b'content-length', str(len(body)).encode())]
        if 'group' in query:
            peak = await counted(query['group'][0], wait, int(query.get('together', [0])[0]))
            headers.append((b'x-in-flight', str(peak).encode()))
        else:
            await asyncio.sleep(wait)
        await send({'type': 'http.response.start', 'status': status, 'headers': headers})
        await send({'type': 'http.response.body', 'body': body})

    return app


async def echo(reader, writer):
    """Send back every byte received until the peer closes."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionResetError:
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def serve(http_port=0, echo_port=0, delay=0.0, size=1024, announce=print):
    """Run both servers until cancelled; announce their addresses first."""
    http_sock = socket.create_server((HOST, http_port))
    config = uvicorn.Config(make_http_app(delay, size), http='h11', ws='none',
                            lifespan='off', log_level='warning',
                            access_log=False)
    http_server = uvicorn.Server(config)
    echo_server = await asyncio.start_server(echo, HOST, echo_port)
    announce(f'HTTP http://{HOST}:{http_sock.getsockname()[1]}/')
    announce(f'ECHO {HOST}:{echo_server.sockets[0].getsockname()[1]}')
    with http_sock:               # uvicorn serves on it but leaves closing it to us
        async with echo_server:
            await http_server.serve(sockets=[http_sock])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--http-port', type=int, default=8080)
    parser.add_argument('--echo-port', type=int, default=8888)
    parser.add_argument('--delay', type=float, default=0.0,
                        help='seconds before each HTTP answer (default 0)')
    parser.add_argument('--size', type=int, default=1024,
                        help='HTTP body size in bytes (default 1024)')
    args = parser.parse_args()
    # Our own Ctrl-C, even when started with SIGINT ignored (`cmd &` in a script): uvicorn takes
    # it over while it serves; this holds from the start too
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.http_port, args.echo_port, args.delay, args.size,
                          announce=lambda line: print(line, flush=True)))


if __name__ == '__main__':
    main()
