"""Idiom: chained execution, a coroutine awaiting coroutines."""
import asyncio


async def my_inner_coroutine(seconds):
    await asyncio.sleep(seconds)


async def my_outer_coroutine(steps=3, seconds=0.5):
    for step in range(steps):
        await my_inner_coroutine(seconds)   # one after another
        print('step', step, 'done')


async def main(*args):
    loop = asyncio.get_running_loop()
    start = loop.time()
    await my_outer_coroutine(*args)
    print(f'took {loop.time() - start:.1f} s')   # 3 x 0.5 = 1.5 s


# -- run: python -m snippets.idiom_chained
if __name__ == '__main__':
    asyncio.run(main())
