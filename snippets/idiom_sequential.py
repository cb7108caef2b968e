"""Idiom: sequential execution, one step after another."""
import asyncio


async def multistep_coroutine(first=4, second=3, third=1):
    await asyncio.sleep(first)      # stands for some real I/O
    await asyncio.sleep(second)     # starts when the first is done
    await asyncio.sleep(third)


async def main(*steps):
    loop = asyncio.get_running_loop()
    start = loop.time()
    await multistep_coroutine(*steps)
    print(f'took {loop.time() - start:.1f} s')   # the sum: 8.0 s


# -- run: python -m snippets.idiom_sequential
if __name__ == '__main__':
    asyncio.run(main())
