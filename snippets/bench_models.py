"""The claims, measured: N requests, each answered after d seconds, four ways.

    python -m snippets.bench_models                  # a small sweep, printed
    make bench                                       # the slide's full sweep

Every model fetches the same paths with the talk's own clients (the blocking
``http_get`` in a pool, the asyncio ``http_get`` gathered) and returns the
responses in order.  The harness that times them, samples their memory and
draws the chart is ``snippets/_bench.py``.
"""
import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

import uvloop

from snippets import http_asyncio, http_blocking

# A worker process costs ~7 MiB and ~15 ms of CPU to start: 10,000 would
# need ~75 GB, three times this machine's memory.
MAX_PROCESSES = 1000
# Past ~2,000 threads, they fight over the GIL: 10,000 burnt ten times the
# CPU of 2,000, and some requests hit the client's 10 s socket timeout.
MAX_THREADS = 2000


# -- models
def with_processes(host, port, paths):
    context = multiprocessing.get_context('forkserver')
    workers = min(len(paths), MAX_PROCESSES)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        get = partial(http_blocking.http_get, host, port)
        return list(pool.map(get, paths, chunksize=1))


def with_threads(host, port, paths):
    workers = min(len(paths), MAX_THREADS)
    with ThreadPoolExecutor(workers) as pool:
        get = partial(http_blocking.http_get, host, port)
        return list(pool.map(get, paths))


async def gather_all(host, port, paths):
    return await asyncio.gather(
        *(http_asyncio.http_get(host, port, path) for path in paths))


def with_asyncio(host, port, paths):
    return asyncio.run(gather_all(host, port, paths))


def with_uvloop(host, port, paths):
    return uvloop.run(gather_all(host, port, paths))
# -- end models


MODELS = {'processes': with_processes, 'threads': with_threads,
          'asyncio': with_asyncio, 'uvloop': with_uvloop}


# -- run: python -m snippets.bench_models [--counts N ...] [--delay S] [--write]
if __name__ == '__main__':
    from snippets._bench import main
    main(MODELS, __doc__)
