"""asyncio itself: the HTTP client, the loop, streams, protocols, futures, tasks.

Network snippets run against the real servers of conftest.py (strict HTTP/1.1,
TCP echo) or against small misbehaving servers started here; every wait is
bounded by ``asyncio.timeout``, and a check of what a callback did waits until it has run
(``_support.Ran``), not for a while.
"""
import asyncio
import contextlib
import gc
import logging
import os
import subprocess
import sys
import threading
import time

import pytest

from _support import BIG, CLOSE_WAIT, SHORT_TIMEOUT, Ran, group_paths, in_flight, run_virtual, until
from snippets import (
    callback_to_future,
    echo_protocol,
    echo_streams,
    futures,
    http_asyncio,
    loop_call_soon,
    loop_hello,
    tasks,
)
from snippets._demo_server import demo_body
from snippets._http import IncompleteResponse, split_response
from snippets.http_blocking import http_request


@pytest.fixture(autouse=True)
def no_asyncio_errors(caplog):
    """Fail on what asyncio only logs: "Task was destroyed but it is pending",
    "Exception in callback", "Future exception was never retrieved"."""
    yield
    gc.collect()   # a pending task is reported when it is collected
    logged = [r.getMessage() for r in caplog.records
              if r.name == 'asyncio' and r.levelname in ('WARNING', 'ERROR', 'CRITICAL')]
    assert not logged


@contextlib.asynccontextmanager
async def hanging_up_server(expect, reply):
    """A TCP server on 127.0.0.1 that reads ``expect`` bytes, sends ``reply``, hangs up."""
    async def handle(reader, writer):
        await reader.readexactly(expect)   # all of it: closing with unread data sends RST
        writer.write(reply)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    async with server:
        yield server.sockets[0].getsockname()[:2]


