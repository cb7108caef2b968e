"""Under the hood: the tiny selectors loop runs generators, timers and the HTTP client for real."""
import asyncio
import collections.abc
import re
import time

import pytest

from _support import BIG, CLOSE_WAIT, group_paths, in_flight
from snippets import tiny_http, tiny_loop
from snippets._demo_server import demo_body
from snippets._http import IncompleteResponse, split_response
from snippets.http_blocking import http_request

pytestmark = pytest.mark.timeout(15)      # the tiny loop has no timeouts of its own


def test_yield_from_a_done_future_does_not_suspend():
    future = tiny_loop.Future()
    future.set_result(42)
    gen = iter(future)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == 42


def test_task_steps_a_generator_through_futures_with_send():
    first, second, seen = tiny_loop.Future(), tiny_loop.Future(), []

    def coroutine():
        seen.append((yield from first))
        seen.append((yield from second))
        return 'finished'

    task = tiny_loop.Task(coroutine())     # runs up to the first yield
    assert not task.done and seen == []
    first.set_result('one')                # resumes it with send('one')
    assert seen == ['one'] and not task.done
    second.set_result('two')
    assert seen == ['one', 'two']
    assert task.done and task.result == 'finished'


# -- what the site says of asyncio's own Future and Task, beside the toy ones

def test_asyncio_future_iter_is_its_await_for_yield_from():
    """'its ``__iter__`` is the same method, for ``yield from``': it yields the future, then returns the result."""
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()
        waiting = iter(future)
        assert next(waiting) is future             # up to whoever drives the generator
        future.set_result(42)
        with pytest.raises(StopIteration) as stop:
            next(waiting)
        assert stop.value.value == 42
    finally:
        loop.close()


class Recorded(collections.abc.Coroutine):
    """A coroutine that logs how its Task resumes it: send(value), or throw(exception type)."""

    def __init__(self, coro, log):
        self.coro, self.log = coro, log

    def send(self, value):
        self.log.append(('send', value))
        return self.coro.send(value)

    def throw(self, exc, *args):
        self.log.append(('throw', type(exc)))
        return self.coro.throw(exc, *args)

    def close(self):
        self.coro.close()

    def __await__(self):
        return self.coro.__await__()


def test_asyncio_task_sends_none_and_throws_exceptions_in():
    """'asyncio's Task resumes a coroutine with ``send(None)`` ... An exception goes in with ``throw()``':
    unlike the toy Task, it sends no result in; the awaited future's ``__await__`` returns it."""
    log = []

    async def waits(first, second):
        got = await first                           # 42, though the Task sent None
        try:
            await second
        except LookupError:
            return got

    async def main():
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        task = loop.create_task(Recorded(waits(first, second), log))
        await asyncio.sleep(0)
        first.set_result(42)
        await asyncio.sleep(0)
        second.set_exception(LookupError('none'))
        return await task

    assert asyncio.run(main()) == 42
    assert log == [('send', None), ('send', None), ('throw', LookupError)]


def test_sleeps_overlap_and_results_keep_their_order():
    loop, woke = tiny_loop.Loop(), []
    asleep = peak = 0

    def nap(name, seconds):
        nonlocal asleep, peak
        asleep += 1
        peak = max(peak, asleep)
        yield from tiny_loop.sleep(loop, seconds)
        asleep -= 1
        woke.append(name)
        return name

    start = time.monotonic()
    result = loop.run_until_complete(tiny_loop.gather(
        nap('a', 0.3), nap('b', 0.1), nap('c', 0.2)))
    elapsed = time.monotonic() - start
    assert result == ['a', 'b', 'c']          # gather's order
    assert woke == ['b', 'c', 'a']            # the timers' order
    assert peak == 3, 'the sleeps did not overlap'
    assert elapsed >= 0.29                    # the longest sleep, really slept


def test_the_snippets_demo_prints_what_the_slide_says(capsys):
    loop = tiny_loop.Loop()
    loop.run_until_complete(tiny_loop.main(loop))
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ['b woke up after 0.1 s', 'c woke up after 0.2 s',
                         'a woke up after 0.3 s']
    assert re.fullmatch(r"\['a', 'b', 'c'\] in 0\.[3-5] s, not 0\.6 s", lines[3])


def test_http_get_on_the_tiny_loop_gets_a_complete_large_body(http_server):
    size = 1024 * 1024                        # many recv() calls, many waits
    loop = tiny_loop.Loop()
    response = loop.run_until_complete(
        tiny_http.http_get(loop, *http_server, path=f'/?size={size}'))
    assert split_response(response) == (200, demo_body(size))


def test_three_slow_requests_overlap(http_server):
    """Gathered on the tiny loop, three requests are in flight at the server at once."""
    loop = tiny_loop.Loop()
    paths = group_paths(3, together=3, wait=2, size=20000)
    responses = loop.run_until_complete(tiny_loop.gather(
        *(tiny_http.http_get(loop, *http_server, path=p) for p in paths)))
    assert [split_response(r) for r in responses] == [(200, demo_body(20000))] * 3
    assert in_flight(responses) == 3


def test_http_get_sends_every_byte_to_a_slow_reader(slow_http_server):
    """An 8 MiB request: send() takes a part at a time, the rest is sent when there is room."""
    host, port = slow_http_server.address
    path = '/' + 'x' * BIG
    loop = tiny_loop.Loop()
    response = loop.run_until_complete(tiny_http.http_get(loop, host, port, path))
    assert slow_http_server.saw_eof.wait(CLOSE_WAIT), 'the socket was still open on return'
    assert split_response(response) == (200, b'ok')
    assert slow_http_server.received == http_request(host, path)


def test_requests_and_timers_share_the_loop(http_server):
    loop, events = tiny_loop.Loop(), []

    def ticker():
        for _ in range(3):
            yield from tiny_loop.sleep(loop, 0.1)
            events.append('tick')

    def fetch():
        response = yield from tiny_http.http_get(loop, *http_server, path='/?delay=0.5')
        events.append('response')
        return response

    loop.run_until_complete(tiny_loop.gather(fetch(), ticker()))
    assert events == ['tick', 'tick', 'tick', 'response']


def test_main_prints_three_answers(http_server, capsys):
    loop = tiny_loop.Loop()
    start = time.monotonic()
    loop.run_until_complete(tiny_http.main(loop, *http_server))
    elapsed = time.monotonic() - start
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith('/?delay=1 HTTP/1.1 200 OK ') for line in lines[:3])
    assert re.fullmatch(r'3 requests in \d\.\d s', lines[3])
    assert elapsed >= 1                       # their overlap: test_three_slow_requests_overlap


def test_refused_connection_raises(refused_port):
    loop = tiny_loop.Loop()
    with pytest.raises(ConnectionRefusedError):
        loop.run_until_complete(tiny_http.http_get(loop, '127.0.0.1', refused_port))


def test_server_closing_early_is_reported(early_close_server):
    loop = tiny_loop.Loop()
    with pytest.raises(IncompleteResponse, match='10 of 1000 body bytes'):
        loop.run_until_complete(tiny_http.http_get(loop, *early_close_server))
