"""Future eats Callback: a callback API promoted to a coroutine."""
import asyncio
import sys
import threading


def read_file_cb(path, callback):
    """Callback style, like Node's fs.readFile: read ``path`` in a worker
    thread, then call ``callback(data, None)`` or ``callback(None, error)``
    from that thread."""
    def work():
        try:
            with open(path, 'rb') as file:
                data = file.read()
        except OSError as error:
            callback(None, error)
        else:
            callback(data, None)
    threading.Thread(target=work, name=f'read_file_cb {path}').start()


async def read_file(path):
    loop = asyncio.get_running_loop()
    f = loop.create_future()

    def settle(data, error):            # in the loop's thread
        if f.cancelled():               # the awaiting side gave up
            return
        if error is None:
            f.set_result(data)
        else:
            f.set_exception(error)

    def callback(data, error):          # in the worker thread
        loop.call_soon_threadsafe(settle, data, error)

    read_file_cb(path, callback)
    return await f


async def main(paths):
    for path in paths:
        try:
            data = await read_file(path)    # reads like blocking code
        except OSError as error:
            print(f'{path}: {error.strerror}')
        else:
            print(f'{path}: {len(data)} bytes: {data[:20]!r}...')


# -- run: python -m snippets.callback_to_future [PATH ...]
if __name__ == '__main__':
    asyncio.run(main(sys.argv[1:] or [__file__, '/no/such/file']))
