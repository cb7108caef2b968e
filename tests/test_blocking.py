"""Base case, processes and threads: the blocking client against a real strict HTTP/1.1 server."""
import multiprocessing
import os
import socket
import subprocess
import sys

import pytest

from _support import ROOT
from snippets import http_blocking, http_processes, http_threads
from snippets._http import IncompleteResponse, split_response
from snippets.demo_server import demo_body


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


@pytest.mark.parametrize('module', [http_processes, http_threads])
def test_pools_overlap_slow_requests(module, http_server):
    """Four requests each answered after 1 s finish together, not one after another."""
    import time
    start = time.monotonic()
    responses = module.fetch_all(*http_server, ['/?delay=1&size=3'] * 4)
    elapsed = time.monotonic() - start
    assert [split_response(r) for r in responses] == [(200, b'lin')] * 4
    assert elapsed < 3.5, f'{elapsed:.1f}s: the requests did not overlap'


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
    """With forkserver or spawn, starting a worker re-imports the main module: unguarded, that
    import tries to start the pool again, multiprocessing refuses, and no request is made."""
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
