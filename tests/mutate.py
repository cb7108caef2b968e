"""Mutation testing: break the slides' code on purpose, one break at a time, and see a test fail.

    make mutate                       # every break in BREAKS, two at a time (about 30 minutes)
    make mutate MUTATE_ARGS='http_threads echo_streams'   # only these snippets
    .venv/bin/python tests/mutate.py --list                # the catalogue, nothing run

Each break is a realistic mistake in a snippet that a slide shows: the text ``old`` replaced by
``new`` in ``snippets/MODULE.py``.  For each break the runner copies the project (tracked and new
files) to a temporary directory, applies the break there, and runs the tests that name the module
(plus its stand-alone run) with ``python -W error -m pytest -x``: a failing test kills the break,
a green run means it survived.  The working tree is never touched.

A break that no test can see is listed in ``tests/mutation_survivors.txt`` with the reason; the
run fails on a survivor that is not listed there, and on a listed one that is now killed (so the
list stays true).  Not part of ``make test``: run it after changing a snippet or its tests.
"""
import argparse
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS = ROOT / 'tests' / 'mutation_survivors.txt'
RUN_TIMEOUT = 600            # seconds for one break's test run; longer counts as killed (hung)
NOT_SELECTED = {'test_deck.py', 'test_browser.py', 'test_standalone.py'}   # see tests_for()


@dataclass(frozen=True)
class Break:
    module: str              # snippets/MODULE.py
    name: str                # short, unique within the module
    claim: str               # what the slide says that this break makes false
    old: str                 # exact text, found exactly once in the module
    new: str

    @property
    def id(self):
        return f'{self.module}:{self.name}'


