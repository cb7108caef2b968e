"""Multiple threads: the blocking client, once per worker thread."""
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from snippets._http import status_line
from snippets.http_blocking import http_get


def fetch_all(host, port, paths):
    with ThreadPoolExecutor(max_workers=5) as executor:
        return list(executor.map(partial(http_get, host, port), paths))


# -- run: python -m snippets.http_threads [HOST [PORT]]
if __name__ == '__main__':
    from snippets._run import target
    with target(__doc__) as (host, port):
        for response in fetch_all(host, port, ['/', '/']):
            print(status_line(response))
