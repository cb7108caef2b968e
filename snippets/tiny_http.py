"""Under the hood: the talk's HTTP client, as a generator on the tiny loop."""
import os
import socket
import time
from selectors import EVENT_READ, EVENT_WRITE

from snippets._http import check_complete, status_line
from snippets.http_blocking import http_request
from snippets.tiny_loop import Loop, gather, wait_for_io


def http_get(loop, host, port=80, path='/'):
    with socket.socket() as sock:
        sock.setblocking(False)
        sock.connect_ex((host, port))            # EINPROGRESS: not yet
        yield from wait_for_io(loop, sock, EVENT_WRITE)
        if error := sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            raise OSError(error, os.strerror(error))   # e.g. refused
        request = http_request(host, path)
        while request:
            yield from wait_for_io(loop, sock, EVENT_WRITE)
            request = request[sock.send(request):]
        response = b''
        while True:
            yield from wait_for_io(loop, sock, EVENT_READ)
            if not (chunk := sock.recv(64 * 1024)):    # EOF: all there
                return check_complete(response)
            response += chunk


def main(loop, host, port):
    start = time.monotonic()
    paths = ['/?delay=1', '/?delay=1', '/?delay=1']
    responses = yield from gather(
        *(http_get(loop, host, port, path) for path in paths))
    for path, response in zip(paths, responses, strict=True):
        print(path, status_line(response), len(response), 'bytes')
    print(f'{len(paths)} requests in {time.monotonic() - start:.1f} s')


# -- run: python -m snippets.tiny_http [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        loop = Loop()
        loop.run_until_complete(main(loop, host, port))
