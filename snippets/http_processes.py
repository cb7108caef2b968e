"""Multiple processes: the blocking client, once per worker process."""
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from snippets._http import status_line
from snippets.http_blocking import http_get


def fetch_all(host, port, paths):
    with ProcessPoolExecutor() as executor:
        return list(executor.map(partial(http_get, host, port), paths))


# -- run: python -m snippets.http_processes [HOST [PORT]]
if __name__ == '__main__':   # required: forkserver and spawn import this module again
    from snippets._run import target
    with target(__doc__) as (host, port):
        for response in fetch_all(host, port, ['/', '/']):
            print(status_line(response))
