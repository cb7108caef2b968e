"""A client process: one model on its share of the requests, reported as JSON.

    python -m slides.tools.bench.client      (started by ``run.run_clients``)

It reads one job line (the model as ``module:name``, the requests, an optional
open-file limit, what to do to the cycle collector), imports the model, says ``ready``, waits for ``go``, runs
the model, and prints its start and end (``time.monotonic()``, one clock for
all the clients), its CPU time and its cycle collector's (and what the
collector was set to), and the count of every kind of outcome.
"""
import errno
import gc
import importlib
import json
import multiprocessing
import os
import resource
import sys
import time

from slides.tools.bench.system import descendants, process_table, raise_nofile_limit
from snippets._demo_server import demo_body
from snippets._http import split_response

BODY_SIZE = 100                     # bytes of every answer (the server's echo body)
THRESHOLD = 50_000                  # the 'threshold' collector's youngest generation (default 2,000; 700 up to 3.12)


def reference(model):
    """``module:name`` of a model function, by which a client process imports it.

    A model defined in a module run as ``python -m NAME`` is found under NAME.
    """
    module = model.__module__
    if module == '__main__':
        spec = getattr(sys.modules['__main__'], '__spec__', None)
        if spec is None:
            raise ValueError(f'{model.__qualname__}: run its module with `python -m`')
        module = spec.name
    if '<' in model.__qualname__:
        raise ValueError(f'{model.__qualname__}: a model must be a module-level function')
    return f'{module}:{model.__qualname__}'


def load(ref):
    """The model function that ``reference`` named."""
    module, _, name = ref.partition(':')
    return getattr(importlib.import_module(module), name)


def own_cpu():
    """CPU seconds of this process and of everything below it (living or waited for)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    table = process_table()
    below = [pid for pid in descendants([os.getpid()], table) if pid != os.getpid()]
    return (sum(u.ru_utime + u.ru_stime for u in usage)
            + sum(table[pid][1] + table[pid][2] for pid in below))


class CollectorTime:
    """CPU seconds the cycle collector ran in this process, from ``gc.callbacks``.

    A collection runs in one thread, holding the GIL, from 'start' to 'stop'.
    """

    def __init__(self):
        self.seconds, self._started = 0.0, None

    def __call__(self, phase, info):
        if phase == 'start':
            self._started = time.thread_time()
        elif self._started is not None:
            self.seconds += time.thread_time() - self._started
            self._started = None


def outcome(result, expected):
    """What became of one request: 'answered', 'timeouts', 'refused', 'resets' or an error's name."""
    if isinstance(result, bytes):
        return 'answered' if split_response(result) == expected else 'wrong answer'
    if isinstance(result, TimeoutError):
        return 'timeouts'
    if isinstance(result, ConnectionRefusedError):
        return 'refused'
    if isinstance(result, (ConnectionResetError, BrokenPipeError)):
        return 'resets'
    if isinstance(result, OSError) and result.errno in errno.errorcode:
        return errno.errorcode[result.errno]
    return type(result).__name__


def main():
    """Read the job, say ready, wait for go, run, report as JSON."""
    raise_nofile_limit()
    job = json.loads(sys.stdin.readline())
    if job.get('nofile'):                                 # a lower limit, to see it bite
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (job['nofile'], resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    model = load(job['model'])
    requests = [tuple(r) for r in job['requests']]
    # Worker processes fork from a server that already imported the model:
    # the cheapest start a process pool can get.
    multiprocessing.get_context('forkserver').set_forkserver_preload([model.__module__])
    frozen_before = gc.get_freeze_count()                 # 3.12 starts with some (375 in 3.12.1)
    if job.get('collector') == 'freeze':                  # start-up's objects: never collected
        gc.freeze()
    elif job.get('collector') == 'threshold':             # collect the youngest generation less often
        gc.set_threshold(THRESHOLD, *gc.get_threshold()[1:])
    print('ready', flush=True)
    sys.stdin.readline()                                  # go
    collector = CollectorTime()                           # this process only, not pool workers
    gc.callbacks.append(collector)
    cpu, start = own_cpu(), time.monotonic()              # CLOCK_MONOTONIC: one clock for all
    error = None
    try:
        results = model(requests)
    except Exception as exc:                              # the model as a whole failed
        results, error = [], f'{type(exc).__name__}: {exc}'
    end = time.monotonic()
    cpu = own_cpu() - cpu
    gc.callbacks.remove(collector)
    counts = {}
    expected = (200, demo_body(BODY_SIZE))
    for result in results:
        kind = outcome(result, expected)
        counts[kind] = counts.get(kind, 0) + 1
    print(json.dumps({'start': start, 'end': end, 'cpu': cpu, 'gc': collector.seconds,
                      'frozen': gc.get_freeze_count() - frozen_before, 'threshold': gc.get_threshold()[0],
                      'counts': counts, 'error': error}), flush=True)


if __name__ == '__main__':
    main()