BREAKS = [
    # -- the base case: blocking sockets, processes, threads
    Break('http_blocking', 'one-recv', 'one recv() may be a part: read until the server closes',
          "        response = b''\n        while chunk := sock.recv(64 * 1024):  # one recv() may be a part:\n"
          "            response += chunk                 # read until the server closes\n",
          "        response = sock.recv(64 * 1024)\n"),
    Break('http_blocking', 'send-not-sendall', 'the whole request reaches the server',
          'sock.sendall(http_request(host, path))', 'sock.send(http_request(host, path))'),
    Break('http_blocking', 'no-host-header', 'Host is mandatory in HTTP/1.1',
          "            f'Host: {host}\\r\\n'             # mandatory in HTTP/1.1\n", ''),
    Break('http_blocking', 'no-connection-close', 'Connection: close: the end of the answer is EOF',
          "            'Connection: close\\r\\n'         # so the end of the answer is EOF\n", ''),
    Break('http_blocking', 'no-timeout', 'a slow server cannot hang us forever',
          'socket.create_connection((host, port), timeout=10)', 'socket.create_connection((host, port))'),
    Break('http_blocking', 'no-completeness-check', 'a server that hangs up early is reported',
          '    return check_complete(response)', '    return response'),
    Break('http_processes', 'one-process', 'concurrent, as far as the pool has workers: one per CPU',
          'ProcessPoolExecutor()', 'ProcessPoolExecutor(max_workers=1)'),
    Break('http_processes', 'guard-lets-workers-in',
          "the __main__ guard: forkserver and spawn import the module again (as __mp_main__)",
          "if __name__ == '__main__':", "if __name__ != 'snippets.http_processes':"),
    Break('http_processes', 'no-guard', 'the __main__ guard: forkserver and spawn import the module again',
          "if __name__ == '__main__':   # required: forkserver and spawn import this module again\n"
          "    from snippets._run import target\n"
          "    with target(__doc__) as (host, port):\n"
          "        for response in fetch_all(host, port, ['/', '/']):\n"
          "            print(status_line(response))\n",
          "from snippets._run import target\n"
          "with target(__doc__) as (host, port):\n"
          "    for response in fetch_all(host, port, ['/', '/']):\n"
          "        print(status_line(response))\n"),
    Break('http_threads', 'two-workers', 'five threads of one process',
          'max_workers=5', 'max_workers=2'),
    Break('http_threads', 'six-workers', 'five threads of one process',
          'max_workers=5', 'max_workers=6'),
    Break('http_threads', 'no-pool', 'the blocking client, once per worker thread',
          '        return list(executor.map(partial(http_get, host, port), paths))',
          '        return [http_get(host, port, path) for path in paths]'),

    # -- non-blocking sockets: callbacks, asyncore, Twisted, Deferreds
    Break('http_callbacks', 'no-so-error-check', 'connect errors are seen (e.g. refused)',
          '    if err := req.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):\n'
          '        raise OSError(err, os.strerror(err))    # e.g. connection refused\n', ''),
    Break('http_callbacks', 'assume-whole-send', 'send() may take a part: keep the rest',
          '    req.unsent = req.unsent[sent:]', "    req.unsent = b''"),
    Break('http_callbacks', 'keep-last-chunk', 'a part: wait for more',
          '        req.received += chunk', '        req.received = chunk'),
    Break('http_callbacks', 'read-before-all-sent', 'all sent: wait for the answer',
          '    if not req.unsent:                          # all sent: wait for answer\n'
          '        selector.modify(req.sock, selectors.EVENT_READ, (on_readable, req))',
          '    selector.modify(req.sock, selectors.EVENT_READ, (on_readable, req))'),
    Break('http_callbacks', 'no-completeness-check', 'a server that hangs up early is reported',
          '        req.on_done(check_complete(req.received))', '        req.on_done(req.received)'),
    Break('http_asyncore', 'assume-whole-send', 'send() may take a part: keep the rest',
          '        self.write_buffer = self.write_buffer[sent:]', "        self.write_buffer = b''"),
    Break('http_asyncore', 'keep-last-chunk', 'read until the server closes',
          '        self.read_buffer += self.recv(64 * 1024)', '        self.read_buffer = self.recv(64 * 1024)'),
    Break('http_asyncore', 'no-request-bytes', 'bytes, with Host',
          '        self.write_buffer = http_request(host, path)    # bytes, with Host',
          "        self.write_buffer = f'GET {path} HTTP/1.0\\r\\n\\r\\n'.encode()"),
    Break('http_asyncore', 'silences-every-deprecation', 'that one known warning is silenced, any other comes through',
          "    warnings.filterwarnings('ignore', 'The asyncore module is deprecated',\n"
          "                            DeprecationWarning)",
          "    warnings.simplefilter('ignore', DeprecationWarning)"),
    Break('http_twisted', 'keep-last-chunk', 'collect the answer',
          '        self.received += data', '        self.received = data'),
    Break('http_twisted', 'no-completeness-check', 'cut short: an errback',
          '    factory.done.addCallback(check_complete)     # cut short: an errback\n', ''),
    Break('http_twisted', 'failure-as-result', 'a refused connection fails the Deferred',
          '        self.done.errback(reason)                    # e.g. refused',
          '        self.done.callback(b\'\')                      # e.g. refused'),
    Break('deferred_chain', 'callback-at-once', 'the answer arrives later (callLater)',
          '    clock.callLater(DELAY, later)', '    later()'),
    Break('deferred_chain', 'deferred-at-once', 'a Deferred: the result is in the future',
          '    return task.deferLater(clock, DELAY, lookup, name)   # a Deferred',
          '    return defer.maybeDeferred(lookup, name)'),
    Break('deferred_chain', 'errback-as-callback', 'errors go to the errback',
          "    d.addErrback(lambda failure: print('failed:', failure.value))",
          "    d.addBoth(lambda failure: print('failed:', failure))"),
    Break('deferred_chain', 'chain-does-not-wait', 'the chain waits until the inner Deferred fires',
          '    d.addCallback(lambda address: connect(clock, address))  # a Deferred:',
          '    d.addCallback(lambda address: connect(clock, address) and address)'),

    # -- Python features
    Break('decorators', 'no-wraps', "keep fn's __name__ and __doc__",
          '    @functools.wraps(fn)        # keep fn\'s __name__ and __doc__\n', ''),
    Break('decorators', 'result-dropped', 'the decorated function still returns its result',
          '        return fn(*args, **kwargs)', '        fn(*args, **kwargs)'),
    Break('decorators', 'repeat-once', 'repeat_work calls fn `times` times',
          '    for _ in range(times):', '    for _ in range(1):'),
    Break('generators', 'off-by-one', 'an infinite generator counting up from start',
          '        yield start\n', '        yield start + 1\n'),
    Break('generators', 'no-break', 'it never stops by itself: we do',
          '        if num > 9:', '        if num > 10:'),
    Break('generator_send', 'average-of-last', 'a running average of everything sent',
          '        average = total / count', '        average = value / 1'),
    Break('delegating', 'for-not-yield-from', 'yield from passes send() and exceptions through',
          '    yield from generator2()\n    yield from generator3()',
          '    for value in generator2():\n        yield value\n'
          '    for value in generator3():\n        yield value'),
    Break('generator_scheduler', 'no-round-robin', 'round-robin: to the back',
          '        ready.append(task)      # round-robin: to the back',
          '        ready.insert(0, task)   # round-robin: to the back'),
    Break('generator_scheduler', 'stop-at-first-done', 'it returned: drop it, the others go on',
          '            continue            # it returned: done, drop it',
          '            break               # it returned: done, drop it'),

    # -- asyncio: the HTTP client, the loop, transports, protocols, futures, tasks
    Break('http_asyncio', 'no-drain', 'write() only buffers: await drain() follows it',
          '        await writer.drain()            # until the buffer has room\n', ''),
    Break('http_asyncio', 'no-wait-closed', 'close() is followed by await wait_closed()',
          '        await writer.wait_closed()\n    return check_complete(response)',
          '    return check_complete(response)'),
    Break('http_asyncio', 'one-read', 'read() collects everything up to EOF',
          '        response = await reader.read()  # everything, up to EOF',
          '        response = await reader.read(64 * 1024)'),
    Break('http_asyncio', 'no-completeness-check', 'a server that hangs up early is reported',
          '    return check_complete(response)', '    return response'),
    Break('http_asyncio', 'main-one-at-a-time', 'gather runs them at once',
          '        responses = await asyncio.gather(\n'
          '            *(http_get(host, port, path) for path in paths))',
          '        responses = [await http_get(host, port, path) for path in paths]'),
    Break('loop_hello', 'not-run', 'run hello_world() until done',
          '    asyncio.run(hello_world())', '    hello_world()'),
    Break('loop_call_soon', 'not-closed', 'close the loop',
          '    finally:\n        loop.close()', '    finally:\n        pass'),
    Break('loop_call_soon', 'stop-too-soon', 'stop in delay seconds, after the later call',
          '        loop.call_later(delay, loop.stop)     # in delay seconds',
          '        loop.call_soon(loop.stop)             # in delay seconds'),
    Break('loop_call_soon', 'later-first', 'call_later: after the callbacks called soon',
          "        loop.call_later(delay / 2, print, '...and later')",
          "        loop.call_soon(print, '...and later')"),
    Break('echo_streams', 'no-drain', 'wait until the buffer has room',
          '        await writer.drain()        # wait until the buffer has room\n', ''),
    Break('echo_streams', 'no-wait-closed', 'close() is followed by await wait_closed()',
          '        await writer.wait_closed()\n    return data', '    return data'),
    Break('echo_streams', 'no-close', 'the writer is closed when the function returns',
          '        writer.close()\n        await writer.wait_closed()\n    return data',
          '        pass\n    return data'),
    Break('echo_streams', 'read-not-readexactly', 'the whole echo, not the first part',
          '        data = await reader.readexactly(len(message))',
          '        data = await reader.read(len(message))'),
    Break('echo_protocol', 'keep-last-piece', 'TCP may split it up',
          '        self.echo += data               # TCP may split it up',
          '        self.echo = data                # TCP may split it up'),
    Break('echo_protocol', 'done-twice', 'connection_lost after the echo: the future is already done',
          '        if not self.done.done():\n            self.done.set_exception(exc or EOFError(\'closed early\'))',
          "        self.done.set_exception(exc or EOFError('closed early'))"),
    Break('echo_protocol', 'set-result-twice', 'more bytes after the echo: the future is already done',
          '        if len(self.echo) >= len(self.message) and not self.done.done():',
          '        if len(self.echo) >= len(self.message):'),
    Break('echo_protocol', 'hang-up-is-success', 'closed before the echo? an error',
          "            self.done.set_exception(exc or EOFError('closed early'))",
          '            self.done.set_result(self.echo)'),
    Break('futures', 'result-at-once', 'the promise kept later: await waits for it',
          '    loop.call_later(delay, f.set_result, 42)   # the promise kept',
          '    f.set_result(42)                           # the promise kept'),
    Break('futures', 'exception-as-result', 'await raises the exception that was set',
          "    loop.call_soon(f.set_exception, LookupError('no such thing'))",
          "    loop.call_soon(f.set_result, LookupError('no such thing'))"),
    Break('callback_to_future', 'settle-from-worker', 'settle() runs in the loop\'s thread',
          '        loop.call_soon_threadsafe(settle, data, error)', '        settle(data, error)'),
    Break('callback_to_future', 'error-as-result', 'the error is raised, not returned (the 2015 bug)',
          '            f.set_exception(error)', '            f.set_result(error)'),
    Break('callback_to_future', 'settle-a-cancelled-future', 'the awaiting side gave up: drop the callback',
          '        if f.cancelled():               # the awaiting side gave up\n            return\n', ''),
    Break('tasks', 'coroutine-not-task', 'a task runs on its own while main works',
          "    task = asyncio.create_task(tick('task', 3, period))  # starts soon",
          "    task = tick('task', 3, period)                       # starts soon"),
    Break('tasks', 'result-not-awaited', 'await task: wait for it, then its result',
          '    r = await task                      # r <- task.result()',
          '    r = task.result() if task.done() else None'),

    # -- idioms
    Break('idiom_sequential', 'gathered', 'the second starts when the first is done: the sum',
          '    await asyncio.sleep(first)      # stands for some real I/O\n'
          '    await asyncio.sleep(second)     # starts when the first is done\n'
          '    await asyncio.sleep(third)',
          '    await asyncio.gather(asyncio.sleep(first), asyncio.sleep(second),\n'
          '                         asyncio.sleep(third))'),
    Break('idiom_parallel', 'one-after-another', 'all steps at once: the maximum',
          '    results = await asyncio.gather(*map(my_coroutine, durations))',
          '    results = [await my_coroutine(d) for d in durations]'),
    Break('idiom_parallel', 'completion-order', 'gather answers in argument order',
          '    results = await asyncio.gather(*map(my_coroutine, durations))',
          '    results = [await f for f in asyncio.as_completed(map(my_coroutine, durations))]'),
    Break('idiom_chained', 'steps-gathered', 'one after another',
          '    for step in range(steps):\n        await my_inner_coroutine(seconds)   # one after another',
          '    await asyncio.gather(*(my_inner_coroutine(seconds) for _ in range(steps)))\n'
          '    for step in range(steps):'),
    Break('idiom_timer', 'not-cancelled', 'then stops the timer',
          '    task.cancel()                       # ...then stops the timer\n', ''),
    Break('idiom_timer', 'not-waited', 'and waits until it stopped',
          '    await asyncio.wait([task])          # and waits until it stopped\n', ''),
    Break('idiom_timer', 'sleep-first', 'check something, then sleep till next time',
          '        housekeeping()                  # check something...\n'
          '        await asyncio.sleep(period)     # ...then sleep till next time',
          '        await asyncio.sleep(period)     # ...then sleep till next time\n'
          '        housekeeping()                  # check something...'),

    # -- under the hood: the tiny loop
    Break('tiny_loop', 'callbacks-not-called', 'a done future wakes who waits for it',
          '        for callback in self.callbacks:\n            callback()\n', ''),
    Break('tiny_loop', 'done-future-suspends', 'yield from a done future does not suspend',
          '        if not self.done:\n            yield self              # up to the Task that drives us',
          '        yield self              # up to the Task that drives us'),
    Break('tiny_loop', 'result-lost', 'step() sends the future\'s result in',
          '        future.callbacks.append(lambda: self.step(future.result))',
          '        future.callbacks.append(lambda: self.step(None))'),
    Break('tiny_loop', 'gather-one-at-a-time', 'all start, at once',
          '    tasks = [Task(gen) for gen in gens]     # all start, at once\n'
          '    for task in tasks:\n        yield from task                     # wait for each in turn\n',
          '    tasks = []\n    for gen in gens:\n        tasks.append(Task(gen))\n'
          '        yield from tasks[-1]\n'),
    Break('tiny_loop', 'latest-timer-first', 'timers fire in time order',
          '                heapq.heappop(self.timers)[-1].set_result(None)',
          '                self.timers.pop()[-1].set_result(None)'),
    Break('tiny_loop', 'no-unregister', 'a socket is watched for one event',
          '                self.selector.unregister(key.fileobj)\n', ''),
    Break('tiny_http', 'no-so-error-check', 'e.g. refused',
          '        if error := sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):\n'
          '            raise OSError(error, os.strerror(error))   # e.g. refused\n', ''),
    Break('tiny_http', 'assume-whole-send', 'send() may take a part: keep the rest',
          '            request = request[sock.send(request):]',
          "            sock.send(request)\n            request = b''"),
    Break('tiny_http', 'keep-last-chunk', 'read until EOF: all there',
          '            response += chunk', '            response = chunk'),
    Break('tiny_http', 'no-completeness-check', 'a server that hangs up early is reported',
          '                return check_complete(response)', '                return response'),

    # -- 2015 -> 2026
    Break('taskgroup', 'except-not-except-star', 'each kind of error handled once',
          '    except* ConnectionError as errors:', '    except* OSError as errors:'),
    Break('taskgroup', 'slow-not-cancelled', 'no task left behind',
          "            slow = group.create_task(job('slow', 10))",
          "            slow = asyncio.ensure_future(job('slow', 0.01))"),
    Break('taskgroup_cancel', 'no-cancel', 'one is enough: cancel them all',
          '            group.cancel()              # one is enough: cancel them all, this one too',
          '            pass'),
    Break('timeout', 'no-deadline', 'due: the block cancelled where it waits, TimeoutError raised',
          '    async with asyncio.timeout(seconds):', '    async with asyncio.timeout(None):'),
    Break('cancellation', 'swallowed', 'never swallow it',
          "        await asyncio.sleep(0.1)             # cleanup may await, too\n"
          "        raise                                # never swallow it",
          "        await asyncio.sleep(0.1)             # cleanup may await, too"),
    Break('cancellation', 'stop-swallows-own-cancel', 'we were cancelled too: re-raise',
          '        if asyncio.current_task().cancelling():\n            raise                            # we were cancelled too\n',
          '        pass\n'),
    Break('cancellation', 'stop-does-not-wait', 'until it has cleaned up',
          '    try:\n        await task                           # until it has cleaned up',
          '    try:\n        await asyncio.sleep(0)               # until it has cleaned up'),
    Break('to_thread', 'blocking-in-the-loop', 'blocking code in a thread, awaited',
          '    return await asyncio.gather(\n'
          '        *(asyncio.to_thread(http_get, host, port, path) for path in paths))',
          '    return [http_get(host, port, path) for path in paths]'),
    Break('to_thread', 'one-thread-at-a-time', 'the threads overlap',
          '    return await asyncio.gather(\n'
          '        *(asyncio.to_thread(http_get, host, port, path) for path in paths))',
          '    return [await asyncio.to_thread(http_get, host, port, path) for path in paths]'),
    Break('interpreter_pool', 'threads-not-interpreters',
          'a thread per worker, each running an interpreter of its own, with its own GIL',
          'concurrent.futures.InterpreterPoolExecutor(', 'concurrent.futures.ThreadPoolExecutor('),
    Break('interpreter_pool', 'processes-not-threads', 'in threads of one process',
          'concurrent.futures.InterpreterPoolExecutor(', 'concurrent.futures.ProcessPoolExecutor('),
    Break('interpreter_pool', 'one-worker', 'CPU-bound: one per CPU, in parallel',
          'max_workers=os.process_cpu_count()', 'max_workers=1'),
    Break('semaphore', 'unbounded', 'at most `limit` requests in flight',
          '        async with semaphore:                # waits while `limit` are out\n'
          '            return await http_get(host, port, path)',
          '        return await http_get(host, port, path)'),
    Break('semaphore', 'one-at-a-time', 'at most `limit` requests in flight',
          '    semaphore = asyncio.Semaphore(limit)', '    semaphore = asyncio.Semaphore(1)'),

    # -- libraries
    Break('app_aiohttp', 'no-raise-for-status', '4xx, 5xx: ClientResponseError',
          '        response.raise_for_status()     # 4xx, 5xx: ClientResponseError\n', ''),
    Break('app_aiohttp', 'one-at-a-time', 'several pages at once',
          '        return await asyncio.gather(\n'
          '            *(fetch_page(session, path) for path in paths),\n'
          '            return_exceptions=True)     # a bad page does not hide the rest',
          '        results = []\n        for path in paths:\n            try:\n'
          '                results.append(await fetch_page(session, path))\n'
          '            except Exception as exc:\n                results.append(exc)\n'
          '        return results'),
    Break('app_aiohttp', 'first-error-hides-the-rest', 'a bad page does not hide the rest',
          '            return_exceptions=True)     # a bad page does not hide the rest',
          '            return_exceptions=False)    # a bad page does not hide the rest'),
    Break('app_aiohttp', 'session-not-closed', 'closes its connections at the end',
          '    async with session:                 # closes its connections at the end\n'
          '        return await asyncio.gather(',
          '    if session:                         # closes its connections at the end\n'
          '        return await asyncio.gather('),
    Break('app_postgres', 'writers-one-after-another', 'all at once',
          '        async with asyncio.TaskGroup() as tasks:      # all at once\n'
          '            for writer in range(writers):\n'
          '                tasks.create_task(insert_rows(dsn, writer, count))',
          '        for writer in range(writers):                 # all at once\n'
          '            await insert_rows(dsn, writer, count)'),
    Break('app_postgres', 'writer-not-committed', 'the writers\' rows are stored',
          '    async with await AsyncConnection.connect(dsn) as conn:',
          '    conn = await AsyncConnection.connect(dsn)\n    if conn:'),
    Break('app_redis', 'no-transaction', 'a pipeline: one round trip (MULTI/EXEC)',
          '        async with client.pipeline(transaction=True) as pipe:',
          '        async with client.pipeline(transaction=False) as pipe:'),
    Break('app_redis', 'subscribed-not-skipped', 'the "subscribed" message is not a message',
          '            await pubsub.get_message(timeout=5)     # "subscribed"\n', ''),
    Break('bench_models', 'two-threads', 'the thread pool may start up to N workers (one whenever none is free)',
          '    with ThreadPoolExecutor(len(requests)) as pool:', '    with ThreadPoolExecutor(2) as pool:'),
    Break('bench_models', 'gather-one-at-a-time', 'asyncio: all N at once in one thread',
          '    return await asyncio.gather(\n'
          '        *(http_asyncio.http_get(*r) for r in requests), return_exceptions=True)',
          '    return [await http_asyncio.http_get(*r) for r in requests]'),
]


