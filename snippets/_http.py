"""What every hand-written HTTP client in the talk checks in its answer.

Kept out of the slides so each slide shows only its concurrency model.
"""


class IncompleteResponse(ConnectionError):
    """The server closed the connection before sending the whole response."""


def check_complete(response):
    """Return ``response`` if it holds all the body its headers announce.

    Raise IncompleteResponse when the peer closed early: no blank line after
    the headers, or fewer body bytes than Content-Length.
    """
    head, sep, body = response.partition(b'\r\n\r\n')
    if not sep:
        raise IncompleteResponse(
            f'connection closed after {len(response)} bytes, inside the headers')
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length' and len(body) < int(value):
            raise IncompleteResponse(
                f'connection closed after {len(body)} of {int(value)} body bytes')
    return response


def split_response(response):
    """``(status code, body)`` of a complete response."""
    head, _, body = response.partition(b'\r\n\r\n')
    return int(head.split(None, 2)[1]), body


def status_line(response):
    """The first line of a response, for printing."""
    return response.split(b'\r\n', 1)[0].decode('latin-1')


def print_results(results):
    """Print each response's status line, or the error that took its place."""
    for result in results:
        if isinstance(result, Exception):
            print(f'failed: {type(result).__name__}: {result}')
        else:
            print(status_line(result))
