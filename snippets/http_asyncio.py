"""Introducing asyncio: the HTTP client as a coroutine, many at once."""
import asyncio

from snippets._http import check_complete, status_line
from snippets.http_blocking import http_request


async def http_get(host, port=80, path='/'):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(http_request(host, path))
        await writer.drain()            # until the buffer has room
        response = await reader.read()  # everything, up to EOF
    finally:
        writer.close()
        await writer.wait_closed()
    return check_complete(response)


async def main(host, port, paths=('/', '/', '/')):
    async with asyncio.timeout(10):     # one deadline for them all
        responses = await asyncio.gather(
            *(http_get(host, port, path) for path in paths))
    for response in responses:          # in the order of paths
        print(status_line(response), len(response), 'bytes')


# -- run: python -m snippets.http_asyncio [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        asyncio.run(main(host, port))