# -- which tests, and running them

def tests_for(module, root):
    """The test files that name ``module``, and its stand-alone run (``python -m snippets.MODULE``).

    Files that import the module come first, then those importing a name from it, then the rest
    (``-x`` stops at the first failure).  The deck and browser tests build the slides (a break does
    not change what they check), and test_standalone runs every snippet: only this one's run is
    selected from it.
    """
    named = re.compile(rf'\b{module}\b')
    module_imported = re.compile(rf'^from snippets import [^\n]*\b{module}\b', re.MULTILINE)
    name_imported = re.compile(rf'^from snippets\.{module} import', re.MULTILINE)
    files = [path for path in sorted((root / 'tests').glob('test_*.py'))
             if path.name not in NOT_SELECTED and named.search(path.read_text())]
    files.sort(key=lambda path: (not module_imported.search(text := path.read_text()),
                                 not name_imported.search(text)))
    return ([str(path.relative_to(root)) for path in files]
            + [f'tests/test_standalone.py::test_snippet_runs_standalone[{module}]'])


def project_files():
    """The project's files as git sees them now: tracked and new, not ignored."""
    out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in out.decode().split('\0') if name and (ROOT / name).is_file()]


def apply(brk, root):
    """Write the break into the copy under ``root``; refuse a break that does not apply cleanly."""
    path = root / 'snippets' / f'{brk.module}.py'
    source = path.read_text()
    if source.count(brk.old) != 1:
        raise SystemExit(f'{brk.id}: the text to replace occurs {source.count(brk.old)} times, not once')
    mutated = source.replace(brk.old, brk.new)
    compile(mutated, str(path), 'exec')          # a break must still be Python
    path.write_text(mutated)
    return source


