"""Idiom: concurrent execution, all steps waiting at once on one thread."""
import asyncio


async def my_coroutine(seconds_to_sleep):
    await asyncio.sleep(seconds_to_sleep)
    return seconds_to_sleep


async def main(durations=(4, 3, 2)):
    loop = asyncio.get_running_loop()
    start = loop.time()
    results = await asyncio.gather(*map(my_coroutine, durations))
    print(results, f'took {loop.time() - start:.1f} s')  # max: 4.0
    return results


# -- run: python -m snippets.idiom_parallel
if __name__ == '__main__':
    asyncio.run(main())
