"""asyncio tasks: a coroutine wrapped in a future, running on its own."""
import asyncio


async def tick(name, times, period):
    for i in range(times):
        print(name, i)
        await asyncio.sleep(period)
    return f'{name}: {times} ticks'


async def main(period=0.5):
    task = asyncio.create_task(tick('task', 3, period))  # starts soon
    await tick('main', 3, period)       # meanwhile, the task runs too
    r = await task                      # r <- task.result()
    print(r)


# -- run: python -m snippets.tasks
if __name__ == '__main__':
    asyncio.run(main())
