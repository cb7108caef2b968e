"""A twist: Deferred.  One result by callbacks, by a Deferred, and chained.

No network: ``lookup`` stands for a slow operation, and ``clock`` (a
reactor, or ``twisted.internet.task.Clock`` in the tests) decides when the
answer arrives.
"""
from twisted.internet import defer, task

DELAY = 0.1                                  # seconds until each answer
ADDRESSES = {'example.org': '192.0.2.10'}    # a stand-in for DNS


def lookup(name):
    """The operation itself: the address of ``name``, or LookupError."""
    if name not in ADDRESSES:
        raise LookupError(f'unknown host {name!r}')
    return ADDRESSES[name]


# -- slide: callback style
def resolve_cb(clock, name, on_success, on_error):
    def later():
        try:
            address = lookup(name)
        except LookupError as exc:
            on_error(exc)
        else:
            on_success(address)
    clock.callLater(DELAY, later)
# -- end of callback style


# -- slide: Deferred style
def resolve(clock, name):
    return task.deferLater(clock, DELAY, lookup, name)   # a Deferred
# -- end of Deferred style


# -- slide: using a Deferred
def show(clock, name):
    d = resolve(clock, name)
    d.addCallback(lambda address: print(name, 'is at', address))
    d.addErrback(lambda failure: print('failed:', failure.value))
    return d
# -- end of using a Deferred


# -- slide: chained
def connect(clock, address):
    return task.deferLater(clock, DELAY, lambda: f'connected to {address}')


def resolve_and_connect(clock, name):
    d = resolve(clock, name)
    d.addCallback(lambda address: connect(clock, address))  # a Deferred:
    return d                        # the chain waits until it fires too
# -- end of chained


def main(reactor):
    resolve_cb(reactor, 'example.org',
               lambda address: print('callbacks: example.org is at', address),
               lambda exc: print('callbacks: failed:', exc))
    d1 = show(reactor, 'example.org')
    d2 = show(reactor, 'nowhere.test')
    d3 = resolve_and_connect(reactor, 'example.org').addCallback(print)
    return defer.gatherResults([d1, d2, d3])


# -- run: python -m snippets.deferred_chain
if __name__ == '__main__':
    task.react(main)
