"""asyncio.timeout (3.11): one deadline around any block of awaits."""
import asyncio

from snippets._http import status_line
from snippets.http_asyncio import http_get


async def get_within(seconds, host, port, path='/'):
    async with asyncio.timeout(seconds):  # due: TimeoutError, raised here
        return await http_get(host, port, path)  # cancelled where it waits


async def main(host, port):
    print(status_line(await get_within(2, host, port, '/?delay=0.1')))
    try:
        await get_within(0.5, host, port, '/?delay=2')
    except TimeoutError:
        print('no answer within 0.5 s: gave up')


# -- run: python -m snippets.timeout [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        asyncio.run(main(host, port))