def run_tests(brk, root, tests=None):
    """Run the break's tests in the copy; return ``(killed, seconds, what failed)``.

    ``what failed`` names the first failing test and how long that test itself ran (setup and
    call), the time a reader of the failure waits for it, apart from starting pytest.
    """
    cmd = [sys.executable, '-W', 'error', '-m', 'pytest', '-x', '-q', '-p', 'no:cacheprovider',
           '-rfE', '--no-header', '--durations=0', '--durations-min=0',
           *(tests or tests_for(brk.module, root))]
    start = time.monotonic()
    with subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env={**os.environ, 'PYTHONDONTWRITEBYTECODE': '1'}) as proc:
        RUNNING.add(proc)
        try:
            stdout, _ = proc.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            stop(proc)
            return True, time.monotonic() - start, f'hung: no result within {RUN_TIMEOUT} s'
        finally:
            RUNNING.discard(proc)
    seconds = time.monotonic() - start
    if proc.returncode == 0:
        return False, seconds, ''
    failed = [line.split(' - ')[0].split(None, 1)[1] for line in stdout.splitlines()
              if line.startswith(('FAILED ', 'ERROR '))]
    if not failed:
        return True, seconds, f'pytest exit {proc.returncode}'
    took = sum(float(line.split('s ', 1)[0]) for line in stdout.splitlines()
               if re.fullmatch(rf'[0-9.]+s (setup|call) +{re.escape(failed[0])}', line.strip()))
    return True, seconds, f'{failed[0]} ({took:.1f} s)'


