"""asyncio main loop: plain callbacks, now and later, then stop."""
import asyncio


def main(delay=0.5):
    loop = asyncio.new_event_loop()
    try:
        loop.call_later(delay, loop.stop)     # in delay seconds
        loop.call_later(delay / 2, print, '...and later')
        loop.call_soon(print, 'Hello')        # once the loop runs
        loop.call_soon(print, 'World')        # in the order given
        loop.run_forever()                    # until loop.stop()
    finally:
        loop.close()


# -- run: python -m snippets.loop_call_soon
if __name__ == '__main__':
    main()
