"""The claims, measured: N requests, each answered after d seconds, four ways.

    python -m snippets.bench_models         # each model on 10 and 100 requests to the demo server
    make bench                               # the slides' sweep (python -m slides.tools.bench)

Every model fetches the same requests, ``(host, port, path)`` each, with the
talk's own clients (the blocking ``http_get`` in a pool of N workers, each
started only when none is free; the asyncio ``http_get`` gathered) and
returns what became of each,
in order: its response, or the exception that took its place.  The harness
that times them on nginx, samples their memory and draws the charts is the
package ``slides/tools/bench/``: it imports these functions; they know nothing of it.
"""
import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import uvloop

from snippets import http_asyncio, http_blocking


# -- models
def with_processes(requests):
    context = multiprocessing.get_context('forkserver')
    with ProcessPoolExecutor(len(requests), mp_context=context) as pool:
        futures = [pool.submit(http_blocking.http_get, *r) for r in requests]
    return [f.exception() or f.result() for f in futures]


def with_threads(requests):
    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(http_blocking.http_get, *r) for r in requests]
    return [f.exception() or f.result() for f in futures]


async def gather_all(requests):
    return await asyncio.gather(
        *(http_asyncio.http_get(*r) for r in requests), return_exceptions=True)


def with_asyncio(requests):
    return asyncio.run(gather_all(requests))


def with_uvloop(requests):
    return uvloop.run(gather_all(requests))
# -- end models


MODELS = {'processes': with_processes, 'threads': with_threads,
          'asyncio': with_asyncio, 'uvloop': with_uvloop}


# -- run: python -m snippets.bench_models (the demo server answers after 0.2 s)
if __name__ == '__main__':
    import time

    from snippets._run import demo_servers
    DELAY = 0.2
    with demo_servers(delay=DELAY, size=100) as servers:
        host, port = servers['http']
        for n in (10, 100):
            for name, model in MODELS.items():
                started = time.monotonic()
                results = model([(host, port, f'/?n={i}') for i in range(n)])
                wall = time.monotonic() - started
                answered = sum(isinstance(r, bytes) for r in results)
                print(f'model={name}  N={n}  answered={answered}  wall / d={wall / DELAY:.2f}')