class Connection:
    """One ``asyncio.open_connection`` a snippet made, and how full its write buffer was
    when it first read: ``write()`` only buffers, ``await drain()`` waits for room."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.buffered_at_first_read = None
        for name in ('read', 'readexactly', 'readuntil', 'readline'):
            setattr(reader, name, self._noting(getattr(reader, name)))

    def _noting(self, read):
        async def noted(*args, **kwargs):
            if self.buffered_at_first_read is None:
                self.buffered_at_first_read = self.writer.transport.get_write_buffer_size()
            return await read(*args, **kwargs)
        return noted

    def drained_before_reading(self):
        return self.buffered_at_first_read <= self.writer.transport.get_write_buffer_limits()[1]


@pytest.fixture
def connections(monkeypatch):
    """Every connection the code under test opens with ``asyncio.open_connection``, in order."""
    opened, real = [], asyncio.open_connection

    async def open_connection(*args, **kwargs):
        reader, writer = await real(*args, **kwargs)
        opened.append(Connection(reader, writer))
        return reader, writer

    monkeypatch.setattr(asyncio, 'open_connection', open_connection)
    return opened


def counting_calls(monkeypatch, module, name):
    """Wrap the coroutine function ``module.name``: ``calls.peak`` is how many ran at once."""
    real = getattr(module, name)

    class Calls:
        now = peak = 0

    async def counted(*args, **kwargs):
        Calls.now += 1
        Calls.peak = max(Calls.peak, Calls.now)
        try:
            return await real(*args, **kwargs)
        finally:
            Calls.now -= 1

    monkeypatch.setattr(module, name, counted)
    return Calls


# -- Introducing asyncio: the HTTP client -------------------------------------

@pytest.mark.asyncio
async def test_http_client_gets_every_byte_of_concurrent_answers(http_server):
    sizes = [10, 70_000, 3 * 1024 * 1024, 5]     # 3 MiB: far more than one read
    async with asyncio.timeout(SHORT_TIMEOUT):
        responses = await asyncio.gather(
            *(http_asyncio.http_get(*http_server, path=f'/?size={n}') for n in sizes))
    assert [split_response(r) for r in responses] == [(200, demo_body(n)) for n in sizes]


@pytest.mark.asyncio
async def test_http_requests_overlap(http_server):
    """Gathered, four requests are in flight at the server at once."""
    async with asyncio.timeout(SHORT_TIMEOUT):
        responses = await asyncio.gather(
            *(http_asyncio.http_get(*http_server, path=p) for p in group_paths(4, together=4)))
    assert [split_response(r) for r in responses] == [(200, b'lin')] * 4
    assert in_flight(responses) == 4


@pytest.mark.asyncio
async def test_http_client_sends_every_byte_to_a_slow_reader_then_closes(slow_http_server, connections):
    """An 8 MiB request to a server that reads slowly: drain() before reading, all of it
    delivered, and the socket closed (the server sees EOF) when http_get returns."""
    host, port = slow_http_server.address
    path = '/' + 'x' * BIG
    async with asyncio.timeout(SHORT_TIMEOUT):
        response = await http_asyncio.http_get(host, port, path)
    # no await from here on: the loop does not run again before these checks
    assert slow_http_server.saw_eof.wait(CLOSE_WAIT), 'the socket was still open on return'
    assert response == b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'
    assert slow_http_server.received == http_request(host, path)
    [conn] = connections
    assert conn.writer.is_closing()
    assert conn.drained_before_reading(), (
        f'{conn.buffered_at_first_read} bytes still buffered: read before drain()')


@pytest.mark.asyncio
async def test_http_refused_connection_raises(refused_port):
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(ConnectionRefusedError):
            await http_asyncio.http_get('127.0.0.1', refused_port)


@pytest.mark.asyncio
async def test_http_server_closing_early_is_reported(early_close_server):
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(IncompleteResponse, match='10 of 1000 body bytes'):
            await http_asyncio.http_get(*early_close_server)


@pytest.mark.asyncio
async def test_http_one_failure_surfaces_from_gather(http_server, refused_port):
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(ConnectionRefusedError):
            await asyncio.gather(http_asyncio.http_get(*http_server),
                                 http_asyncio.http_get('127.0.0.1', refused_port))


@pytest.mark.asyncio
async def test_http_main_prints_a_status_line_per_path(http_server, capsys, monkeypatch):
    """main() gathers: its three requests are in flight at once, their lines in path order."""
    calls = counting_calls(monkeypatch, http_asyncio, 'http_get')
    await http_asyncio.main(*http_server, paths=['/?size=7', '/?status=404&size=0', '/'])
    lines = capsys.readouterr().out.splitlines()
    assert [line.rsplit(' ', 2)[0] for line in lines] == [
        'HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 200 OK']
    assert calls.peak == 3


# -- the main loop --------------------------------------------------------------

def test_loop_hello_runs_the_coroutine(capsys):
    loop_hello.main()
    assert capsys.readouterr().out == 'Hello World!\n'


def test_loop_call_soon_runs_callbacks_in_order_then_stops(capsys):
    start = time.monotonic()
    loop_call_soon.main(delay=0.1)
    elapsed = time.monotonic() - start
    assert capsys.readouterr().out == 'Hello\nWorld\n...and later\n'
    assert 0.1 <= elapsed < 5, f'{elapsed:.2f}s'


def test_loop_call_soon_closes_its_loop(monkeypatch):
    """The loop main() makes is closed when main() returns (an open one leaks its selector)."""
    made, real = [], asyncio.new_event_loop
    monkeypatch.setattr(asyncio, 'new_event_loop', lambda: made.append(real()) or made[-1])
    loop_call_soon.main(delay=0.01)
    [loop] = made
    assert loop.is_closed() and not loop.is_running()


def test_get_event_loop_with_no_loop_set_warns_then_raises():
    """Why the main loop slides make or run their loop: 2015's module-level ``get_event_loop()``,
    with no loop set, still makes one on 3.11, warns on 3.12 and 3.13, and raises since 3.14."""
    result = subprocess.run([sys.executable, '-W', 'error', '-c', 'import asyncio; asyncio.get_event_loop()'],
                            capture_output=True, text=True, timeout=60)
    if sys.version_info >= (3, 14):
        assert 'RuntimeError: There is no current event loop' in result.stderr
    elif sys.version_info >= (3, 12):
        assert 'DeprecationWarning: There is no current event loop' in result.stderr
    else:
        assert result.returncode == 0, result.stderr


# -- transports (streams) and protocols against the echo server ----------------

@pytest.mark.asyncio
async def test_echo_streams_round_trip(echo_server):
    async with asyncio.timeout(SHORT_TIMEOUT):
        assert await echo_streams.tcp_echo_client(*echo_server, b'Hello World!') == b'Hello World!'


@pytest.mark.asyncio
async def test_echo_streams_many_clients_each_get_their_own_echo(echo_server):
    messages = [b'client %d ' % i * (i * 1000 + 1) for i in range(20)]   # up to ~200 KB
    async with asyncio.timeout(SHORT_TIMEOUT):
        echoes = await asyncio.gather(
            *(echo_streams.tcp_echo_client(*echo_server, m) for m in messages))
    assert echoes == messages


@pytest.mark.asyncio
async def test_echo_streams_waits_for_a_slow_reader_then_closes(slow_echo_server, connections):
    """An 8 MiB message to a peer that reads slowly: drain() before reading the echo, every
    byte delivered and echoed, and the peer sees EOF by the time the client returns."""
    message = demo_body(BIG)
    slow_echo_server.expect = len(message)
    async with asyncio.timeout(SHORT_TIMEOUT):
        echo = await echo_streams.tcp_echo_client(*slow_echo_server.address, message)
    # no await from here on: the loop does not run again before these checks
    assert slow_echo_server.saw_eof.wait(CLOSE_WAIT), 'the socket was still open on return'
    assert echo == message
    assert slow_echo_server.received == message
    [conn] = connections
    assert conn.writer.is_closing()
    assert conn.drained_before_reading(), (
        f'{conn.buffered_at_first_read} bytes still buffered: read before drain()')


@pytest.mark.asyncio
async def test_echo_streams_reports_a_short_echo():
    async with asyncio.timeout(SHORT_TIMEOUT), hanging_up_server(12, b'Hello') as address:
        with pytest.raises(asyncio.IncompleteReadError) as info:
            await echo_streams.tcp_echo_client(*address, b'Hello World!')
    assert info.value.partial == b'Hello'


@pytest.mark.asyncio
async def test_echo_streams_refused(refused_port):
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(ConnectionRefusedError):
            await echo_streams.tcp_echo_client('127.0.0.1', refused_port, b'x')


@pytest.mark.asyncio
async def test_lovely_protocol_resolves_its_future(echo_server):
    async with asyncio.timeout(SHORT_TIMEOUT):
        assert await echo_protocol.lovely_client(*echo_server) == b'iloveyou'


def connection_lost_runs(monkeypatch):
    """Every LovelyProtocol's connection_lost(), counted once it has run."""
    lost = Ran()
    protocol = echo_protocol.LovelyProtocol
    monkeypatch.setattr(protocol, 'connection_lost', lost.wrap(protocol.connection_lost))
    return lost


