"""Base case, processes and threads: the blocking client against a real strict HTTP/1.1 server."""
import multiprocessing
import os
import socket
import subprocess
import sys

import pytest

from _support import BIG, CLOSE_WAIT, ROOT, group_paths, in_flight
from snippets import http_blocking, http_processes, http_threads
from snippets._demo_server import demo_body
from snippets._http import IncompleteResponse, split_response

# ProcessPoolExecutor() starts one worker per CPU this process may use (3.13: process_cpu_count).
PROCESS_WORKERS = getattr(os, 'process_cpu_count', os.cpu_count)()


def test_blocking_client_gets_a_complete_answer(any_http_server):
    status, body = split_response(http_blocking.http_get(*any_http_server.address,
                                                         path=any_http_server.path(100)))
    assert status == 200
    assert body == demo_body(100)


def test_body_larger_than_one_read_arrives_whole(any_http_server):
    size = 3 * 1024 * 1024      # far more than one recv() of 64 KiB returns
    status, body = split_response(http_blocking.http_get(*any_http_server.address,
                                                         path=any_http_server.path(size)))
    assert status == 200
    assert len(body) == size
    assert body == demo_body(size)


def test_server_rejects_http11_without_host(any_http_server):
    """The servers are strict: the 2015 request (no Host header) gets 400, ours gets 200."""
    with socket.create_connection(any_http_server.address, timeout=10) as sock:
        sock.sendall(b'GET / HTTP/1.1\r\nConnection: close\r\n\r\n')
        answer = sock.recv(65536)
    assert answer.startswith(b'HTTP/1.1 400')
    assert http_blocking.http_get(*any_http_server.address).startswith(b'HTTP/1.1 200')


def test_blocking_client_sends_every_byte_to_a_slow_reader(slow_http_server):
    """An 8 MiB request to a server that reads slowly: sendall() delivers all of it, and the
    socket is closed (the server sees EOF) when http_get returns."""
    host, port = slow_http_server.address
    path = '/' + 'x' * BIG
    response = http_blocking.http_get(host, port, path)
    assert slow_http_server.saw_eof.wait(CLOSE_WAIT), 'the socket was still open on return'
    assert split_response(response) == (200, b'ok')
    assert slow_http_server.received == http_blocking.http_request(host, path)


def test_blocking_client_never_waits_forever(http_server, monkeypatch):
    """Its socket has a timeout: a server that never answers cannot hang it."""
    timeouts, real = [], socket.create_connection

    def create_connection(*args, **kwargs):
        sock = real(*args, **kwargs)
        timeouts.append(sock.gettimeout())
        return sock

    monkeypatch.setattr(socket, 'create_connection', create_connection)
    http_blocking.http_get(*http_server)
    assert len(timeouts) == 1 and timeouts[0] is not None and 0 < timeouts[0] <= 10


def test_request_is_bytes_with_host_header():
    request = http_blocking.http_request('example.org', '/x')
    assert request == (b'GET /x HTTP/1.1\r\nHost: example.org\r\n'
                       b'Connection: close\r\n\r\n')


def test_refused_connection_raises(refused_port):
    with pytest.raises(ConnectionRefusedError):
        http_blocking.http_get('127.0.0.1', refused_port)


def test_server_closing_early_is_reported(early_close_server):
    with pytest.raises(IncompleteResponse, match='10 of 1000 body bytes'):
        http_blocking.http_get(*early_close_server)


@pytest.mark.parametrize('module', [http_processes, http_threads])
def test_pools_fetch_every_path_in_order(module, any_http_server):
    sizes = [10, 70_000, 5, 200_000]
    responses = module.fetch_all(*any_http_server.address, [any_http_server.path(n) for n in sizes])
    assert [split_response(r) for r in responses] == [(200, demo_body(n)) for n in sizes]


def test_thread_pool_has_five_requests_in_flight(http_server):
    """Five threads: the server sees five of six requests at once, never six (the server would
    answer at once if six came together; five wait 1 s for a sixth that cannot come)."""
    responses = http_threads.fetch_all(*http_server, group_paths(6, together=6, wait=1))
    assert [split_response(r) for r in responses] == [(200, b'lin')] * 6
    assert in_flight(responses) == 5


def test_process_pool_has_a_request_in_flight_per_worker(http_server):
    """One worker per CPU: the server sees that many requests at once."""
    responses = http_processes.fetch_all(
        *http_server, group_paths(2 * PROCESS_WORKERS, together=PROCESS_WORKERS, wait=3))
    assert [split_response(r) for r in responses] == [(200, b'lin')] * (2 * PROCESS_WORKERS)
    assert in_flight(responses) == PROCESS_WORKERS


# Runs snippets/http_processes.py as `python -m` would, under the start method in argv[1].
START_METHOD_DRIVER = """
import multiprocessing, runpy, sys
multiprocessing.set_start_method(sys.argv.pop(1))
runpy.run_module('snippets.http_processes', run_name='__main__', alter_sys=True)
"""


@pytest.mark.parametrize('method', ['spawn', 'forkserver'])
def test_processes_program_under_a_start_method_that_reimports_it(method, http_server):
    """spawn (macOS, Windows) imports the module again in every worker, forkserver (Linux from 3.14)
    in the fork server the workers are forked from: only the __main__ guard keeps that import from
    starting a pool of its own."""
    host, port = http_server
    result = subprocess.run([sys.executable, '-W', 'error', '-c', START_METHOD_DRIVER,
                             method, host, str(port)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'HTTP/1.1 200 OK\n' * 2


PROGRAM = """\
import multiprocessing, sys
from snippets._http import status_line
from snippets.http_processes import fetch_all

if sys.version_info < (3, 14) and multiprocessing.get_start_method(allow_none=True) is None:
    multiprocessing.set_start_method('forkserver')    # the default on Linux since 3.14
{guard}for response in fetch_all(sys.argv[1], int(sys.argv[2]), ['/', '/']):
{indent}print(status_line(response))
"""


@pytest.mark.parametrize('guarded', [True, False], ids=['with the guard', 'without'])
def test_process_pool_needs_the_main_guard(guarded, http_server, tmp_path):
    """With forkserver or spawn, the main module is imported again in another process: unguarded,
    that import tries to start the pool again, multiprocessing refuses, and no request is made."""
    if sys.platform == 'linux' and sys.version_info >= (3, 14):
        assert multiprocessing.get_all_start_methods()[0] == 'forkserver'   # the first is the default
    program = tmp_path / 'program.py'
    program.write_text(PROGRAM.format(guard="if __name__ == '__main__':\n    " if guarded else '',
                                      indent='        ' if guarded else '    '))
    result = subprocess.run([sys.executable, '-W', 'error', str(program), *map(str, http_server)],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, 'PYTHONPATH': str(ROOT)})
    if guarded:
        assert result.returncode == 0, result.stderr
        assert result.stdout == 'HTTP/1.1 200 OK\n' * 2
    else:
        assert result.returncode != 0
        assert 'finished its bootstrapping phase' in result.stderr
        assert 'HTTP/1.1' not in result.stdout
