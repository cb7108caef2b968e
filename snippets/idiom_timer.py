"""Idiom: a timer, an endless task doing housekeeping until cancelled."""
import asyncio


async def timer(period, housekeeping):
    while True:
        housekeeping()                  # check something...
        await asyncio.sleep(period)     # ...then sleep till next time


async def main(period=1, run_for=3.5):
    loop = asyncio.get_running_loop()
    start = loop.time()
    task = asyncio.create_task(timer(   # spin off the housekeeping
        period, lambda: print(f'tick {loop.time() - start:.1f}')))
    await asyncio.sleep(run_for)        # the application works...
    task.cancel()                       # ...then stops the timer
    await asyncio.wait([task])          # and waits until it stopped
    print('timer stopped, cancelled:', task.cancelled())


# -- run: python -m snippets.idiom_timer
if __name__ == '__main__':
    asyncio.run(main())
