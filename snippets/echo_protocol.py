"""Protocols: callbacks with set meanings, here resolving a future."""
import asyncio


class LovelyProtocol(asyncio.Protocol):
    def __init__(self, message, done):
        self.message, self.done, self.echo = message, done, b''

    def connection_made(self, transport):
        transport.write(self.message)

    def data_received(self, data):
        self.echo += data               # TCP may split it up
        if len(self.echo) >= len(self.message) and not self.done.done():
            self.done.set_result(self.echo)     # not loop.stop()

    def connection_lost(self, exc):     # closed before the echo?
        if not self.done.done():
            self.done.set_exception(exc or EOFError('closed early'))


async def lovely_client(host, port, message=b'iloveyou'):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, _ = await loop.create_connection(
        lambda: LovelyProtocol(message, done), host, port)
    try:
        return await done               # resumed by data_received
    finally:
        transport.close()


async def main(host, port):
    async with asyncio.timeout(10):
        print(await lovely_client(host, port))


# -- run: python -m snippets.echo_protocol [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__, kind='echo') as (host, port):
        asyncio.run(main(host, port))
