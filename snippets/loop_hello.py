"""asyncio main loop: run one coroutine to completion."""
import asyncio


async def hello_world():
    print('Hello World!')


def main():
    # Make a loop, run hello_world() in it until done, close the loop
    asyncio.run(hello_world())


# -- run: python -m snippets.loop_hello
if __name__ == '__main__':
    main()
