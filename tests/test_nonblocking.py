"""Before asyncio: the selectors+callbacks, asyncore and Twisted clients, and Deferreds.

Every client runs against real strict HTTP/1.1 servers (the uvicorn+h11 demo server and nginx).
Twisted's global reactor can run only once per process, so the Twisted client runs in a fresh
Python process for each test (``python -W error``); the Deferred tests use ``task.Clock``, which
needs no reactor at all.
"""
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from twisted.internet import task

from _support import BIG, CLOSE_WAIT, LONG_TIMEOUT, group_paths, in_flight
from snippets import deferred_chain, http_asyncore, http_callbacks
from snippets._demo_server import demo_body
from snippets._http import split_response
from snippets.http_blocking import http_request

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60   # seconds: the clients' own timeout where a test does not test it


class Failed(NamedTuple):
    """A request that failed: the full name of its exception's type, and its message."""
    type: str
    message: str


def failed(exc):
    return Failed(f'{type(exc).__module__}.{type(exc).__qualname__}', str(exc))


# Runs http_twisted.fetch_all under task.react in a fresh process; prints the pickled results.
TWISTED_DRIVER = '''
import json, pickle, sys
from twisted.internet import task
from snippets.http_twisted import fetch_all

def run(reactor, host, port, timeout, *paths):
    def dump(results):
        sys.stdout.buffer.write(pickle.dumps([
            r if isinstance(r, bytes)
            else (f'{type(r).__module__}.{type(r).__qualname__}', str(r))
            for r in results]))
    return fetch_all(reactor, host, int(port), list(paths), json.loads(timeout)).addCallback(dump)

task.react(run, sys.argv[1:])
'''


def fetch_twisted(host, port, paths, timeout):
    proc = subprocess.run([sys.executable, '-W', 'error', '-c', TWISTED_DRIVER,
                           host, str(port), str(timeout), *paths],
                          cwd=ROOT, capture_output=True, timeout=LONG_TIMEOUT)
    stderr = proc.stderr.decode(errors='replace')
    assert proc.returncode == 0, stderr      # react() returned: the Deferred fired
    assert not stderr, stderr                # no warning, no unhandled error in a Deferred
    return [r if isinstance(r, bytes) else Failed(*r) for r in pickle.loads(proc.stdout)]


def fetch_in_process(module):
    def fetch(host, port, paths, timeout):
        return [r if isinstance(r, bytes) else failed(r)
                for r in module.fetch_all(host, port, paths, timeout)]
    return fetch


CLIENTS = {
    'callbacks': fetch_in_process(http_callbacks),
    'asyncore': fetch_in_process(http_asyncore),
    'twisted': fetch_twisted,
}


@pytest.fixture(params=CLIENTS)
def fetch_all(request):
    """``fetch_all(host, port, paths, timeout)`` of each client: a response (bytes) or Failed per path."""
    return CLIENTS[request.param]


@pytest.fixture
def silent_server():
    """``(host, port)`` of a server that accepts connections (in its backlog) and never answers."""
    with socket.create_server(('127.0.0.1', 0)) as listener:
        yield listener.getsockname()


@pytest.fixture
def recording_server():
    """``(host, port, requests)``: answers every connection with a tiny response, keeps what it got."""
    listener = socket.create_server(('127.0.0.1', 0))
    listener.settimeout(0.1)           # so the thread sees `stop` soon
    requests = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                received = b''
                while b'\r\n\r\n' not in received and (chunk := conn.recv(65536)):
                    received += chunk
                conn.settimeout(0.2)   # anything sent after the blank line (an extra CRLF)?
                try:
                    received += conn.recv(65536)
                except TimeoutError:
                    pass
                requests.append(received)
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield (*listener.getsockname(), requests)
    stop.set()
    thread.join(WAIT)
    listener.close()


# -- readiness: select() and its limit ---------------------------------------------------------

SELECT_LIMIT = """\
import os, resource, select, selectors, socket
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1025), hard))
a, b = socket.socketpair()
for fd in (1023, 1024):
    os.dup2(a.fileno(), fd)
    try:
        print(fd, 'select', select.select([], [fd], [], 0)[1] == [fd])
    except ValueError as exc:
        print(fd, 'select', exc)
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_WRITE)
        print(fd, type(selector).__name__, [key.fd for key, _ in selector.select(0)] == [fd])
"""


def test_select_takes_no_descriptor_numbered_1024_or_more():
    """The non-blocking slide: select() stops at FD_SETSIZE, the platform's best selector does not."""
    import resource
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard <= 1024:
        pytest.skip(f'the hard limit on open files is {hard}: no descriptor can be numbered 1024')
    result = subprocess.run([sys.executable, '-W', 'error', '-c', SELECT_LIMIT],
                            capture_output=True, text=True, timeout=LONG_TIMEOUT)
    assert result.returncode == 0, result.stderr
    best = 'EpollSelector' if sys.platform == 'linux' else 'KqueueSelector'
    assert result.stdout.splitlines() == [
        '1023 select True', f'1023 {best} True',
        '1024 select filedescriptor out of range in select()', f'1024 {best} True']


