"""TaskGroup.cancel() (3.15): end a group early, without an error."""
import asyncio
import sys
import time

from snippets._http import status_line
from snippets.http_asyncio import http_get


async def first_answer(host, port, paths):
    answers = []
    async with asyncio.TaskGroup() as group:

        async def fetch(path):
            answers.append(await http_get(host, port, path))
            group.cancel()              # one is enough: cancel them all, this one too

        for path in paths:
            group.create_task(fetch(path))
    return answers[0]                   # no CancelledError, no ExceptionGroup


async def main(host, port):
    if sys.version_info < (3, 15):
        print('TaskGroup.cancel() needs Python 3.15;'
              f' this is {sys.version.split()[0]}')
        return
    start = time.monotonic()
    answer = await first_answer(host, port, ['/?delay=3', '/?delay=0.2', '/?delay=2'])
    print(f'{status_line(answer)} after {time.monotonic() - start:.1f} s;'
          ' the slower requests were cancelled')


# -- run: python -m snippets.taskgroup_cancel [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        asyncio.run(main(host, port))