RUNNING = set()     # the pytest processes running now


def stop(proc):
    """Interrupt a pytest run as Ctrl-C would, so its fixtures stop their servers; kill it if it hangs."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


def terminated(*_):
    """SIGTERM: interrupt the test runs (their threads still read their output), then leave."""
    for proc in list(RUNNING):
        proc.send_signal(signal.SIGINT)
    for proc in list(RUNNING):
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    sys.exit('terminated')


def read_survivors():
    """``{break id: reason}`` from tests/mutation_survivors.txt (``id: reason`` lines, # comments)."""
    survivors = {}
    for line in SURVIVORS.read_text().splitlines():
        if line.strip() and not line.startswith('#'):
            key, _, reason = line.partition(': ')
            survivors[key.strip()] = reason.strip()
    return survivors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('modules', nargs='*', help='only the breaks of these snippets (MODULE or MODULE:BREAK)')
    parser.add_argument('--tests', nargs='+', help='run these tests instead of the selected ones')
    parser.add_argument('--list', action='store_true', help='print the catalogue and stop')
    parser.add_argument('-j', '--jobs', type=int, default=1,
                        help='breaks tried at the same time, each in its own copy (default 1)')
    args = parser.parse_args(argv)
    ids = [brk.id for brk in BREAKS]
    assert len(ids) == len(set(ids)), 'two breaks share an id'
    breaks = [brk for brk in BREAKS
              if not args.modules or brk.module in args.modules or brk.id in args.modules]
    if args.list:
        for brk in breaks:
            print(f'{brk.id:45} {brk.claim}')
        return 0
    survivors = read_survivors()
    unknown = set(survivors) - set(ids)
    if unknown:
        raise SystemExit(f'{SURVIVORS.name} lists breaks that are not in the catalogue: {sorted(unknown)}')

    signal.signal(signal.SIGTERM, terminated)       # stop the test runs, remove the copies
    results, started, done = {}, time.monotonic(), iter(range(1, len(breaks) + 1))
    lock = threading.Lock()
    todo = queue.SimpleQueue()
    for brk in breaks:
        todo.put(brk)

    def worker(root):
        for name in project_files():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, root / name)
        while True:
            try:
                brk = todo.get_nowait()
            except queue.Empty:
                return
            original = apply(brk, root)
            try:
                killed, seconds, why = run_tests(brk, root, args.tests)
            finally:
                (root / 'snippets' / f'{brk.module}.py').write_text(original)
            with lock:
                results[brk] = (killed, seconds, why)
                verdict = 'killed  ' if killed else 'SURVIVED'
                print(f'[{next(done):3}/{len(breaks)}] {verdict} {seconds:6.1f} s  {brk.id}'
                      + (f'  <- {why}' if killed else f'  ({brk.claim})'), flush=True)

    with tempfile.TemporaryDirectory(prefix='asyncio-talk-mutate-') as tmp:
        workers = [threading.Thread(target=worker, args=(Path(tmp) / str(n),), daemon=True)
                   for n in range(max(1, args.jobs))]
        for thread in workers:
            thread.start()
        for thread in workers:
            while thread.is_alive():
                thread.join(1)
    ordered = [(brk, *results[brk]) for brk in breaks if brk in results]
    return report(ordered, survivors, time.monotonic() - started)


