"""A Semaphore bounds concurrency: at most `limit` requests in flight."""
import asyncio
import time

from snippets.http_asyncio import http_get


async def fetch_all(host, port, paths, limit=10):
    semaphore = asyncio.Semaphore(limit)

    async def fetch(path):
        async with semaphore:                # waits while `limit` are out
            return await http_get(host, port, path)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(path)) for path in paths]
    return [task.result() for task in tasks]


async def main(host, port):
    start = time.monotonic()
    responses = await fetch_all(host, port, ['/?delay=0.5'] * 20, limit=5)
    print(f'{len(responses)} responses, 5 at a time:'
          f' {time.monotonic() - start:.1f} s (4 rounds of 0.5 s)')


# -- run: python -m snippets.semaphore [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        asyncio.run(main(host, port))
