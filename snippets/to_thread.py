"""asyncio.to_thread (3.9): blocking code in a thread, awaited."""
import asyncio
import time

from snippets.http_blocking import http_get  # blocking sockets, no await


async def heartbeat(beats):
    while True:                      # proof that the loop is not blocked
        await asyncio.sleep(0.1)
        beats.append(time.monotonic())


async def fetch_in_threads(host, port, paths):
    return await asyncio.gather(
        *(asyncio.to_thread(http_get, host, port, path) for path in paths))


async def main(host, port):
    beats, start = [], time.monotonic()
    async with asyncio.TaskGroup() as group:
        pulse = group.create_task(heartbeat(beats))
        responses = await fetch_in_threads(host, port, ['/?delay=0.5'] * 3)
        pulse.cancel()
    elapsed = time.monotonic() - start
    print(f'{len(responses)} blocking calls in {elapsed:.1f} s;'
          f' the loop beat {len(beats)} times meanwhile')


# -- run: python -m snippets.to_thread [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        asyncio.run(main(host, port))
