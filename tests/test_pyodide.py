"""The pure snippets in the reader's browser: Python 3.14 on Pyodide, bundled with the site (deck_browser.py).

What runs there is conf.py's ``deck_browser_snippets``, as the built deck's record (deck.json) says:
each imports only the standard library and, run as ``python -m snippets.NAME`` on CPython, opens no
socket (none connects, binds, resolves or sends), starts no thread and no process (an audit hook
stops it if it tries).  Those CPython runs are
the reference: the published site (``make site``), under a sub-path of the static host, runs every
listed snippet in one page's worker and prints the same lines, with Chromium's JSPI and without it
(as on Safari), and no request leaves the site's folder.  Timings are normalised the same way on
both sides (``normalised``).  Then the site's Run button (nothing loads before the first click; Tab,
Enter, Escape; axe-core before and after a run, light and dark), and the deck's ``r`` without
``make present``, and from file://.
"""
import ast
import json
import os
import re
import subprocess
import sys

import pytest

from _support import ROOT
from browser import DECK_PAGE, Visit, axe_violations

pytestmark = pytest.mark.timeout(600)     # Pyodide's first boot compiles 9.6 MB of WebAssembly

PATH = '/pyrun/talk/'
RUN_MS = 60_000
# CPython's audit events for what a browser cannot do: a socket that connects, binds, resolves or
# sends (asyncio's own loop makes a socketpair to wake itself: not the snippet's, and no network),
# a thread, a process.
GUARD = '''
import sys
def _guard(event, args):
    if event.startswith(('socket.connect', 'socket.bind', 'socket.getaddrinfo', 'socket.gethost',
                         'socket.getnameinfo', 'socket.sendto', 'socket.sendmsg', 'subprocess.',
                         '_thread.start', 'os.system', 'os.exec', 'os.fork', 'os.posix_spawn')):
        raise RuntimeError(f'not in a browser: {event}')
sys.addaudithook(_guard)
'''
# "took 8.0 s", "in 0.3 s", "tick 2.0": a time, the same way for CPython and the browser
TIMING = re.compile(r'\b\d+\.\d+(?= s\b)|(?<=^tick )\d+\.\d+')
# every snippet in the page's one worker, one after another; the lines of each, and the worker's JSPI
RUN_ALL = """async names => {
  const results = {};
  for (const name of names) {
    results[name] = await new Promise(resolve => {
      const lines = [];
      let jspi = null;
      window.deckPyrun.start(name, event => {
        if (event.event === 'line') lines.push(event.text);
        else if (event.event === 'boot') jspi = event.jspi;
        else if (event.event === 'end') resolve({lines, status: event.status, jspi});
      });
    });
  }
  return results;
}"""
NO_JSPI = 'delete WebAssembly.Suspending; delete WebAssembly.promising;\n'   # as on Safari


def normalised(lines):
    return [TIMING.sub('#.#', line) for line in lines]


@pytest.fixture(scope='module')
def listed(slides_build):
    record = json.loads((slides_build / 'deck.json').read_text())
    names = sorted(info['module'] for info in record['snippets'].values() if info['browser'])
    assert len(names) >= 16, names
    return names


@pytest.fixture(scope='module')
def cpython(listed, tmp_path_factory):
    """``python -m snippets.NAME`` for each listed snippet, side by side, with the guard above
    (a sitecustomize): {name: (status, lines of stdout and stderr)}."""
    guard = tmp_path_factory.mktemp('guard')
    (guard / 'sitecustomize.py').write_text(GUARD)
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(guard), str(ROOT)])}
    runs = {name: subprocess.Popen([sys.executable, '-W', 'error', '-m', f'snippets.{name}'], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for name in listed}
    results = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=60)
        results[name] = (process.returncode, output.splitlines())
    return results


def imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield '.' * node.level + (node.module or '')


@pytest.mark.real_sleeps
def test_listed_snippets_use_the_standard_library_and_no_socket(listed, cpython):
    for name in listed:
        outside = [m for m in imports(ROOT / 'snippets' / f'{name}.py')
                   if m.split('.')[0] not in sys.stdlib_module_names]
        assert not outside, f'{name} imports {outside}: not in a browser'
        status, lines = cpython[name]
        assert status == 0, f'{name}: ' + '\n'.join(lines)


# -- in Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def root(host, site):
    host.mounts[PATH] = site
    return host.url + PATH


def no_jspi(route):
    response = route.fetch()
    route.fulfill(response=response, body=NO_JSPI + response.text())


def checked(visit):
    assert not visit.failed, visit.failed
    assert not visit.outside, 'requests outside the site: ' + ', '.join(visit.outside)
    assert not visit.errors, visit.errors


@pytest.mark.browser
@pytest.mark.publishing
def test_every_listed_snippet_prints_what_cpython_prints_with_and_without_jspi(browser, root, host, listed, cpython):
    """Both pages at once: one worker each, every listed snippet in turn, line for line as CPython."""
    visits = {'JSPI': Visit(browser, root), 'no JSPI': Visit(browser, root)}
    visits['no JSPI'].context.route('**/_static/pyrun-worker.js', no_jspi)
    try:
        for visit in visits.values():
            visit.open(root + 'asyncio.html')
            visit.page.evaluate(f'window.pyrunResults = ({RUN_ALL})({json.dumps(listed)})')
        results = {how: visit.page.evaluate('window.pyrunResults') for how, visit in visits.items()}
    finally:
        for visit in visits.values():
            visit.close()
    for how, runs in results.items():
        assert {run['jspi'] for run in runs.values()} == {how == 'JSPI'}, how
        for name in listed:
            status, lines = cpython[name]
            assert (runs[name]['status'], normalised(runs[name]['lines'])) == (status, normalised(lines)), \
                f'{name} ({how})'
        checked(visits[how])
    served = [path for path, _ in host.requests]
    assert f'{PATH}_static/pyodide/pyodide.asm.wasm' in served
    assert all(path.startswith(PATH) for path in served if path.startswith('/pyrun/')), served


