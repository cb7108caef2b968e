"""Real servers for the tests, on free ports on 127.0.0.1, started and stopped here."""
import socket
import threading

import pytest

from snippets._run import demo_servers


@pytest.fixture(scope='session')
def demo():
    """The bundled demo servers (strict HTTP/1.1 via uvicorn+h11, TCP echo), in a subprocess."""
    with demo_servers() as servers:
        yield servers


@pytest.fixture
def http_server(demo):
    """``(host, port)`` of a strict HTTP/1.1 server.  Query ``?size=N&delay=S`` shapes the answer."""
    return demo['http']


@pytest.fixture
def echo_server(demo):
    """``(host, port)`` of a TCP echo server."""
    return demo['echo']


@pytest.fixture
def refused_port():
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture
def early_close_server():
    """``(host, port)`` of a server that announces 1000 body bytes, sends 10 and closes."""
    listener = socket.create_server(('127.0.0.1', 0))
    listener.settimeout(10)

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:            # listener closed: the test is over
                return
            with conn:
                conn.settimeout(10)
                conn.recv(65536)       # the request
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    listener.close()
    thread.join(10)
