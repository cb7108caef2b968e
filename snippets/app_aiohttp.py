"""asyncio apps: HTTP.  aiohttp fetches several pages at once over one session."""
import asyncio
import time

import aiohttp


async def fetch_page(session, path):
    async with session.get(path) as response:
        response.raise_for_status()     # 4xx, 5xx: ClientResponseError
        return await response.text()


async def fetch_all(base_url, paths):
    session = aiohttp.ClientSession(
        base_url, timeout=aiohttp.ClientTimeout(total=10))
    async with session:                 # closes its connections at the end
        return await asyncio.gather(
            *(fetch_page(session, path) for path in paths),
            return_exceptions=True)     # a bad page does not hide the rest


# Against the demo server: two pages each answered after 0.5 s, and a 404.
DEMO_PATHS = ['/?size=100&delay=0.5', '/?size=2000&delay=0.5', '/?status=404']


async def main(base_url, paths=DEMO_PATHS):
    """Print what each page gave; return how many failed."""
    start = time.monotonic()
    results = await fetch_all(base_url, paths)
    elapsed = time.monotonic() - start
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, Exception):
            print(f'{path}: failed: {result}')
        else:
            print(f'{path}: {len(result)} characters')
    print(f'{len(paths)} pages in {elapsed:.1f} s')
    return sum(isinstance(result, Exception) for result in results)


# -- run: python -m snippets.app_aiohttp [URL | HOST [PORT]]
if __name__ == '__main__':
    import sys

    from snippets._run import target
    with target(__doc__) as (host, port):
        given = sys.argv[1] if len(sys.argv) > 1 else ''
        base_url = given if '://' in given else f'http://{host}:{port}'
        asyncio.run(main(base_url, DEMO_PATHS if not given else ['/', '/no-such-page']))