RUNNING = "o => o.dataset.state === 'running'"
ENDED = "o => o.dataset.state && o.dataset.state !== 'running'"
FOCUSED = """() => { const el = document.activeElement, s = getComputedStyle(el);
  return {cls: el.className, text: el.textContent.trim(), role: el.getAttribute('role'),
          live: el.getAttribute('aria-live'), ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          visible: el.matches(':focus-visible')}; }"""


@pytest.mark.browser
@pytest.mark.publishing
@pytest.mark.parametrize('scheme', ('light', 'dark'))
def test_run_button_by_keyboard_stops_and_runs_again(browser, root, host, cpython, scheme):
    """Nothing of Pyodide loads before the first click.  Tab reaches the Run button (named Run, with a
    focus ring), Enter runs, the output streams into a polite live region that takes the focus,
    Escape stops; a run again (loop_call_soon: its own loop) prints what CPython prints.  axe-core
    finds nothing before and after."""
    visit = Visit(browser, root, color_scheme=scheme)
    page = visit.page
    try:
        visit.open(root + 'idioms.html')
        before = len(host.requests)
        violations = axe_violations(page)
        assert not [p for p, _ in host.requests[before:] if '/pyodide/' in p]
        timer = page.locator('div.pyrun[data-pyrun="idiom_timer"]').first
        out = timer.locator('.pyrun-output')
        timer.locator('.pyrun-button').focus()
        page.keyboard.press('Shift+Tab')
        page.keyboard.press('Tab')
        focused = page.evaluate(FOCUSED)
        assert (focused['cls'], focused['text'], focused['ring'], focused['visible']) == \
            ('pyrun-button', 'Run', True, True), focused
        page.keyboard.press('Enter')
        out.locator('.pyrun-line').first.wait_for(timeout=RUN_MS)   # 'tick 0.0' streams before the end
        assert out.get_attribute('data-state') == 'running'
        assert timer.locator('.pyrun-button').text_content() == 'Stop'
        page.keyboard.press('Tab')
        focused = page.evaluate(FOCUSED)
        assert (focused['cls'], focused['role'], focused['live'], focused['ring']) == \
            ('pyrun-output', 'log', 'polite', True), focused
        page.keyboard.press('Escape')
        out.element_handle().wait_for_element_state('stable')
        page.wait_for_function(ENDED, arg=out.element_handle())
        assert out.get_attribute('data-state') == 'stopped'
        assert re.fullmatch(r'stopped \(stopped\) · \d+\.\d s', out.locator('.pyrun-status').text_content())
        assert page.get_by_role('log', name='output of snippets.idiom_timer').is_visible()
        violations += axe_violations(page)

        visit.open(root + 'asyncio.html')
        again = page.locator('div.pyrun[data-pyrun="loop_call_soon"]').first
        again.locator('.pyrun-button').click()
        page.wait_for_function(ENDED, arg=again.locator('.pyrun-output').element_handle(), timeout=RUN_MS)
        again.locator('.pyrun-button').click()                      # and again, in the same worker
        page.wait_for_function(RUNNING, arg=again.locator('.pyrun-output').element_handle())
        page.wait_for_function(ENDED, arg=again.locator('.pyrun-output').element_handle(), timeout=RUN_MS)
        lines = again.locator('.pyrun-lines').text_content().splitlines()
        assert (again.locator('.pyrun-output').get_attribute('data-status'), lines) == ('0', cpython['loop_call_soon'][1])
        violations += axe_violations(page)
    finally:
        visit.close()
    assert not violations, '\n'.join(violations)
    checked(visit)


OVERLAY = "(state) => { const o = document.querySelector('.liverun'); return o && !o.hidden && o.dataset.state === state; }"


@pytest.mark.browser
@pytest.mark.publishing
def test_deck_r_runs_in_the_browser_without_make_present_and_says_what_to_do_from_file(browser, root, site, cpython):
    record = json.loads((site / 'slides' / 'deck.json').read_text())
    slide = record['snippets']['tasks.py']['slides'][0]
    visit = Visit(browser, root, viewport={'width': 1280, 'height': 720})
    try:
        visit.open(f'{root}{DECK_PAGE}#{slide}')
        visit.page.keyboard.press('r')
        visit.page.wait_for_function(OVERLAY, arg='done', timeout=RUN_MS)
        assert visit.page.text_content('.liverun-output').splitlines() == cpython['tasks'][1]
        assert visit.page.get_attribute('.liverun', 'data-status') == '0'

        # The same deck from file://, in a context of its own: Visit's guard lets nothing leave
        # the served root, so it stops file:// too; this one lets only the built site's files in.
        local = browser.new_context(viewport={'width': 1280, 'height': 720})
        try:
            local.route('**/*', lambda route: route.continue_() if route.request.url.startswith(site.as_uri())
                        else route.abort())
            page = local.new_page()
            page.goto(f'{(site / DECK_PAGE).as_uri()}#{slide}')
            page.wait_for_function("document.body.classList.contains('loaded')")
            page.keyboard.press('r')
            page.wait_for_selector('.liverun-toast', state='visible')
            assert page.text_content('.liverun-toast').startswith('Python cannot run from file://')
            assert page.locator('.liverun').count() == 0
        finally:
            local.close()
    finally:
        visit.close()
    checked(visit)
