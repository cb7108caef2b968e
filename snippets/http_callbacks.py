"""Earlier implementation: bare sockets.  Non-blocking HTTP with callbacks.

One thread fetches several paths at once.  Each socket is non-blocking; a
selector (epoll on Linux, kqueue on BSD and macOS) says which sockets are
ready, and the main loop calls the function registered for that socket.
The state of each request lives in a ``Request`` object on the heap,
passed from callback to callback.
"""
import errno
import os
import selectors
import socket
import time

from snippets._http import check_complete, print_results
from snippets.http_blocking import http_request

TIMEOUT = 10  # seconds for each request, from connect to the last byte


class Request:
    """What one request carries from one callback to the next."""

    def __init__(self, sock, request, on_done, on_error, timeout):
        self.sock = sock
        self.unsent = request           # bytes still to send
        self.received = b''             # bytes received so far
        self.on_done = on_done          # called with the whole response
        self.on_error = on_error        # called with an exception
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout


def fetch(selector, host, port, path, on_done, on_error, timeout=TIMEOUT):
    """Start one request; its callbacks run later, from ``run(selector)``.

    If the connect fails at once (e.g. an unknown host), ``on_error`` is
    called at once.
    """
    sock = socket.socket()
    sock.setblocking(False)
    req = Request(sock, http_request(host, path), on_done, on_error, timeout)
    try:
        err = sock.connect_ex((host, port))     # returns at once: EINPROGRESS
        if err not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
            raise OSError(err, os.strerror(err))
    except OSError as exc:                      # failed at once: say so now
        sock.close()
        on_error(exc)
        return
    selector.register(sock, selectors.EVENT_WRITE, (on_connected, req))


# -- slide: the callbacks
def on_connected(selector, req):
    if err := req.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        raise OSError(err, os.strerror(err))    # e.g. connection refused
    selector.modify(req.sock, selectors.EVENT_WRITE, (on_writable, req))


def on_writable(selector, req):
    sent = req.sock.send(req.unsent)
    req.unsent = req.unsent[sent:]
    if not req.unsent:                          # all sent: wait for answer
        selector.modify(req.sock, selectors.EVENT_READ, (on_readable, req))


def on_readable(selector, req):
    if chunk := req.sock.recv(64 * 1024):
        req.received += chunk                   # a part: wait for more
    else:                                       # EOF: the server is done
        close(selector, req)
        req.on_done(check_complete(req.received))
# -- end of the callbacks


def close(selector, req):
    """Forget the socket of ``req`` and close it (twice is harmless)."""
    if req.sock.fileno() != -1:
        selector.unregister(req.sock)
        req.sock.close()


def fail(selector, req, exc):
    close(selector, req)
    req.on_error(exc)


def run(selector):
    """The main loop: wait for events, call the callbacks of ready sockets."""
    while selector.get_map():
        pending = [key.data[1] for key in selector.get_map().values()]
        wait = min(req.deadline for req in pending) - time.monotonic()
        for key, _ in selector.select(max(wait, 0)):
            callback, req = key.data
            try:
                callback(selector, req)
            except OSError as exc:              # refused, reset, cut short
                fail(selector, req, exc)
        for req in pending:
            if req.sock.fileno() != -1 and time.monotonic() > req.deadline:
                fail(selector, req, TimeoutError(
                    f'no complete answer within {req.timeout} s'))


def fetch_all(host, port, paths, timeout=TIMEOUT):
    """Fetch every path concurrently; return the responses in order.

    A request that failed gives its exception in place of a response.
    """
    results = [None] * len(paths)
    with selectors.DefaultSelector() as selector:
        for i, path in enumerate(paths):
            def store(result, i=i):
                results[i] = result
            fetch(selector, host, port, path, store, store, timeout)
        run(selector)
    return results


def main(host, port):
    print_results(fetch_all(host, port, ['/', '/', '/']))  # at the same time


# -- run: python -m snippets.http_callbacks [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        main(host, port)
