"""TaskGroup (3.11): tasks end together; all their errors come back."""
import asyncio


async def job(name, seconds, error=None):
    await asyncio.sleep(seconds)
    if error:
        raise error(f'{name} failed')
    return name


async def main():
    try:
        async with asyncio.TaskGroup() as group:      # waits for every task
            slow = group.create_task(job('slow', 10))
            group.create_task(job('a', 0, ConnectionResetError))
            group.create_task(job('b', 0, TimeoutError))
    except* ConnectionError as errors:                # each kind of error
        print('connection:', [str(e) for e in errors.exceptions])
    except* TimeoutError as errors:                   # ...handled once
        print('timeout:', [str(e) for e in errors.exceptions])
    print('slow cancelled:', slow.cancelled())        # no task left behind


# -- run: python -m snippets.taskgroup
if __name__ == '__main__':
    asyncio.run(main())
