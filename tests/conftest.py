"""Real servers for the tests, on free ports on 127.0.0.1, started and stopped here.

The demo servers (uvicorn+h11 HTTP, TCP echo), nginx, PostgreSQL and Redis, plus
misbehaving peers: a port that refuses, a server that closes mid-response, and peers
that read slowly (back-pressure) and say whether the client closed.

``pytest --busy`` keeps every core busy with a spinning process for the whole run:
the timing tests must pass on a loaded machine too (``make test-busy``).
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from _support import SHORT_TIMEOUT, busy_cores, wait_until
from _support import missing as _missing
from slides.tools.nginx import NginxMissing, echo_module, free_ports, nginx_binary, running_nginx
from snippets._demo_server import demo_body
from snippets._run import demo_servers

# The deck's builds, and Chromium with static servers: fixtures shared by the modules that need them.
pytest_plugins = ['builds', 'browser']

POSTGRES_PASSWORD = 'talk-secret'  # the throwaway cluster's; password auth over TCP


def pytest_addoption(parser):
    parser.addoption('--busy', action='store_true',
                     help='keep every core busy with a spinning process during the run')


@pytest.fixture(scope='session', autouse=True)
def _busy_machine(request):
    """With ``--busy``: every core spins for the whole session (the tests share them)."""
    if not request.config.getoption('--busy'):
        yield
        return
    with busy_cores():
        yield


def _wait_until_serving(proc, answers, what, log):
    """Until ``answers()`` is true; fail with the server's log if it dies or SHORT_TIMEOUT passes first."""
    def serving_or_dead():
        try:
            if answers():
                return True
        except OSError:
            pass
        return proc.poll() is not None

    def not_serving():
        log.seek(0)
        return f'{what} did not start:\n{log.read()[-3000:]}'
    wait_until(serving_or_dead, what=not_serving)
    if proc.poll() is not None:
        pytest.fail(not_serving() + f'\n(exit status {proc.returncode})')


@pytest.fixture(scope='session')
def demo():
    """The bundled demo servers (strict HTTP/1.1 via uvicorn+h11, TCP echo), in a subprocess."""
    with demo_servers() as servers:
        yield servers


@pytest.fixture
def http_server(demo):
    """``(host, port)`` of a strict HTTP/1.1 server.  Query ``?size=N&delay=S`` shapes the answer."""
    return demo['http']


@pytest.fixture
def echo_server(demo):
    """``(host, port)`` of a TCP echo server."""
    return demo['echo']


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    port, = free_ports(1)
    return port


@pytest.fixture
def early_close_server():
    """``(host, port)`` of a server that announces 1000 body bytes, sends 10 and closes."""
    listener = socket.create_server(('127.0.0.1', 0))
    listener.settimeout(10)

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:            # listener closed: the test is over
                return
            with conn:
                conn.settimeout(10)
                conn.recv(65536)       # the request
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    try:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() now, not in 10 s
    except OSError:
        pass
    listener.close()
    thread.join(10)


class SlowPeer:
    """A TCP peer on 127.0.0.1, in a thread, that reads slowly and records what it saw.

    For each connection (one at a time): wait ``pause`` seconds before reading, so the
    client's buffers fill up; read ``chunk`` bytes at a time through a small receive
    buffer until ``complete(received)`` (or nothing came for ``idle`` seconds); send
    ``reply(received)``; then read until the client closes.  ``received`` is what the last
    connection sent; ``saw_eof`` is set when its client closed (EOF).
    """

    def __init__(self, complete, reply, pause=0.2, chunk=64 * 1024, idle=5.0):
        self.complete, self.reply = complete, reply
        self.pause, self.chunk, self.idle = pause, chunk, idle
        self.received = bytearray()
        self.saw_eof = threading.Event()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)  # accepted sockets inherit it
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen()
        self.address = self.listener.getsockname()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:                  # closed: the test is over
                return
            with conn:
                self.received = bytearray()
                self.saw_eof.clear()
                try:
                    self._handle(conn)
                except OSError:              # the client reset or went away
                    pass

    def _handle(self, conn):
        time.sleep(self.pause)
        conn.settimeout(self.idle)
        try:
            while not self.complete(self.received):
                if not (data := conn.recv(self.chunk)):
                    break
                self.received += data
        except TimeoutError:                 # the client stopped sending: answer what came
            pass
        conn.settimeout(SHORT_TIMEOUT)
        conn.sendall(self.reply(bytes(self.received)))
        conn.shutdown(socket.SHUT_WR)        # our side is done; now wait for the client's
        while conn.recv(self.chunk):
            pass
        self.saw_eof.set()

    def close(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)   # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(SHORT_TIMEOUT)


