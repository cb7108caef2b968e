"""Earlier implementation: asyncore.  One dispatcher per request, one loop.

asyncore is in the standard library up to Python 3.11 (deprecated since 3.6)
and was removed in 3.12 (PEP 594); there the ``pyasyncore`` package
provides the same module.  History only: do not start new code on it.
"""
import socket
import sys
import time
import warnings

with warnings.catch_warnings():
    # Python 3.11's asyncore warns on import that it is going away; this
    # module shows it for history, so that one known warning is silenced,
    # and any other comes through.  (On 3.12+ the import finds the
    # pyasyncore package, which is silent.)
    warnings.filterwarnings('ignore', 'The asyncore module is deprecated',
                            DeprecationWarning)
    import asyncore

from snippets._http import check_complete, print_results
from snippets.http_blocking import http_request

TIMEOUT = 10  # seconds for all the requests together


# -- slide: the client
class HttpClient(asyncore.dispatcher):
    def __init__(self, host, port=80, path='/', channels=None):
        super().__init__(map=channels)
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.write_buffer = http_request(host, path)    # bytes, with Host
        self.read_buffer = b''
        self.result = None          # the response, or the exception
        self.connect((host, port))

    def writable(self): return len(self.write_buffer) > 0   # readable: always

    def handle_write(self):
        sent = self.send(self.write_buffer)
        self.write_buffer = self.write_buffer[sent:]

    def handle_read(self):
        self.read_buffer += self.recv(64 * 1024)
# -- end of the client

    def connect(self, address):
        """Report a failure at once (e.g. a bad host name) like a late one."""
        try:
            super().connect(address)
        except OSError:
            self.handle_error()

    def handle_close(self):
        """The server closed: the answer is complete, or cut short."""
        self.close()
        try:
            self.result = check_complete(self.read_buffer)
        except ConnectionError as exc:
            self.result = exc

    def handle_error(self):
        """Any exception in a handler (e.g. connection refused) ends here."""
        self.result = sys.exc_info()[1]
        self.close()


def fetch_all(host, port, paths, timeout=TIMEOUT):
    """Fetch every path concurrently; return the responses in order.

    A request that failed gives its exception in place of a response.
    """
    channels = {}                   # our own map, not asyncore's global one
    clients = [HttpClient(host, port, path, channels) for path in paths]
    deadline = time.monotonic() + timeout
    while channels and (left := deadline - time.monotonic()) > 0:
        asyncore.loop(timeout=left, map=channels, count=1)
    for client in clients:
        if client.result is None:   # still open: the server is too slow
            client.close()
            client.result = TimeoutError(
                f'no complete answer within {timeout} s')
    return [client.result for client in clients]


def main(host, port):
    print_results(fetch_all(host, port, ['/', '/', '/']))  # at the same time


# -- run: python -m snippets.http_asyncore [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        main(host, port)
