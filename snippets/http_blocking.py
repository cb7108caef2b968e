"""Base case: a blocking HTTP client.  One request at a time."""
import socket

from snippets._http import check_complete, status_line


def http_request(host, path='/'):
    return (f'GET {path} HTTP/1.1\r\n'
            f'Host: {host}\r\n'             # mandatory in HTTP/1.1
            'Connection: close\r\n'         # so the end of the answer is EOF
            '\r\n').encode('ascii')         # sockets carry bytes, not str


def http_get(host, port=80, path='/'):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(http_request(host, path))
        response = b''
        while chunk := sock.recv(64 * 1024):  # one recv() may be a part:
            response += chunk                 # read until the server closes
    return check_complete(response)


def main(host, port):
    print(status_line(http_get(host, port)))
    print(status_line(http_get(host, port)))  # ...only after the first one


# -- run: python -m snippets.http_blocking [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        main(host, port)