HTTP_OK = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'
HTTP_BAD = b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'


@pytest.fixture
def slow_http_server():
    """A SlowPeer speaking HTTP: answers 200 ``ok`` to a whole request (up to the blank line),
    400 to a request that stopped short."""
    peer = SlowPeer(complete=lambda received: received.endswith(b'\r\n\r\n'),
                    reply=lambda received: HTTP_OK if received.endswith(b'\r\n\r\n') else HTTP_BAD)
    yield peer
    peer.close()


@pytest.fixture
def slow_echo_server():
    """A SlowPeer that echoes: reads a whole message (``peer.expect`` bytes), then sends it back."""
    peer = SlowPeer(complete=lambda received: len(received) >= peer.expect,
                    reply=lambda received: received)
    peer.expect = 0
    yield peer
    peer.close()


# -- PostgreSQL and Redis: real servers from the Debian packages, as throwaway instances --------

def _postgres_bindir():
    """Debian's newest /usr/lib/postgresql/VERSION/bin, else the initdb on PATH."""
    def version(bindir):
        return tuple(int(part) for part in bindir.split('/')[-2].split('.') if part.isdigit())
    debian = sorted((os.path.dirname(p) for p in glob.glob('/usr/lib/postgresql/*/bin/initdb')),
                    key=version)
    on_path = shutil.which('initdb')
    for bindir in [*reversed(debian), on_path and os.path.dirname(os.path.realpath(on_path))]:
        if bindir and all(os.access(os.path.join(bindir, b), os.X_OK) for b in ('initdb', 'pg_ctl')):
            return bindir
    _missing('PostgreSQL server binaries (initdb, pg_ctl) not found: '
             'install them with `apt-get install postgresql` (or `make deps`)')


def _run_checked(cmd, what, log=None):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=SHORT_TIMEOUT + 30)
    if result.returncode:
        detail = result.stdout + result.stderr
        if log and os.path.exists(log):
            with open(log) as f:
                detail += f.read()[-3000:]
        raise RuntimeError(f'{what} failed ({result.returncode}): {" ".join(cmd)}\n{detail}')