# -- the clients, against both servers ---------------------------------------------------------

def test_client_fetches_several_paths_whole(fetch_all, any_http_server):
    """Bodies of every size arrive whole, in order, including ones far larger than one read."""
    sizes = [10, 70_000, 0, 1_000_000, 5]
    responses = fetch_all(*any_http_server.address,
                          [any_http_server.path(n) for n in sizes], timeout=WAIT)
    assert all(isinstance(r, bytes) for r in responses), responses
    assert [split_response(r) for r in responses] == [(200, demo_body(n)) for n in sizes]
    assert all(r.startswith(b'HTTP/1.1 200 OK\r\n') for r in responses)


def test_client_sends_exact_request_bytes(fetch_all, recording_server):
    """The 2015 bugs are gone: bytes, a Host header, Connection: close, no extra CRLF."""
    host, port, requests = recording_server
    responses = fetch_all(host, port, ['/a', '/b'], timeout=WAIT)
    assert [split_response(r) for r in responses] == [(200, b'ok')] * 2
    assert sorted(requests) == [http_request(host, '/a'), http_request(host, '/b')]


def test_requests_overlap_in_one_thread(fetch_all, http_server):
    """One thread, four requests in flight at the server at once."""
    responses = fetch_all(*http_server, group_paths(4, together=4, wait=2), timeout=WAIT)
    assert [split_response(r) for r in responses] == [(200, b'lin')] * 4
    assert in_flight(responses) == 4


@pytest.mark.parametrize('client', [http_callbacks, http_asyncore])
def test_client_sends_every_byte_to_a_slow_reader(client, slow_http_server):
    """An 8 MiB request: send() takes a part at a time, the rest waits until the socket is writable."""
    host, port = slow_http_server.address
    path = '/' + 'x' * BIG
    [response] = client.fetch_all(host, port, [path], timeout=WAIT)
    assert slow_http_server.saw_eof.wait(CLOSE_WAIT), 'the socket was still open on return'
    assert split_response(response) == (200, b'ok')
    assert slow_http_server.received == http_request(host, path)


def test_refused_connection_reaches_the_error_handler(fetch_all, refused_port):
    results = fetch_all('127.0.0.1', refused_port, ['/', '/x'], timeout=WAIT)
    assert len(results) == 2
    for result in results:
        assert isinstance(result, Failed), result
        assert result.type.endswith('.ConnectionRefusedError')
        assert 'Connection refused' in result.message


def test_server_closing_early_is_reported(fetch_all, early_close_server):
    start = time.monotonic()
    results = fetch_all(*early_close_server, ['/', '/'], timeout=WAIT)
    assert results == [Failed('snippets._http.IncompleteResponse',
                              'connection closed after 10 of 1000 body bytes')] * 2
    assert time.monotonic() - start < WAIT / 2  # reported at once, not after the timeout


def test_silent_server_times_out(fetch_all, silent_server):
    start = time.monotonic()
    results = fetch_all(*silent_server, ['/'], timeout=0.5)
    assert results == [Failed('builtins.TimeoutError', 'no complete answer within 0.5 s')]
    assert time.monotonic() - start < WAIT / 2      # the 0.5 s, plus starting Python on a busy machine


def test_one_failure_does_not_spoil_the_others(fetch_all, http_server):
    """A slow request times out on its own; its neighbour's answer still arrives."""
    # 2 s for the quick two (a loaded machine may need more than 0.5 s), 4 s for the slow one
    results = fetch_all(*http_server, ['/?size=5', '/?delay=4', '/?size=7'], timeout=2)
    assert split_response(results[0]) == (200, demo_body(5))
    assert results[1] == Failed('builtins.TimeoutError', 'no complete answer within 2 s')
    assert split_response(results[2]) == (200, demo_body(7))


