"""nginx, Debian's, started from a temporary config on 127.0.0.1 and stopped again.

The one way this project runs nginx: the tests' static file server
(``tests/conftest.py``) and the benchmark's delayed server
(``slides.tools.bench.run``, with the echo module's ``echo_sleep``) both go
through ``running_nginx``.
"""
import contextlib
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = '127.0.0.1'
START_TIMEOUT = 30  # seconds for nginx to start or stop
# Debian's libnginx-mod-http-echo puts the module here (`dpkg -L libnginx-mod-http-echo`).
ECHO_MODULE = Path('/usr/lib/nginx/modules/ngx_http_echo_module.so')

CONF = '''\
daemon off;
worker_processes {workers};
worker_rlimit_nofile {nofile};
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{main}
events {{ worker_connections {connections}; }}
http {{
    access_log off;
    default_type text/plain;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
{listen}
{server}
    }}
{status}
}}
'''
# With ``status``: a server of its own, on one more port, that answers nginx's counters
# (the stub_status module, built into Debian's nginx).
STATUS = '''\
    server {{
        listen {host}:{port};
        location / {{ stub_status; }}
    }}'''


class NginxMissing(RuntimeError):
    """nginx, or a module the caller needs, is not installed."""


def nginx_binary():
    """Path of the nginx executable; NginxMissing with what to install if there is none."""
    binary = shutil.which('nginx') or shutil.which('nginx', path='/usr/sbin:/sbin')
    if not binary:
        raise NginxMissing('nginx not found: install it with `apt-get install nginx` '
                           '(or `make deps`)')
    return binary


def echo_module():
    """Path of the echo module (``echo_sleep``); NginxMissing if it is not installed."""
    if not ECHO_MODULE.is_file():
        raise NginxMissing(f'{ECHO_MODULE} not found: install it with '
                           '`apt-get install libnginx-mod-http-echo` (or `make deps`)')
    return ECHO_MODULE


def free_ports(count):
    """``count`` distinct ports on 127.0.0.1 that nothing listens on (just now)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sockets.append(sock)
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Nginx:
    """A running nginx: its ports on 127.0.0.1, its temp directory and its master process."""

    def __init__(self, ports, directory, process, status_port=None):
        self.ports, self.directory, self.process = ports, directory, process
        self.status_port = status_port

    def connections(self, timeout=1.0):
        """Client connections nginx holds open now, from its status port (this one excepted)."""
        with socket.create_connection((HOST, self.status_port), timeout=timeout) as sock:
            sock.sendall(b'GET / HTTP/1.0\r\n\r\n')
            answer = b''
            while chunk := sock.recv(4096):
                answer += chunk
        active = answer.split(b'Active connections:', 1)[1].split(None, 1)[0]
        return int(active) - 1

    @property
    def address(self):
        return HOST, self.ports[0]

    def log(self):
        with contextlib.suppress(OSError):
            return (self.directory / 'error.log').read_text()[-3000:]
        return ''


@contextlib.contextmanager
def running_nginx(server, *, ports=1, listen_options='', workers=1, connections=256,
                  main='', directory=None, status=False):
    """Run nginx with ``server`` (directives of its one server block) on ``ports`` free ports.

    Yields a ``Nginx`` once every port accepts connections; stops it (SIGTERM, then
    SIGKILL) and removes its temporary directory afterwards.  ``directory``: a temp
    dir made by the caller (e.g. with files to serve), removed here too.  As root,
    the workers run as root as well (``user root``): the default user ``nobody``
    could not read a private temp dir.  ``status``: one more port, whose answer
    counts nginx's connections (``Nginx.connections``).
    """
    binary = nginx_binary()
    tmp = Path(directory or tempfile.mkdtemp(prefix='asyncio-talk-nginx-'))
    chosen = free_ports(ports + bool(status))
    status_port = chosen.pop() if status else None
    listen = '\n'.join(f'        listen {HOST}:{port} {listen_options};' for port in chosen)
    nofile = _nofile_limit()
    conf = tmp / 'nginx.conf'
    conf.write_text(CONF.format(
        tmp=tmp, workers=workers, connections=connections, main=main, listen=listen,
        nofile=nofile, server=server, user='user root;' if os.geteuid() == 0 else '',
        status=STATUS.format(host=HOST, port=status_port) if status else ''))
    log_path = tmp / 'error.log'
    try:
        with open(log_path, 'a+') as log:       # nginx appends its own errors here too
            proc = subprocess.Popen([binary, '-p', str(tmp), '-e', str(log_path), '-c', str(conf)],
                                    stdout=log, stderr=subprocess.STDOUT)
            nginx = Nginx(chosen, tmp, proc, status_port)
            try:
                _wait_until_accepting(nginx)
                yield nginx
            finally:
                proc.terminate()                # SIGTERM: nginx's fast shutdown
                try:
                    proc.wait(START_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(START_TIMEOUT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _nofile_limit():
    """The open-file limit nginx's workers may set for themselves: the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return hard if hard != resource.RLIM_INFINITY else max(soft, 65536)


def _wait_until_accepting(server):
    deadline = time.monotonic() + START_TIMEOUT
    waiting = [*server.ports, *filter(None, [server.status_port])]
    while waiting:
        try:
            socket.create_connection((HOST, waiting[0]), timeout=1).close()
            waiting.pop(0)
            continue
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f'nginx did not start on port {waiting[0]}:\n{server.log()}')
        time.sleep(0.05)