@pytest.mark.asyncio
async def test_lovely_protocol_closes_quietly_after_the_echo(echo_server, monkeypatch):
    """The transport's close() calls connection_lost() once the loop runs again: the future is
    done by then, and must be left alone (InvalidStateError otherwise, in the loop)."""
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda loop, context: errors.append(context))
    lost = connection_lost_runs(monkeypatch)
    async with asyncio.timeout(SHORT_TIMEOUT):
        assert await echo_protocol.lovely_client(*echo_server) == b'iloveyou'
        await lost.wait()                             # connection_lost() has run
    assert errors == []


@pytest.mark.asyncio
async def test_lovely_protocol_ignores_bytes_after_the_echo(monkeypatch):
    """A peer that sends more than the message, after the echo: data_received() runs again with
    the future already done, and must leave it alone (unguarded, set_result() raises
    InvalidStateError: "Fatal error: protocol.data_received() call failed")."""
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda loop, context: errors.append(context))
    echoed = asyncio.Event()
    lost = connection_lost_runs(monkeypatch)

    async def overlong_echo(reader, writer):
        writer.write(await reader.readexactly(8))
        await writer.drain()
        await echoed.wait()                         # the client has its echo: now more
        writer.write(b' and more')
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(overlong_echo, '127.0.0.1', 0)
    async with server, asyncio.timeout(SHORT_TIMEOUT):
        done = loop.create_future()
        transport, protocol = await loop.create_connection(
            lambda: echo_protocol.LovelyProtocol(b'iloveyou', done), *server.sockets[0].getsockname()[:2])
        assert await done == b'iloveyou'
        echoed.set()
        await lost.wait()                           # the extra bytes, the server's EOF, connection_lost()
    assert transport.is_closing()
    assert errors == []
    assert protocol.echo == b'iloveyou and more'