@pytest.mark.parametrize('name', ['http_callbacks', 'http_asyncore', 'http_twisted'])
def test_program_against_a_given_server(name, any_http_server):
    """``python -m snippets.NAME HOST PORT`` fetches three times and exits (react() returns)."""
    host, port = any_http_server.address
    result = subprocess.run([sys.executable, '-W', 'error', '-m', f'snippets.{name}', host, str(port)],
                            cwd=ROOT, capture_output=True, text=True, timeout=LONG_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert not result.stderr
    assert result.stdout == 'HTTP/1.1 200 OK\n' * 3


def test_asyncore_import_is_silent_under_warnings_as_errors():
    """3.11 warns on ``import asyncore``; the snippet silences exactly that, nothing leaks out."""
    result = subprocess.run([sys.executable, '-W', 'error', '-c', 'import snippets.http_asyncore'],
                            cwd=ROOT, capture_output=True, text=True, timeout=LONG_TIMEOUT)
    assert result.returncode == 0 and not result.stderr, result.stderr


ASYNCORE_WARNING = ('The asyncore module is deprecated and will be removed in Python 3.12. '
                    'The recommended replacement is asyncio')      # Python 3.11's, word for word


@pytest.mark.parametrize('another', [False, True], ids=['its own warning', 'and another'])
def test_asyncore_import_silences_its_own_warning_and_no_other(another, tmp_path):
    """An ``asyncore`` that warns as 3.11's does, first on the path: silenced.  One that also warns
    about something else: that warning comes through (an error under ``-W error``)."""
    (tmp_path / 'asyncore.py').write_text(
        'import warnings\n'
        f'warnings.warn({ASYNCORE_WARNING!r}, DeprecationWarning, stacklevel=2)\n'
        + ("warnings.warn('something else', DeprecationWarning, stacklevel=2)\n" if another else '')
        + 'dispatcher = object\n')
    result = subprocess.run([sys.executable, '-W', 'error', '-c', 'import snippets.http_asyncore'],
                            cwd=ROOT, capture_output=True, text=True, timeout=LONG_TIMEOUT,
                            env={**os.environ, 'PYTHONPATH': str(tmp_path)})
    if another:
        assert result.returncode != 0
        assert 'DeprecationWarning: something else' in result.stderr
        assert 'asyncore module is deprecated' not in result.stderr
    else:
        assert result.returncode == 0 and not result.stderr, result.stderr


# -- Deferreds, on a fake clock: no network, no reactor ----------------------------------------

def test_callback_style_and_deferred_give_the_same_result():
    clock = task.Clock()
    by_callback, by_deferred = [], []
    deferred_chain.resolve_cb(clock, 'example.org', by_callback.append, by_callback.append)
    deferred_chain.resolve(clock, 'example.org').addCallback(by_deferred.append)
    assert by_callback == by_deferred == []           # nothing yet: the answer is in the future
    clock.advance(deferred_chain.DELAY)
    assert by_callback == by_deferred == ['192.0.2.10']


def test_error_goes_to_errback_skipping_callbacks():
    clock = task.Clock()
    errors_cb, events = [], []
    deferred_chain.resolve_cb(clock, 'nowhere.test', events.append, errors_cb.append)
    d = deferred_chain.resolve(clock, 'nowhere.test')
    d.addCallback(lambda address: events.append(('callback', address)))
    d.addErrback(lambda failure: events.append(('errback', failure.value)))
    clock.advance(deferred_chain.DELAY)
    assert [type(e) for e in errors_cb] == [LookupError]
    [(kind, exc)] = events                            # the callback never ran
    assert kind == 'errback' and isinstance(exc, LookupError)
    assert str(exc) == str(errors_cb[0]) == "unknown host 'nowhere.test'"


def test_callbacks_run_in_order_each_getting_the_previous_result():
    clock = task.Clock()
    events = []
    d = deferred_chain.resolve(clock, 'example.org')
    d.addCallback(lambda address: events.append(('first', address)) or len(address))
    d.addCallback(lambda length: events.append(('second', length)) or 1 / 0)
    d.addCallback(lambda _: events.append('skipped: the previous callback raised'))
    d.addErrback(lambda failure: events.append(('errback', failure.type)))
    clock.advance(deferred_chain.DELAY)
    assert events == [('first', '192.0.2.10'), ('second', 10), ('errback', ZeroDivisionError)]


def test_show_prints_result_or_error(capsys):
    clock = task.Clock()
    deferred_chain.show(clock, 'example.org')
    deferred_chain.show(clock, 'nowhere.test')
    clock.advance(deferred_chain.DELAY)
    assert capsys.readouterr().out == ("example.org is at 192.0.2.10\n"
                                       "failed: unknown host 'nowhere.test'\n")


def test_chained_deferred_waits_for_the_inner_one():
    """A callback returning a Deferred pauses the chain until that Deferred fires."""
    clock = task.Clock()
    results = []
    d = deferred_chain.resolve_and_connect(clock, 'example.org')
    d.addCallback(results.append)
    clock.advance(deferred_chain.DELAY)               # resolved; connect() is still running
    assert results == []
    clock.advance(deferred_chain.DELAY)
    assert results == ['connected to 192.0.2.10']


def test_chain_stops_at_the_first_error():
    clock = task.Clock()
    d = deferred_chain.resolve_and_connect(clock, 'nowhere.test')
    clock.advance(deferred_chain.DELAY)
    assert d.called                                   # failed at once: connect() never started
    assert not clock.getDelayedCalls()
    failure = []
    d.addErrback(failure.append)
    assert failure[0].check(LookupError)


def test_deferred_program_output():
    """``python -m snippets.deferred_chain`` runs on the real reactor, offline."""
    result = subprocess.run([sys.executable, '-W', 'error', '-m', 'snippets.deferred_chain'],
                            cwd=ROOT, capture_output=True, text=True, timeout=LONG_TIMEOUT)
    assert result.returncode == 0 and not result.stderr, result.stderr
    assert result.stdout == ("callbacks: example.org is at 192.0.2.10\n"
                             "example.org is at 192.0.2.10\n"
                             "failed: unknown host 'nowhere.test'\n"
                             "connected to 192.0.2.10\n")