def report(results, survivors, seconds):
    print(f'\n{"module":22} {"breaks":>6} {"killed":>6} {"survived":>8}')
    modules = dict.fromkeys(brk.module for brk, *_ in results)
    for module in modules:
        mine = [killed for brk, killed, *_ in results if brk.module == module]
        print(f'{module:22} {len(mine):6} {sum(mine):6} {len(mine) - sum(mine):8}')
    killed = sum(k for _, k, *_ in results)
    print(f'{"all":22} {len(results):6} {killed:6} {len(results) - killed:8}'
          f'   kill rate {killed / max(1, len(results)):.0%}, {seconds / 60:.1f} min')
    unexplained = [brk.id for brk, k, *_ in results if not k and brk.id not in survivors]
    stale = [brk.id for brk, k, *_ in results if k and brk.id in survivors]
    explained = [brk.id for brk, k, *_ in results if not k and brk.id in survivors]
    for key in explained:
        print(f'survivor, listed: {key}: {survivors[key]}')
    for key in unexplained:
        print(f'SURVIVOR NOT EXPLAINED: {key} (kill it with a test, or say why in tests/mutation_survivors.txt)')
    for key in stale:
        print(f'LISTED BUT KILLED NOW: {key} (remove it from tests/mutation_survivors.txt)')
    return 1 if unexplained or stale else 0


if __name__ == '__main__':
    sys.exit(main())
