"""python -m asyncio pstree PID (3.14): which task waits for what, seen from outside.

``python -m snippets.asyncio_ps`` crawls two slow pages and meanwhile runs
``python -m asyncio pstree`` on itself from a second process, which prints
this tree (file names and line numbers cut; the tests compare it):

    └── (T) Task-1
        └──  crawl
            └──  TaskGroup.__aexit__
                └──  TaskGroup._aexit
                    ├── (T) GET /?delay=2
                    │   └──  http_get
                    │       └──  StreamReader.read
                    │           └──  StreamReader.read
                    │               └──  StreamReader._wait_for_data
                    └── (T) GET /?delay=3
                        └──  http_get
                            └──  StreamReader.read
                                └──  StreamReader.read
                                    └──  StreamReader._wait_for_data
"""
import asyncio
import os
import subprocess
import sys
import threading

from snippets.http_asyncio import http_get


async def crawl(host, port, paths):
    async with asyncio.TaskGroup() as group:    # a name for every task
        tasks = [group.create_task(http_get(host, port, p), name=f'GET {p}')
                 for p in paths]
    return [task.result() for task in tasks]


def pstree(pid):
    """What `python -m asyncio pstree PID` prints about process `pid` (Python 3.14+)."""
    if sys.version_info < (3, 14):
        return f'python -m asyncio pstree needs Python 3.14; this is {sys.version.split()[0]}'
    result = subprocess.run([sys.executable, '-m', 'asyncio', 'pstree', str(pid)],
                            capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


def main(host, port, paths=('/?delay=2', '/?delay=3')):
    """Crawl slow pages; a second later, another process looks at our tasks."""
    inspector = threading.Timer(1, lambda: print(pstree(os.getpid()), flush=True))
    inspector.start()
    try:
        responses = asyncio.run(crawl(host, port, paths))
    finally:
        inspector.join()
    print(f'{len(responses)} answers')


# -- run: python -m snippets.asyncio_ps [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__.split('\n')[0]) as (host, port):
        main(host, port)
