"""Earlier implementation: Twisted.  A Protocol, its ClientFactory, a Deferred.

The factory makes one protocol instance per connection; the protocol sends
the request and collects the answer; the factory's Deferred fires with the
whole response when the server closes, or fails when the connection does.
"""
from functools import partial

from twisted.internet import defer, protocol, task

from snippets._http import check_complete, print_results
from snippets.http_blocking import http_request

TIMEOUT = 10  # seconds for each request, from connect to the last byte


# -- slide: the protocol
class HttpClient(protocol.Protocol):
    received = b''

    def connectionMade(self):
        self.transport.write(self.factory.request)  # bytes, as they are

    def dataReceived(self, data):
        self.received += data

    def connectionLost(self, reason):                # the server is done
        self.factory.done.callback(self.received)    # so react() returns
# -- end of the protocol


# -- slide: the factory
class HttpClientFactory(protocol.ClientFactory):
    protocol = HttpClient

    def __init__(self, host, path='/'):
        self.request = http_request(host, path)      # with a Host header
        self.done = defer.Deferred()

    def clientConnectionFailed(self, connector, reason):
        self.done.errback(reason)                    # e.g. refused


def http_get(reactor, host, port=80, path='/', timeout=TIMEOUT):
    factory = HttpClientFactory(host, path)
    connector = reactor.connectTCP(host, port, factory, timeout=timeout)
    factory.done.addCallback(check_complete)     # cut short: an errback
    return factory.done.addTimeout(timeout, reactor,
                                   onTimeoutCancel=partial(give_up, connector))
# -- end of the factory


def give_up(connector, result, timeout):
    """After ``timeout`` seconds without a whole answer: close, and say so."""
    connector.disconnect()
    raise TimeoutError(f'no complete answer within {timeout} s')


def fetch_all(reactor, host, port, paths, timeout=TIMEOUT):
    """Fetch every path concurrently: a Deferred list of the responses.

    A request that failed gives its exception in place of a response.
    """
    requests = [http_get(reactor, host, port, path, timeout)
                .addErrback(lambda failure: failure.value)
                for path in paths]
    return defer.gatherResults(requests)


def main(reactor, host, port):
    d = fetch_all(reactor, host, port, ['/', '/', '/'])  # at the same time
    return d.addCallback(print_results)  # react() runs the reactor until d fires


# -- run: python -m snippets.http_twisted [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        task.react(main, (host, port))
