"""Chromium for the tests (Debian's, driven by Playwright) and static servers for what it opens
(a pytest plugin: conftest.py registers it).

The browser is the one `make pdf` and `make site` use (``find_chromium``, ``CHROMIUM_ARGS``).
One browser per module: while Playwright's sync API runs, its thread has a running asyncio loop,
so it must be gone before another module's asyncio tests run.
"""
import contextlib
import functools
import http.server
import threading

import pytest

from _support import missing
from slides.tools.publish import CHROMIUM_ARGS, find_chromium


@pytest.fixture(scope='session')
def chromium():
    path = find_chromium()
    if not path:
        missing('Chromium not found: install the Debian package chromium (`make deps`)')
    return path


@pytest.fixture(scope='module')
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing('playwright not installed: `make install` (requirements.txt)')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()


@contextlib.contextmanager
def static_server(folder):
    """Serve ``folder`` over HTTP on 127.0.0.1 until the block ends; yields its base URL."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=folder))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture(scope='session')
def site_server(site):
    """Base URL of the published folder (builds.py's ``site``) on a static server."""
    with static_server(site) as url:
        yield url


@pytest.fixture(scope='session')
def slides_server(slides_build):
    """Base URL of the deck alone (builds.py's ``slides_build``) on a static server."""
    with static_server(slides_build) as url:
        yield url


def pytest_collection_modifyitems(items):
    """A test that needs Chromium (its fixtures, or the published site, which pictures a slide with it)
    is marked ``browser``, so that the matrix (``-m 'not browser'``) leaves it out."""
    unmarked = [item.nodeid for item in items
                if {'chromium', 'browser', 'site'} & set(getattr(item, 'fixturenames', ()))
                and not item.get_closest_marker('browser')]
    if unmarked:
        raise pytest.UsageError('tests that need Chromium but are not marked browser: ' + ', '.join(unmarked))
