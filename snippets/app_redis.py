"""asyncio apps: Redis.  redis-py's redis.asyncio: set/get, a pipeline, pub/sub.

The server comes from $ASYNCIO_TALK_REDIS_URL (default redis://localhost:6379/0).
The demo writes the keys ``greeting`` and ``visits`` there.
"""
import asyncio
import os
from urllib.parse import urlsplit

import redis.asyncio as redis

URL = os.environ.get('ASYNCIO_TALK_REDIS_URL', 'redis://localhost:6379/0')


async def set_get(url):
    async with redis.from_url(url, decode_responses=True) as client:
        await client.set('greeting', 'hello, asyncio')
        return await client.get('greeting')


async def pipeline(url):
    async with redis.from_url(url, decode_responses=True) as client:
        async with client.pipeline(transaction=True) as pipe:
            pipe.set('visits', 0).incr('visits').incrby('visits', 41)
            return await pipe.execute()     # one round trip, 3 answers


async def publish_and_listen(url, channel, messages):
    async with redis.from_url(url, decode_responses=True) as client:
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(channel)
            await pubsub.get_message(timeout=5)     # "subscribed"
            for message in messages:
                await client.publish(channel, message)
            received = []
            async with asyncio.timeout(5):
                async for item in pubsub.listen():
                    received.append(item['data'])
                    if len(received) == len(messages):
                        return received


class RedisUnavailable(ConnectionError):
    """Redis did not answer; the message says what to start."""


def where(url):
    """The server a URL names, as host:port (or a socket's path): never its password."""
    parts = urlsplit(url)
    if not parts.hostname:
        return parts.path
    host = f'[{parts.hostname}]' if ':' in parts.hostname else parts.hostname
    return f'{host}:{parts.port or 6379}'


async def main(url):
    """Run the demos and print what came back; raise RedisUnavailable with advice."""
    try:
        print('set/get:', await set_get(url))
        print('pipeline:', await pipeline(url))
        print('pub/sub:', await publish_and_listen(url, 'news', ['one', 'two']))
    except redis.ConnectionError as error:
        raise RedisUnavailable(
            f'cannot reach Redis at {where(url)}: {error}\n'
            'Start a server (Debian: `apt-get install redis-server`, then '
            '`systemctl start redis-server`), or point $ASYNCIO_TALK_REDIS_URL '
            'at a running one.') from error


# -- run: python -m snippets.app_redis   (server: $ASYNCIO_TALK_REDIS_URL)
if __name__ == '__main__':
    from snippets._run import run_service_demo
    run_service_demo(__doc__, lambda: main(URL), RedisUnavailable)
