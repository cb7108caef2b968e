"""asyncio futures: a promise of a result, or of an exception."""
import asyncio


async def main(delay=0.5):
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    loop.call_later(delay, f.set_result, 42)   # the promise kept
    r = await f                 # suspended until then; r <- f.result()
    print('result:', r)

    f = loop.create_future()
    loop.call_soon(f.set_exception, LookupError('no such thing'))
    try:
        await f                 # raises the exception that was set
    except LookupError as exc:
        print('exception:', exc)


# -- run: python -m snippets.futures
if __name__ == '__main__':
    asyncio.run(main())
