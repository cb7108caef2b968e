"""Chromium for the tests (Debian's, driven by Playwright) and static servers for what it opens
(a pytest plugin: conftest.py registers it).

The browser is the one `make pdf` and `make site` use (``find_chromium``, ``CHROMIUM_ARGS``).
One browser per module: while Playwright's sync API runs, its thread has a running asyncio loop,
so it must be gone before another module's asyncio tests run.

A static host that serves folders under sub-paths as GitHub Pages does and records every request
(``host``), a browser context that records what fails and stops what leaves the sub-path
(``Visit``), and axe-core's WCAG 2.1 A/AA check of a page (``axe_violations``).
"""
import contextlib
import functools
import http.server
import mimetypes
import threading
from urllib.parse import unquote, urlsplit

import pytest

from _support import BROWSER_TIMEOUT_MS, missing
from slides.tools.publish import CHROMIUM_ARGS, find_chromium

DECK_PAGE = 'slides/index.html'              # the deck in the published folder
# axe-core's rules for WCAG 2.0 and 2.1, levels A and AA (axe-playwright-python bundles axe-core).
WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']


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


# -- A static host under sub-paths, and a browser context that watches every request ----------------

class StaticHost(http.server.ThreadingHTTPServer):
    """Folders served under sub-paths of one origin on 127.0.0.1, as a static host serves them."""

    def __init__(self):
        super().__init__(('127.0.0.1', 0), StaticHandler)
        self.mounts = {}                      # '/talk/' -> folder
        self.requests = []                    # (path, status), in order
        self.lock = threading.Lock()
        self.url = f'http://127.0.0.1:{self.server_address[1]}'

    def record(self, path, status):
        with self.lock:
            self.requests.append((path, status))


class StaticHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        mounts = self.server.mounts
        prefix = next((p for p in sorted(mounts, key=len, reverse=True) if path.startswith(p)), None)
        if prefix is None:
            if path + '/' in mounts:          # /talk -> /talk/, as the hosts do
                return self.answer(path, 301, b'', {'Location': path + '/'})
            return self.answer(path, 404, b'not found', {'Content-Type': 'text/plain'})
        folder = mounts[prefix]
        name = path[len(prefix):]
        file = (folder / name).resolve()
        if file.is_dir():
            file = file / 'index.html'
        if folder.resolve() in file.parents and file.is_file():
            kind = mimetypes.guess_type(file.name)[0] or 'application/octet-stream'
            return self.answer(path, 200, file.read_bytes(), {'Content-Type': kind})
        missing_page = folder / '404.html'
        body = missing_page.read_bytes() if missing_page.is_file() else b'not found'
        return self.answer(path, 404, body, {'Content-Type': 'text/html; charset=utf-8'})

    def answer(self, path, status, body, headers):
        self.server.record(path, status)
        self.send_response(status)
        for name, value in {**headers, 'Content-Length': str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope='session')
def host():
    """The static host (test_site, test_accessibility mount their folders on it)."""
    server = StaticHost()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


class Visit:
    """A browser context that records every request and response, and stops any request that
    leaves ``root`` (nothing reaches another host).  One tab, reused for every page."""

    def __init__(self, browser, root, **options):
        self.root = root
        self.outside, self.failed, self.errors = [], [], []
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(BROWSER_TIMEOUT_MS)
        self.context.route('**/*', self.guard)
        self.context.on('requestfailed', self.request_failed)
        self.context.on('response', lambda r: r.status >= 400 and self.failed.append(f'{r.url}: {r.status}'))
        self.page = self.context.new_page()
        self.page.on('pageerror', lambda error: self.errors.append(f'{self.page.url}: {error}'))

    def request_failed(self, request):
        if request.failure != 'net::ERR_ABORTED':  # not cancelled by going on to the next page
            self.failed.append(f'{request.url}: {request.failure}')

    def guard(self, route):
        url = route.request.url
        if url.startswith(self.root) or url.startswith(('data:', 'blob:')):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, url):
        """Go to ``url`` (the deck: until its script has laid out the slides); the response."""
        response = self.page.goto(url)
        if urlsplit(url).path.endswith(DECK_PAGE):
            self.page.wait_for_function("document.body.classList.contains('loaded')")
        return response

    def close(self):
        self.context.close()


@functools.cache
def _axe():
    from axe_playwright_python.sync_playwright import Axe
    return Axe()


def axe_violations(page, context=None):
    """axe-core's WCAG 2.1 A/AA violations on ``page`` as it is now (or in its ``context``
    selector), one line each: the page, the rule, what it asks, the first elements that fail."""
    options = {'runOnly': {'type': 'tag', 'values': WCAG_TAGS}, 'resultTypes': ['violations']}
    result = _axe().run(page, context=context, options=options).response
    return [f"{page.url}: {v['id']} ({v['help']}): {len(v['nodes'])} x "
            + ', '.join(' '.join(n['target']) for n in v['nodes'][:3]) for v in result['violations']]


def pytest_collection_modifyitems(items):
    """A test that needs Chromium (its fixtures, or the published site, which pictures a slide with it)
    is marked ``browser``, so that the matrix (``-m 'not browser'``) leaves it out."""
    unmarked = [item.nodeid for item in items
                if {'chromium', 'browser', 'site'} & set(getattr(item, 'fixturenames', ()))
                and not item.get_closest_marker('browser')]
    if unmarked:
        raise pytest.UsageError('tests that need Chromium but are not marked browser: ' + ', '.join(unmarked))
