"""2015 -> 2026: TaskGroup, timeout, cancellation, to_thread, Semaphore and asyncio ps/pstree, for real."""
import asyncio
import os
import re
import subprocess
import sys
import time

import pytest

from _support import ROOT, SHORT_TIMEOUT, group_paths, in_flight, missing, until, wait_until
from snippets import (
    asyncio_ps,
    cancellation,
    interpreter_pool,
    semaphore,
    taskgroup,
    taskgroup_cancel,
    timeout,
    to_thread,
)
from snippets._demo_server import demo_body
from snippets._http import split_response
from snippets.http_blocking import http_get as blocking_get


@pytest.mark.asyncio
async def test_taskgroup_reports_every_error_and_cancels_the_rest(capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await taskgroup.main()
    assert capsys.readouterr().out.splitlines() == [
        "connection: ['a failed']",
        "timeout: ['b failed']",
        'slow cancelled: True',
    ]


@pytest.mark.asyncio
async def test_taskgroup_job_returns_its_name_or_raises_the_error():
    async with asyncio.timeout(SHORT_TIMEOUT):
        assert await taskgroup.job('ok', 0) == 'ok'
        with pytest.raises(ConnectionResetError, match='^a failed$'):
            await taskgroup.job('a', 0, ConnectionResetError)


needs_315 = pytest.mark.skipif(
    sys.version_info < (3, 15),
    reason=f'TaskGroup.cancel() is new in Python 3.15; this is {sys.version.split()[0]} '
           '(the 3.15 run of the matrix checks it)')


@needs_315
@pytest.mark.asyncio
async def test_taskgroup_cancel_ends_the_group_at_the_first_answer():
    """A server that answers /fast at once and never answers /slow: the first answer comes back,
    and the group cancels the two slow requests, whose connections the server then sees closed.
    Without group.cancel() the group would wait for /slow forever (here: SHORT_TIMEOUT)."""
    hung_up = []

    async def handle(reader, writer):
        path = (await reader.readuntil(b'\r\n')).split()[1]
        await reader.readuntil(b'\r\n\r\n')
        if path == b'/fast':
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfast')
        else:
            await reader.read()                     # no answer: wait until the client hangs up
            hung_up.append(path)
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    async with server, asyncio.timeout(SHORT_TIMEOUT):
        answer = await taskgroup_cancel.first_answer(
            *server.sockets[0].getsockname()[:2], ['/slow', '/fast', '/slow'])
        await until(lambda: len(hung_up) == 2, what='both slow requests hung up')
    assert split_response(answer) == (200, b'fast')
    assert hung_up == [b'/slow', b'/slow']


@needs_315
@pytest.mark.asyncio
async def test_taskgroup_cancel_ends_every_task_cancelled_the_winner_too(http_server, monkeypatch):
    """group.cancel() cancels every task not yet done, the one that calls it included: cancelled while
    it runs, the winner ends cancelled although it returns.  Hence the answer goes into a list, not
    through task.result()."""
    tasks, create_task = [], asyncio.TaskGroup.create_task
    monkeypatch.setattr(asyncio.TaskGroup, 'create_task',
                        lambda group, coro, **kwargs: tasks.append(create_task(group, coro, **kwargs)) or tasks[-1])
    async with asyncio.timeout(SHORT_TIMEOUT):
        answer = await taskgroup_cancel.first_answer(*http_server, ['/?delay=3', '/?delay=0.1', '/?delay=2'])
    assert split_response(answer)[0] == 200
    assert [task.cancelled() for task in tasks] == [True, True, True]


@needs_315
@pytest.mark.asyncio
async def test_taskgroup_cancel_main_reports(http_server, capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await taskgroup_cancel.main(*http_server)
    assert re.fullmatch(r'HTTP/1.1 200 OK after \d\.\d s; the slower requests were cancelled\n',
                        capsys.readouterr().out)


@pytest.mark.asyncio
async def test_taskgroup_cancel_still_reports_failures(refused_port):
    """No answer at all: the group is never cancelled, and the errors come out as usual."""
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(ExceptionGroup) as info:
            await taskgroup_cancel.first_answer('127.0.0.1', refused_port, ['/a', '/b'])
    assert [type(e) for e in info.value.exceptions] == [ConnectionRefusedError] * 2


@pytest.mark.skipif(sys.version_info >= (3, 15), reason='Python 3.15 has TaskGroup.cancel()')
@pytest.mark.asyncio
async def test_before_315_taskgroup_cancel_says_what_it_needs(http_server, capsys):
    await taskgroup_cancel.main(*http_server)
    assert capsys.readouterr().out.startswith('TaskGroup.cancel() needs Python 3.15; this is 3.1')


@pytest.mark.asyncio
async def test_timeout_returns_a_fast_answer(http_server):
    response = await timeout.get_within(SHORT_TIMEOUT, *http_server, '/?size=50')
    assert split_response(response) == (200, demo_body(50))


@pytest.mark.asyncio
async def test_timeout_gives_up_on_a_slow_answer_on_time(http_server):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        await timeout.get_within(0.3, *http_server, '/?delay=3')
    assert 0.3 <= time.monotonic() - start < 1.5


@pytest.mark.asyncio
async def test_timeout_cancels_the_await_and_raises_timeout_error_at_the_block(http_server, monkeypatch):
    """As the slide's comments say: inside the block the await is cancelled (CancelledError
    reaches http_get, whose finally closes the socket); TimeoutError comes from the async with."""
    seen, real_get = [], timeout.http_get

    async def watched_get(*args):
        try:
            return await real_get(*args)
        except BaseException as exc:
            seen.append(type(exc))
            raise

    monkeypatch.setattr(timeout, 'http_get', watched_get)
    async with asyncio.timeout(SHORT_TIMEOUT):
        with pytest.raises(TimeoutError):
            await timeout.get_within(0.2, *http_server, '/?delay=3')
    assert seen == [asyncio.CancelledError]


@pytest.mark.asyncio
async def test_timeout_main_prints_both_outcomes(http_server, capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await timeout.main(*http_server)
    assert capsys.readouterr().out.splitlines() == [
        'HTTP/1.1 200 OK', 'no answer within 0.5 s: gave up']


@pytest.mark.asyncio
async def test_cancelled_worker_cleans_up_and_ends_cancelled(capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await cancellation.main()
    assert capsys.readouterr().out == "['working', 'cleaning up'] cancelled: True\n"


@pytest.mark.asyncio
async def test_stop_waits_for_the_cleanup():
    log = []
    task = asyncio.create_task(cancellation.worker(log))
    await until(lambda: log == ['working'], what='the worker at work')
    start = time.monotonic()
    async with asyncio.timeout(SHORT_TIMEOUT):
        await cancellation.stop(task)              # returns: not our cancel
    assert time.monotonic() - start >= 0.09        # the cleanup's own await
    assert task.cancelled() and log == ['working', 'cleaning up']


@pytest.mark.asyncio
async def test_stop_passes_on_a_cancel_aimed_at_its_caller():
    """Cancelled while waiting for the cleanup, stop() must not swallow it."""
    log = []
    worker = asyncio.create_task(cancellation.worker(log))
    await until(lambda: log == ['working'], what='the worker at work')
    stopper = asyncio.create_task(cancellation.stop(worker))
    await until(lambda: log == ['working', 'cleaning up'], what='the worker cleaning up')
    stopper.cancel()
    async with asyncio.timeout(SHORT_TIMEOUT):
        await asyncio.wait([stopper, worker])
    assert stopper.cancelled()                     # the cancel went through
    assert worker.cancelled() and log == ['working', 'cleaning up']


@pytest.mark.asyncio
async def test_to_thread_keeps_the_loop_running(http_server):
    """Three blocking calls, each in its own thread, are in flight at the server at once,
    and the loop keeps beating while they wait."""
    beats = []
    pulse = asyncio.create_task(to_thread.heartbeat(beats))
    async with asyncio.timeout(SHORT_TIMEOUT):
        responses = await to_thread.fetch_in_threads(
            *http_server, group_paths(3, wait=0.5, size=10))
    pulse.cancel()
    assert [split_response(r) for r in responses] == [(200, demo_body(10))] * 3
    assert in_flight(responses) == 3
    assert len(beats) >= 2, 'the loop was blocked'


@pytest.mark.asyncio
async def test_a_blocking_call_without_to_thread_freezes_the_loop(http_server):
    """The contrast: the same call made directly stops every other task; the heartbeat
    due 0.1 s after it started comes only once the call has returned."""
    beats = []
    pulse = asyncio.create_task(to_thread.heartbeat(beats))
    await asyncio.sleep(0)                         # it runs: asleep until start + 0.1 s
    start = time.monotonic()
    blocking_get(*http_server, path='/?delay=0.5')     # blocks the loop 0.5 s
    returned = time.monotonic()
    await until(lambda: beats, what='a heartbeat')   # the loop is free again: it beats
    pulse.cancel()
    assert returned - start >= 0.5
    assert beats[0] >= returned, 'the heartbeat beat during the blocking call'


@pytest.mark.asyncio
async def test_to_thread_main_reports(http_server, capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await to_thread.main(*http_server)
    out = capsys.readouterr().out
    assert re.fullmatch(r'3 blocking calls in 0\.[5-9] s; the loop beat \d+ times meanwhile\n', out)


# -- CPU-bound in 2026: InterpreterPoolExecutor (3.14) -------------------------------------------

needs_interpreter_pool = pytest.mark.skipif(
    sys.version_info < (3, 14),
    reason=f'concurrent.futures.InterpreterPoolExecutor is new in Python 3.14; this is '
           f'{sys.version.split()[0]} (the 3.14 and 3.15 runs of the matrix check it)')


@needs_interpreter_pool
def test_in_parallel_returns_each_result_in_order():
    count = interpreter_pool.count_primes
    assert interpreter_pool.in_parallel(count, [1000, 10, 100]) == [168, 4, 25] == [count(n) for n in (1000, 10, 100)]


def where(_):
    """The process and the interpreter a call runs in.  It uses no globals (imports inside), so it
    reaches another interpreter by value: the test module is not importable there."""
    import os
    from concurrent import interpreters
    return os.getpid(), interpreters.get_current().id


@needs_interpreter_pool
def test_each_call_runs_in_an_interpreter_of_this_process_other_than_the_main_one():
    from concurrent import interpreters
    places = interpreter_pool.in_parallel(where, range(4))
    assert {pid for pid, _ in places} == {os.getpid()}
    assert interpreters.get_main().id not in {interp for _, interp in places}


def meet(args):
    """Mark this call as started, then spin in pure Python (nothing here releases a GIL) until the
    other call has started too: True if it did before the deadline."""
    import time
    flags, me, deadline = args
    flags[me] = 1
    while not flags[1 - me]:
        if time.monotonic() > deadline:
            return False
    return True


@needs_interpreter_pool
def test_two_calls_run_python_code_at_the_same_time():
    """Python code in parallel, not taking turns: two calls that spin until both have started.
    With this interpreter's GIL handed over only when its holder waits (a switch interval far
    longer than the test), two threads of one interpreter cannot both spin: the first spins alone
    until its deadline (as with a ThreadPoolExecutor, or a pool of one).  Interpreters with a GIL
    each meet at once, even on one core: the OS switches threads, no lock stops them."""
    if (os.process_cpu_count() or 1) < 2:
        pytest.skip('one CPU: the pool has one worker, and one call cannot meet another')
    flags = memoryview(bytearray(2))        # shared by the interpreters, not copied
    deadline = time.monotonic() + SHORT_TIMEOUT
    interval = sys.getswitchinterval()
    sys.setswitchinterval(10 * SHORT_TIMEOUT)
    try:
        met = interpreter_pool.in_parallel(meet, [(flags, 0, deadline), (flags, 1, deadline)])
    finally:
        sys.setswitchinterval(interval)
    assert met == [True, True]


@needs_interpreter_pool
def test_uvloop_does_not_load_in_a_subinterpreter():
    """The slide's example of an extension module that an interpreter per thread cannot use."""
    from concurrent import interpreters
    interp = interpreters.create()
    try:
        with pytest.raises(interpreters.ExecutionFailed, match='does not support loading in subinterpreters'):
            interp.exec('import uvloop')
    finally:
        interp.close()


@pytest.mark.skipif(sys.version_info >= (3, 14), reason='Python 3.14 has InterpreterPoolExecutor')
def test_before_314_interpreter_pool_says_what_it_needs(capsys):
    interpreter_pool.main()
    assert capsys.readouterr().out.startswith('InterpreterPoolExecutor needs Python 3.14; this is 3.1')


@pytest.mark.asyncio
async def test_semaphore_bounds_the_requests_in_flight(http_server):
    """Six requests: with limit=2 the server sees two at a time (each waits 0.3 s for a third
    that cannot come); with limit=6, all six at once."""
    async with asyncio.timeout(SHORT_TIMEOUT):
        bounded = await semaphore.fetch_all(
            *http_server, group_paths(6, together=3, wait=0.3), limit=2)
        unbounded = await semaphore.fetch_all(*http_server, group_paths(6, together=6, wait=1), limit=6)
    assert [split_response(r) for r in bounded + unbounded] == [(200, b'lin')] * 12
    assert in_flight(bounded) == 2
    assert in_flight(unbounded) == 6


@pytest.mark.asyncio
async def test_semaphore_keeps_the_order_of_paths(http_server):
    paths = [f'/?delay=0.{n % 3}&size={n}' for n in range(1, 7)]
    async with asyncio.timeout(SHORT_TIMEOUT):
        responses = await semaphore.fetch_all(*http_server, paths, limit=2)
    assert [split_response(r) for r in responses] == [(200, demo_body(n)) for n in range(1, 7)]


@pytest.mark.asyncio
async def test_semaphore_main_reports(http_server, capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await semaphore.main(*http_server)
    out = capsys.readouterr().out
    assert re.fullmatch(r'20 responses, 5 at a time: 2\.\d s \(4 rounds of 0\.5 s\)\n', out)


# -- python -m asyncio ps / pstree (3.14): another process reads the task tree -------------------

SHOWN_TREE = [line.removeprefix('    ') for line in asyncio_ps.__doc__.splitlines()
              if line.lstrip().startswith(('└', '├', '│'))]     # the output on the slide
needs_314 = pytest.mark.skipif(
    sys.version_info < (3, 14),
    reason=f'python -m asyncio ps/pstree is new in Python 3.14; this is {sys.version.split()[0]} '
           '(the 3.14 and 3.15 runs of the matrix check it)')


def tree_without_places(output):
    """pstree's tree, without the file:line after each frame (they differ between machines)."""
    return [line if '(T)' in line else re.sub(r' (\S*/\S*|\S+\.py)(:\d+)?$', '', line)
            for line in output.splitlines() if line.lstrip().startswith(('└', '├', '│'))]


def check_inspected(output):
    if 'insufficient permissions' in output:
        missing('reading another process needs ptrace permission (root, CAP_SYS_PTRACE, or '
                'kernel.yama.ptrace_scope=0): ' + output.strip().splitlines()[0])


@pytest.mark.asyncio
async def test_crawl_names_a_task_per_path(http_server):
    """The names ps and pstree show: one task per request, named by crawl."""
    paths = ['/?delay=0.5&size=5', '/?delay=0.4&size=7']
    expected = {'GET /?delay=0.5&size=5', 'GET /?delay=0.4&size=7'}
    async with asyncio.timeout(SHORT_TIMEOUT):
        crawler = asyncio.create_task(asyncio_ps.crawl(*http_server, paths))
        names = await until(lambda: expected <= (found := {task.get_name() for task in asyncio.all_tasks()})
                            and found, what='a task per path')
        responses = await crawler
    assert expected <= names
    assert [split_response(r) for r in responses] == [(200, demo_body(5)), (200, demo_body(7))]


@needs_314
def test_pstree_prints_the_tree_shown_on_the_slide(http_server):
    """`python -m snippets.asyncio_ps` crawls two slow pages; a second process prints its tasks."""
    result = subprocess.run([sys.executable, '-W', 'error', '-m', 'snippets.asyncio_ps',
                             *map(str, http_server)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    check_inspected(result.stdout)
    assert result.returncode == 0, result.stderr
    assert tree_without_places(result.stdout) == SHOWN_TREE
    assert result.stdout.endswith('2 answers\n')


@needs_314
def test_ps_lists_each_task_and_its_awaiter(http_server):
    """From another process: every GET task, its coroutine stack, and the task awaiting it."""
    host, port = http_server
    paths = ['/?delay=5', '/?delay=6']      # still waiting while we look; over before the server stops
    crawler = subprocess.Popen(
        [sys.executable, '-W', 'error', '-c',
         'import asyncio, sys; from snippets.asyncio_ps import crawl; '
         'asyncio.run(crawl(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))',
         host, str(port), *paths],
        cwd=ROOT)
    seen = []

    def both_tasks_listed():
        ps = subprocess.run([sys.executable, '-m', 'asyncio', 'ps', str(crawler.pid)],
                            capture_output=True, text=True, timeout=SHORT_TIMEOUT)
        check_inspected(ps.stdout + ps.stderr)
        seen[:] = [ps.stdout + ps.stderr]
        rows = [line for line in ps.stdout.splitlines() if 'GET /?delay=' in line]
        return len(rows) == 2 and (rows, ps)
    try:      # both requests wait 5 s or more: listed well before they end
        rows, ps = wait_until(both_tasks_listed, 4, what=lambda: f'both GET tasks in asyncio ps:\n{seen[0]}')
    finally:
        crawler.kill()
        crawler.wait(SHORT_TIMEOUT)
    for path in paths:      # name, coroutine stack ... awaiter name, awaiter id
        pattern = rf'\sGET {re.escape(path)}\s.*\bhttp_get\b.*\sTask-1\s+0x[0-9a-f]+\s*$'
        assert any(re.search(pattern, row) for row in rows), ps.stdout


@pytest.mark.skipif(sys.version_info >= (3, 14), reason='Python 3.14 has python -m asyncio pstree')
def test_before_314_the_demo_says_what_it_needs():
    assert 'needs Python 3.14' in asyncio_ps.pstree(os.getpid())
