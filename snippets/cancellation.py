"""Cancellation done right: clean up, re-raise; tell whose cancel it was."""
import asyncio


async def worker(log):
    try:
        log.append('working')
        await asyncio.sleep(10)              # cancel() lands here
    except asyncio.CancelledError:
        log.append('cleaning up')            # close, flush, say goodbye:
        await asyncio.sleep(0.1)             # cleanup may await, too
        raise                                # never swallow it


async def stop(task):
    task.cancel()
    try:
        await task                           # until it has cleaned up
    except asyncio.CancelledError:
        if asyncio.current_task().cancelling():
            raise                            # we were cancelled too


async def main():
    log = []
    task = asyncio.create_task(worker(log))
    await asyncio.sleep(0.1)
    await stop(task)
    print(log, 'cancelled:', task.cancelled())


# -- run: python -m snippets.cancellation
if __name__ == '__main__':
    asyncio.run(main())
