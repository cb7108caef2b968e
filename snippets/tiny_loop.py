"""Under the hood: a tiny event loop on selectors, driving generators.

A Future, a Task that steps a generator with send(), and a loop that resolves
futures when a timer expires or a socket is ready: asyncio's design in
miniature (asyncio adds callbacks scheduling, cancellation, error handling).
"""
import heapq
import selectors
import time


class Future:
    def __init__(self):
        self.done, self.result, self.callbacks = False, None, []

    def set_result(self, result):
        self.done, self.result = True, result
        for callback in self.callbacks:
            callback()

    def __iter__(self):             # `yield from future`: wait for it
        if not self.done:
            yield self              # up to the Task that drives us
        return self.result


class Task(Future):                 # a Task is the future of a generator
    def __init__(self, gen):
        super().__init__()
        self.gen = gen
        self.step(None)

    def step(self, value):
        try:
            future = self.gen.send(value)        # run to the next yield
        except StopIteration as stop:            # the generator returned
            return self.set_result(stop.value)
        future.callbacks.append(lambda: self.step(future.result))


class Loop:
    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.timers = []                # heap of (when, id, future)

    def run_until_complete(self, gen):
        task = Task(gen)
        while not task.done:            # one turn of the loop:
            timeout = None              # no timer: wait for I/O only
            if self.timers:
                timeout = max(0, self.timers[0][0] - time.monotonic())
            for key, _ in self.selector.select(timeout):
                self.selector.unregister(key.fileobj)
                key.data.set_result(None)   # the future waiting for it
            while self.timers and self.timers[0][0] <= time.monotonic():
                heapq.heappop(self.timers)[-1].set_result(None)
        return task.result


def sleep(loop, seconds):
    future = Future()
    when = time.monotonic() + seconds
    heapq.heappush(loop.timers, (when, id(future), future))
    yield from future


def wait_for_io(loop, sock, event):     # selectors.EVENT_READ or _WRITE
    future = Future()
    loop.selector.register(sock, event, future)
    yield from future


def gather(*gens):
    tasks = [Task(gen) for gen in gens]     # all start, at once
    for task in tasks:
        yield from task                     # wait for each in turn
    return [task.result for task in tasks]


def nap(loop, name, seconds):
    yield from sleep(loop, seconds)
    print(f'{name} woke up after {seconds} s')
    return name


def main(loop):
    start = time.monotonic()
    names = yield from gather(nap(loop, 'a', 0.3), nap(loop, 'b', 0.1),
                              nap(loop, 'c', 0.2))
    print(names, f'in {time.monotonic() - start:.1f} s, not 0.6 s')


# -- run: python -m snippets.tiny_loop
if __name__ == '__main__':
    loop = Loop()
    loop.run_until_complete(main(loop))
