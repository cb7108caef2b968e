"""Coroutine: just a generator.  A tiny loop takes turns resuming them."""


# -- slide: scheduler
def countdown(name, n):
    while n > 0:
        print(f'{name}: {n}')
        n -= 1
        yield                   # pause: back to the loop


def run(*tasks):
    ready = list(tasks)
    while ready:
        task = ready.pop(0)
        try:
            task.send(None)     # resume: what asyncio's Task does
        except StopIteration:
            continue            # it returned: done, drop it
        ready.append(task)      # round-robin: to the back
# -- end: scheduler


# -- run: python -m snippets.generator_scheduler
if __name__ == '__main__':
    run(countdown('a', 3), countdown('b', 2))
