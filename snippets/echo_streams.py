"""Transports, through streams: a TCP echo client."""
import asyncio


async def tcp_echo_client(host, port, message):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(message)       # not a coroutine: it buffers
        await writer.drain()        # wait until the buffer has room
        data = await reader.readexactly(len(message))
    finally:
        writer.close()
        await writer.wait_closed()
    return data


async def main(host, port):
    async with asyncio.timeout(10):
        print(await tcp_echo_client(host, port, b'Hello World!'))


# -- run: python -m snippets.echo_streams [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__, kind='echo') as (host, port):
        asyncio.run(main(host, port))
