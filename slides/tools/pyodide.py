"""Pyodide, the CPython 3.14 in WebAssembly that runs the pure snippets in the reader's browser.

    python -m slides.tools.pyodide fetch [CACHE]     # once: npm's package, by exact version, checked
    python -m slides.tools.pyodide bench SITE        # click to first output, cold and warm; bytes added

``fetch`` downloads the npm package ``pyodide`` at ``VERSION`` with ``npm pack`` (the registry's tarball),
checks it against ``INTEGRITY`` (the sha512 of ``npm view pyodide@VERSION dist``, written here, so a
changed tarball fails), and keeps the five files a page needs in ``CACHE/VERSION/`` (``$PYODIDE_CACHE``,
default ``.cache/pyodide`` in the project, outside the builds that ``make site`` wipes).  It does nothing when they are there.
The deck's builds copy them from there (slides/_ext/deck_browser.py); nothing is fetched at page load.

``bench`` serves a built site (``make site``) on 127.0.0.1 and, in headless Chromium, clicks the first Run
button: the time to the first line of output on a cold cache, then in a new page with the browser's
cache warm, then a second run in the same page; and the bytes the runtime adds to the site.
It is a measurement to read, not a test.
"""
import base64
import functools
import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

VERSION = '314.0.7'                       # CPython 3.14.2 (its pyodide-lock.json says so)
INTEGRITY = ('sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A==')
FILES = ('pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json')
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / os.environ.get('PYODIDE_CACHE', '.cache/pyodide')    # relative: to the project's root


def runtime(cache=CACHE):
    """The folder that holds the five files, or None when it is not complete."""
    folder = Path(cache) / VERSION
    return folder if all((folder / name).is_file() for name in FILES) else None


def check(tarball):
    algorithm, _, expected = INTEGRITY.partition('-')
    digest = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if digest != expected:
        raise SystemExit(f'pyodide@{VERSION}: the tarball is not the one pinned ({algorithm} {digest})')


def fetch(cache=CACHE):
    if folder := runtime(cache):
        return folder
    folder = Path(cache) / VERSION
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(['npm', 'pack', f'pyodide@{VERSION}', '--pack-destination', tmp, '--silent'],
                           check=True, stdout=subprocess.DEVNULL, timeout=600)
        except FileNotFoundError:
            raise SystemExit('npm not found: install the Debian package npm (make deps)') from None
        tarball = (Path(tmp) / f'pyodide-{VERSION}.tgz').read_bytes()
    check(tarball)
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        for name in FILES:
            data = archive.extractfile(f'package/{name}').read()
            (folder / f'{name}.part').write_bytes(data)
            (folder / f'{name}.part').replace(folder / name)   # whole files only
    lock = json.loads((folder / 'pyodide-lock.json').read_text())
    print(f'pyodide {VERSION} (Python {lock["info"]["python"]}): {folder}')
    return folder


# -- the benchmark ---------------------------------------------------------------------------------

FIRST_OUTPUT = """async button => {
  const out = document.getElementById(button.getAttribute('aria-controls'));
  const start = performance.now();
  button.click();
  while (!out.querySelector('.pyrun-line')) await new Promise(r => setTimeout(r, 5));
  const first = performance.now() - start;
  while (out.dataset.state === 'running') await new Promise(r => setTimeout(r, 20));
  return first;
}"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def bench(site):
    from playwright.sync_api import sync_playwright

    from slides.tools.publish import CHROMIUM_ARGS, chromium_or_exit

    site = Path(site)
    grown = sum(p.stat().st_size for p in (site / '_static' / 'pyodide').rglob('*') if p.is_file())
    page_name = next(p for p in sorted(site.glob('*.html')) if 'data-pyrun=' in p.read_text()).name
    chromium = chromium_or_exit()
    handler = functools.partial(Quiet, directory=str(site))
    with http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler) as httpd, sync_playwright() as playwright:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f'http://127.0.0.1:{httpd.server_address[1]}/'
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context()
        figures = []
        for label in ('cold (empty cache)', 'warm (cached, new page)'):
            page = context.new_page()
            page.goto(url + page_name)
            button = page.locator('.pyrun-button').first
            figures.append((label, page.evaluate(FIRST_OUTPUT, button.element_handle())))
            if label.startswith('warm'):
                figures.append(('second run, same page', page.evaluate(FIRST_OUTPUT, button.element_handle())))
            page.close()
        browser.close()
        httpd.shutdown()
    print(f'click to first output on {page_name}, headless Chromium, {time.strftime("%Y-%m-%d")}:')
    for label, ms in figures:
        print(f'  {label:28} {ms / 1000:6.2f} s')
    print(f'the site grows by {grown:,} bytes ({grown / 1e6:.1f} MB): _static/pyodide/')


def main(argv):
    if argv[:1] == ['fetch'] and len(argv) <= 2:
        fetch(argv[1] if len(argv) == 2 else CACHE)
    elif argv[:1] == ['bench'] and len(argv) == 2:
        bench(argv[1])
    else:
        raise SystemExit(__doc__.split('\n\n')[1])


if __name__ == '__main__':
    main(sys.argv[1:])