@pytest.mark.asyncio
async def test_lovely_protocol_collects_an_echo_in_pieces(echo_server):
    """1 MiB cannot come back in one data_received call (the transport reads
    at most 256 KiB at a time): the protocol must gather the pieces."""
    message = demo_body(1024 * 1024)
    async with asyncio.timeout(SHORT_TIMEOUT):
        assert await echo_protocol.lovely_client(*echo_server, message) == message


@pytest.mark.asyncio
async def test_lovely_protocol_clients_do_not_mix(echo_server):
    messages = [b'iloveyou %d' % i for i in range(10)]
    async with asyncio.timeout(SHORT_TIMEOUT):
        echoes = await asyncio.gather(
            *(echo_protocol.lovely_client(*echo_server, m) for m in messages))
    assert echoes == messages


@pytest.mark.asyncio
async def test_lovely_protocol_reports_a_hang_up_before_the_echo():
    async with asyncio.timeout(SHORT_TIMEOUT), hanging_up_server(8, b'ilov') as address:
        with pytest.raises(EOFError, match='closed early'):
            await echo_protocol.lovely_client(*address)


@pytest.mark.asyncio
async def test_lovely_protocol_refused(refused_port):
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(ConnectionRefusedError):
            await echo_protocol.lovely_client('127.0.0.1', refused_port)


@pytest.mark.asyncio
@pytest.mark.parametrize('module, echo', [(echo_streams, b'Hello World!'),
                                          (echo_protocol, b'iloveyou')])
async def test_echo_main_prints_the_echo(module, echo, echo_server, capsys):
    await module.main(*echo_server)
    assert capsys.readouterr().out == f'{echo}\n'


# -- futures --------------------------------------------------------------------

@pytest.mark.asyncio
async def test_future_gives_its_result_then_raises_its_exception(capsys):
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with asyncio.timeout(SHORT_TIMEOUT):
        await futures.main(delay=0.1)
    assert loop.time() - start >= 0.1       # the await really waited for set_result
    assert capsys.readouterr().out == 'result: 42\nexception: no such thing\n'


# -- Future eats Callback: a callback from a real worker thread -----------------

# Nothing else wakes the loop while read_file() waits: settle() reaches it at once only
# through call_soon_threadsafe().  Set from the worker thread, the future would wake the
# loop only when the next timer falls due: IDLE_TIMER seconds later.
IDLE_TIMER = 5
SETTLED_WITHIN = 2


