"""The published site and deck for readers with screen readers and keyboards, under a sub-path.

axe-core (axe-playwright-python, WCAG 2.0/2.1 A and AA) finds nothing on every page of the site
(``make site``, the shared build; its 404 page: test_site, in the build with a base URL) and on the
deck's title, a code slide, a stepped slide at its second step, the measured chart, the help
overlay and the presenter console, each in light and dark.  No rule is disabled.  Beyond the
rules: the help overlay and the console's controls are reached and named by keyboard and pressed
with Enter, a focus ring shows in both schemes, code blocks that scroll take the focus, and
``prefers-reduced-motion`` turns the transitions off.  While all that loads, no request
answers 404 or leaves the sub-path.  (The live-run overlay: test_present, with its server.)
"""
import pytest

from browser import DECK_PAGE, Visit, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PATH = '/a11y/talk/'
SCHEMES = ('light', 'dark')
DESKTOP = {'viewport': {'width': 1280, 'height': 900}}

# The slides to check, found in the deck as built (so they follow the content).
DECK_STATES = """() => {
  const slides = [...document.querySelectorAll('#slide_container > article.slide')];
  const code = slides.find(a => a.querySelector('div.highlight') && !a.hasAttribute('data-deck-steps'));
  const stepped = slides.find(a => a.hasAttribute('data-deck-steps'));
  const chart = slides.find(a => a.querySelector('img[src$=".svg"]'));
  return {title: slides[0].id, code: code.id, stepped: stepped.id + '/2', chart: chart.id};
}"""
CURRENT = "id => document.querySelector('#slide_container > article.current').id === id.split('/')[0]"
CONSOLE_READY = "() => !!(document.querySelector('#cur_slide_num') || {}).textContent"
# What has the focus: its tag, role, name (text or label), and its focus ring.
FOCUSED = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, role: el.getAttribute('role') || '',
          name: (el.getAttribute('aria-label') || el.textContent || '').trim(),
          ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          ringColor: s.outlineColor, visible: el.matches(':focus-visible')};
}"""


@pytest.fixture(scope='module')
def root(host, site):
    host.mounts[PATH] = site
    return host.url + PATH


def no_request_failed(visit):
    """Nothing answered 404 (axe-core's own fetches included), nothing left the sub-path (Visit
    stops and lists any request outside it), no script error."""
    assert not visit.failed, 'failed requests:\n' + '\n'.join(visit.failed)
    assert not visit.outside, 'requests outside the sub-path:\n' + '\n'.join(visit.outside)
    assert not visit.errors, '\n'.join(visit.errors)


@pytest.mark.publishing        # every page of the published site: a minute of axe, left to make test
def test_every_site_page_passes_axe_in_light_and_dark(browser, root, site, record_property):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html')
                   if not p.name.startswith('.') and p.relative_to(site).parts[0] != 'slides'
                   and p.name != '404.html')
    visit = Visit(browser, root, **DESKTOP)
    violations = []
    try:
        for name in pages:
            assert visit.open(root + name).status == 200, name
            for scheme in SCHEMES:
                visit.page.emulate_media(color_scheme=scheme)
                violations += [f'[{scheme}] {v}' for v in axe_violations(visit.page)]
    finally:
        visit.close()
    assert len(pages) >= 60
    assert not violations, '\n'.join(violations)
    no_request_failed(visit)
    record_property('a11y_report', f'axe-core, WCAG 2.1 A/AA: {len(pages)} site pages x light, dark: 0 violations')


@pytest.mark.parametrize('scheme', SCHEMES)
def test_deck_and_console_pass_axe(browser, root, scheme, record_property):
    visit = Visit(browser, root, color_scheme=scheme, **DESKTOP)
    violations, checked = [], []
    try:
        visit.open(root + DECK_PAGE)
        page = visit.page
        for state, slide in page.evaluate(DECK_STATES).items():
            page.goto(f'{root}{DECK_PAGE}#{slide}')
            page.wait_for_function(CURRENT, arg=slide)
            violations += axe_violations(page)
            checked.append(f'{state} (#{slide})')
        page.keyboard.press('?')
        page.wait_for_selector('#deck-help', state='visible')
        violations += axe_violations(page)
        checked.append('help overlay')
        page.keyboard.press('Escape')
        with page.expect_popup() as popup:
            page.keyboard.press('c')
        console = popup.value
        console.wait_for_load_state()
        console.wait_for_function(CONSOLE_READY)
        violations += axe_violations(console)
        checked.append('presenter console')
    finally:
        visit.close()
    assert not violations, '\n'.join(violations)
    no_request_failed(visit)
    record_property('a11y_report', f'axe-core, WCAG 2.1 A/AA, deck in {scheme}: {", ".join(checked)}: 0 violations')


@pytest.mark.parametrize('scheme', SCHEMES)
def test_help_and_console_controls_by_keyboard(browser, root, scheme):
    """``?`` opens the help as a dialog named Keys that has the focus; any key closes it.  In the
    console, Tab reaches every control, each named, each with a focus ring; Enter on the timer's
    button presses it (and does not move the deck)."""
    visit = Visit(browser, root, color_scheme=scheme, **DESKTOP)
    try:
        visit.open(root + DECK_PAGE)
        page = visit.page
        page.keyboard.press('?')
        assert page.evaluate(FOCUSED)['id'] == 'deck-help'
        assert page.get_by_role('dialog', name='Keys').is_visible()
        page.keyboard.press('x')
        page.wait_for_selector('#deck-help', state='hidden')

        with page.expect_popup() as popup:
            page.keyboard.press('c')
        console = popup.value
        console.wait_for_load_state()
        console.wait_for_function(CONSOLE_READY)
        reached = {}
        for _ in range(20):                            # Tab around the console, bounded
            console.keyboard.press('Tab')
            focused = console.evaluate(FOCUSED)
            if focused['tag'] in ('button', 'a'):
                reached[focused['id'] or focused['name']] = focused
        assert {'deck-pause', 'deck-reset', 'prev', 'next'} <= set(reached), reached
        for control in reached.values():
            assert control['name'], control
            assert control['visible'] and control['ring'], control

        console.focus('#deck-pause')
        console.keyboard.press('Shift+Tab')
        console.keyboard.press('Tab')                  # the timer's button, by keyboard
        assert console.evaluate(FOCUSED)['id'] == 'deck-pause'
        assert console.text_content('#deck-pause') == 'start'
        console.keyboard.press('Enter')
        console.wait_for_function("document.querySelector('#deck-pause').textContent === 'pause'")
        assert console.text_content('#cur_slide_num') == '1'   # pressed the button, not "next"
    finally:
        visit.close()
    no_request_failed(visit)


@pytest.mark.parametrize('scheme', SCHEMES)
def test_code_blocks_that_scroll_take_the_focus(browser, root, scheme):
    """On a phone, a long code block scrolls sideways: from "Skip to content", Tab reaches it
    (with a ring), and the arrow keys scroll it.  (Chromium itself lets Tab reach a scroller;
    axe-core's scrollable-region-focusable, above, asks for the tabindex other browsers need.)"""
    visit = Visit(browser, root, color_scheme=scheme, viewport={'width': 390, 'height': 844})
    try:
        visit.open(root + 'snippets/http_blocking.py.html')
        page = visit.page
        page.keyboard.press('Tab')                     # Furo's "Skip to content", then into it
        assert page.evaluate(FOCUSED)['name'] == 'Skip to content'
        page.keyboard.press('Enter')
        for _ in range(20):
            page.keyboard.press('Tab')
            focused = page.evaluate(FOCUSED)
            if focused['tag'] == 'pre':
                break
        assert focused['tag'] == 'pre' and focused['ring'], focused
        assert page.evaluate('document.activeElement.scrollWidth > document.activeElement.clientWidth')
        page.keyboard.press('ArrowRight')
        page.wait_for_function('document.activeElement.scrollLeft > 0')
    finally:
        visit.close()
    no_request_failed(visit)


TRANSITIONS = """selector => [...document.querySelectorAll(selector)]
    .flatMap(el => getComputedStyle(el).transitionDuration.split(',').map(parseFloat))"""


@pytest.mark.parametrize('motion, moves', [('reduce', False), ('no-preference', True)])
def test_nothing_moves_when_the_reader_asks_for_less_motion(browser, root, motion, moves):
    """With ``prefers-reduced-motion: reduce`` the next slide is in place at once, and the site's
    copy buttons appear at once: no transition (without it, both have one)."""
    visit = Visit(browser, root, reduced_motion=motion, **DESKTOP)
    try:
        visit.open(root + DECK_PAGE)
        slides = visit.page.evaluate(TRANSITIONS, '#slide_container > article')
        visit.open(root + 'blocking.html')
        buttons = visit.page.evaluate(TRANSITIONS, 'button.copybtn')
    finally:
        visit.close()
    assert slides and buttons
    assert any(d > 0 for d in slides) is moves, (motion, set(slides))
    assert any(d > 0 for d in buttons) is moves, (motion, set(buttons))
    no_request_failed(visit)