@pytest.fixture(scope='session')
def postgres():
    """DSN of a throwaway PostgreSQL cluster on 127.0.0.1: initdb into a temp dir, password auth.

    As root, the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root).
    """
    bindir = _postgres_bindir()
    as_user = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam('postgres')
        except KeyError:
            _missing('running as root needs a `postgres` user: `apt-get install postgresql` creates it')
        as_user = ['runuser', '-u', 'postgres', '--']
    tmp = tempfile.mkdtemp(prefix='asyncio-talk-pg-')   # not under /tmp/pytest-of-root (mode 700)
    data, sockets, log = (os.path.join(tmp, name) for name in ('data', 'run', 'server.log'))
    os.mkdir(sockets)
    pwfile = os.path.join(tmp, 'pw')
    with open(pwfile, 'w') as f:
        f.write(POSTGRES_PASSWORD + '\n')
    if as_user:
        for path in (tmp, sockets, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    pg_ctl = [*as_user, os.path.join(bindir, 'pg_ctl'), '-D', data]
    port, = free_ports(1)
    try:
        _run_checked([*as_user, os.path.join(bindir, 'initdb'), '-D', data, '-U', 'talk',
                      f'--pwfile={pwfile}', '--auth-local=trust', '--auth-host=scram-sha-256',
                      '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], 'initdb')
        options = (f'-c port={port} -c listen_addresses=127.0.0.1 -c fsync=off '
                   f'-c unix_socket_directories={sockets}')
        try:
            _run_checked([*pg_ctl, 'start', '-w', '-t', str(SHORT_TIMEOUT), '-l', log,
                          '-o', options], 'pg_ctl start', log)
            yield (f'host=127.0.0.1 port={port} dbname=postgres user=talk '
                   f'password={POSTGRES_PASSWORD} connect_timeout=10')
        finally:        # also after a failed start: a half-started server must not linger
            subprocess.run([*pg_ctl, 'stop', '-m', 'fast', '-w', '-t', str(SHORT_TIMEOUT)],
                           capture_output=True, timeout=SHORT_TIMEOUT + 30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope='session')
def redis_server():
    """URL of a throwaway redis-server on 127.0.0.1, persistence off."""
    binary = shutil.which('redis-server') or '/usr/bin/redis-server'
    if not os.access(binary, os.X_OK):
        _missing('redis-server not found: install it with `apt-get install redis-server` '
                 '(or `make deps`)')
    tmp = tempfile.mkdtemp(prefix='asyncio-talk-redis-')
    port, = free_ports(1)
    with open(os.path.join(tmp, 'server.log'), 'w+') as log:
        proc = subprocess.Popen(
            [binary, '--port', str(port), '--bind', '127.0.0.1', '--save', '',
             '--appendonly', 'no', '--dir', tmp], stdout=log, stderr=subprocess.STDOUT)
        def answers_ping():
            with socket.create_connection(('127.0.0.1', port), timeout=1) as sock:
                sock.sendall(b'PING\r\n')
                return sock.recv(64) == b'+PONG\r\n'

        try:
            _wait_until_serving(proc, answers_ping, f'redis-server on port {port}', log)
            yield f'redis://127.0.0.1:{port}/0'
        finally:
            proc.terminate()
            proc.wait(SHORT_TIMEOUT)
            shutil.rmtree(tmp, ignore_errors=True)


# -- nginx: a second real, strict HTTP/1.1 server for the hand-written HTTP clients ------------

class HttpServer:
    """A running HTTP server for the client tests: its address, and which path answers which body."""

    def __init__(self, name, address, path_for_size):
        self.name = name
        self.address = address
        self._path_for_size = path_for_size

    def path(self, size):
        """A path whose answer has the body ``demo_body(size)``."""
        return self._path_for_size(size)

    def __repr__(self):
        return f'<{self.name} at {self.address[0]}:{self.address[1]}>'


@pytest.fixture(scope='session')
def nginx_echo():
    """nginx and its echo module, which the benchmark and the threads probe need to delay answers:
    skip (locally) or fail (CI) without."""
    try:
        nginx_binary()
        echo_module()
    except NginxMissing as error:
        _missing(str(error))


@pytest.fixture(scope='session')
def nginx_server():
    """HttpServer: nginx (Debian's) on a free port, serving demo_body files from a temp root.

    ``/`` answers ``demo_body(1024)`` (index.html), like the demo server; ``.path(size)`` writes
    ``/size-N.txt`` on first use.  Started by ``slides.tools.nginx.running_nginx``, the benchmark's
    way too: a temporary config, ``daemon off``, pid, logs and temp files in a temp dir.
    """
    try:
        nginx_binary()
    except NginxMissing as error:
        _missing(str(error))
    tmp = tempfile.mkdtemp(prefix='asyncio-talk-nginx-')
    root = os.path.join(tmp, 'www')
    os.mkdir(root)
    with open(os.path.join(root, 'index.html'), 'wb') as f:
        f.write(demo_body(1024))

    def path_for_size(size):
        name = f'size-{size}.txt'
        if not os.path.exists(os.path.join(root, name)):
            with open(os.path.join(tmp, name), 'wb') as f:
                f.write(demo_body(size))
            os.replace(os.path.join(tmp, name), os.path.join(root, name))  # whole, or not there
        return '/' + name

    with running_nginx(f'        root {root};', directory=tmp) as nginx:
        yield HttpServer('nginx', nginx.address, path_for_size)


@pytest.fixture(params=['uvicorn', 'nginx'])
def any_http_server(request):
    """Each strict HTTP/1.1 server in turn, as an HttpServer: the demo server (uvicorn+h11), nginx."""
    if request.param == 'nginx':
        return request.getfixturevalue('nginx_server')
    return HttpServer('uvicorn', request.getfixturevalue('http_server'), lambda size: f'/?size={size}')


def pytest_terminal_summary(terminalreporter):
    """Print what the tests measured for the record (``record_property('deck_report', line)``)."""
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             if getattr(report, 'when', None) == 'call'
             for name, value in getattr(report, 'user_properties', ()) if name == 'deck_report']
    if lines:
        terminalreporter.write_sep('-', 'deck report')
        for line in lines:
            terminalreporter.write_line(line)