async def settled(coro):
    """Await ``coro`` with only a far timer on the loop; return its outcome and how long it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        async with asyncio.timeout(IDLE_TIMER):
            outcome = await coro
    except OSError as error:
        outcome = error
    return outcome, loop.time() - start


@pytest.mark.asyncio
async def test_callback_success_path_gives_the_data(tmp_path):
    path = tmp_path / 'data.bin'
    data = os.urandom(3 * 1024 * 1024)
    path.write_bytes(data)
    outcome, seconds = await settled(callback_to_future.read_file(path))
    assert outcome == data
    assert seconds < SETTLED_WITHIN, f'{seconds:.1f} s: the callback did not wake the loop'


@pytest.mark.asyncio
@pytest.mark.parametrize('name, error', [('missing', FileNotFoundError), ('', IsADirectoryError)])
async def test_callback_error_path_raises_the_error(tmp_path, name, error):
    """The 2015 code set the *result* when there was an error: here the error is raised."""
    outcome, seconds = await settled(callback_to_future.read_file(tmp_path / name))
    assert type(outcome) is error and outcome.filename == str(tmp_path / name)
    assert seconds < SETTLED_WITHIN, f'{seconds:.1f} s: the callback did not wake the loop'


def worker_threads(path):
    return [t for t in threading.enumerate() if t.name == f'read_file_cb {path}']


@pytest.mark.asyncio
async def test_callback_comes_from_a_worker_thread_while_the_loop_runs(tmp_path):
    """Reading a FIFO blocks until a writer comes: the read waits in its worker
    thread while the loop goes on; the callback then wakes the coroutine."""
    fifo = tmp_path / 'fifo'
    os.mkfifo(fifo)
    async with asyncio.timeout(SHORT_TIMEOUT):
        task = asyncio.create_task(callback_to_future.read_file(fifo))
        [worker] = await until(lambda: worker_threads(fifo), what='the read\'s worker thread')
        assert not task.done()                        # the loop runs, and the read is still pending
        assert worker is not threading.current_thread()
        await asyncio.to_thread(fifo.write_bytes, b'through the pipe')
        assert await task == b'through the pipe'
        await asyncio.to_thread(worker.join)


@pytest.mark.asyncio
async def test_callback_after_the_waiter_gave_up_is_dropped(tmp_path, monkeypatch):
    """A late callback on a cancelled future must not raise InvalidStateError in the loop."""
    loop = asyncio.get_running_loop()
    errors = []
    loop.set_exception_handler(lambda loop, context: errors.append(context))
    settled, call_soon_threadsafe = Ran(), loop.call_soon_threadsafe

    def counting_settle(callback, *args, **kwargs):   # the worker hands settle() to the loop
        if callback.__qualname__.endswith('read_file.<locals>.settle'):
            callback = settled.wrap(callback)
        return call_soon_threadsafe(callback, *args, **kwargs)
    monkeypatch.setattr(loop, 'call_soon_threadsafe', counting_settle)
    fifo = tmp_path / 'fifo'
    os.mkfifo(fifo)
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(callback_to_future.read_file(fifo), 0.1)
        [worker] = worker_threads(fifo)
        await asyncio.to_thread(fifo.write_bytes, b'too late')
        await settled.wait()                          # settle() has run in the loop
    assert errors == []
    await asyncio.to_thread(worker.join, SHORT_TIMEOUT)


@pytest.mark.asyncio
async def test_callback_main_prints_both_paths(tmp_path, capsys):
    (tmp_path / 'hello').write_bytes(b'hello')
    async with asyncio.timeout(SHORT_TIMEOUT):
        await callback_to_future.main([tmp_path / 'hello', tmp_path / 'nope'])
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'hello'}: 5 bytes: b'hello'...",
        f"{tmp_path / 'nope'}: No such file or directory"]


# -- tasks --------------------------------------------------------------------------

def test_task_advances_on_its_own_while_main_works(capsys):
    """On a virtual clock: the task ticks alongside main, so three ticks of each take 1.5 s, not 3."""
    _, virtual, _ = run_virtual(tasks.main(period=0.5))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ['main 0', 'task 0', 'main 1', 'task 1', 'main 2', 'task 2', 'task: 3 ticks']
    assert virtual == 1.5


@pytest.mark.asyncio
async def test_a_pending_task_nobody_refers_to_is_destroyed_while_the_loop_runs(caplog):
    """Why the tasks slide says to keep a reference: asyncio's own registry of tasks keeps none alive.
    A task that waits for a future nothing else holds is collected with the loop running, and reported."""
    async def waits():
        await asyncio.get_running_loop().create_future()

    asyncio.create_task(waits())            # no reference kept
    await asyncio.sleep(0)                  # the task starts, and waits
    with caplog.at_level(logging.ERROR, logger='asyncio'):
        gc.collect()
    assert 'Task was destroyed but it is pending!' in caplog.text
