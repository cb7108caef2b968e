"""Presenting the deck on today's screens, in a real browser (Debian's Chromium through Playwright).

The deck is built as ``make slides`` builds it and served on 127.0.0.1.  Checked: at every window size a
conference room has (4:3, 16:9, 4K) each slide is the design-size layout scaled to fill the window's width
or height with nothing overflowing, also after a resize and in full screen; code steps highlight lines one
key at a time without leaving the slide, and step back; the presenter console's clock, timer (pause, reset)
and pace hint run on Playwright's clock, its previews are scaled copies and it shows the step and the
notes in large type; every key of the help overlay does what it says; deep links survive a reload; no
JavaScript errors; no request leaves 127.0.0.1.

The build, the browser and the static server are tests/builds.py's and tests/browser.py's fixtures.
"""
import datetime
import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _support import BROWSER_TIMEOUT_MS, deck_keys, design_size

pytestmark = pytest.mark.browser

SLIDE_FIT = Path(__file__).with_name('slide_fit.js').read_text()   # measures one slide
DESIGN = design_size()                     # custom.css: --deck-width, --deck-height
SIZES = [(1024, 768), (1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
TALK_MINUTES = 40                          # conf.py: deck_talk_minutes
START = datetime.datetime(2026, 11, 25, 14, 0, tzinfo=datetime.timezone.utc)
KEYS = deck_keys()                         # the help overlay's first column: every key the deck knows


@pytest.fixture(scope='module')
def stepped(slides_build):
    """``{slide id: [lines of each step, ...]}`` for the slides with code steps, from the build."""
    deck = (slides_build / 'index.html').read_text()
    slides = {}
    for article in re.split(r'(?=<article\b)', deck)[1:]:
        found = re.findall(r'<div class="deck-steps" data-deck-steps="([^"]+)"', article)
        if found:
            slide_id = re.search(r'\bid="([^"]+)"', article).group(1)
            slides[slide_id] = [step for block in found for step in json.loads(html.unescape(block))]
    return slides


class Presenter:
    """A browser context on the deck: records page errors and every request that leaves 127.0.0.1."""

    def __init__(self, browser, server, size=DESIGN, clock=False, touch=False):
        self.server = server
        self.errors, self.outside = [], []
        self.context = browser.new_context(viewport={'width': size[0], 'height': size[1]}, timezone_id='UTC',
                                           has_touch=touch)
        self.context.set_default_timeout(BROWSER_TIMEOUT_MS)
        self.context.on('page', self.watch)
        self.context.on('request', self.check_request)
        if clock:                            # Playwright's clock: runs from START until paused
            self.context.clock.install(time=START)

    def watch(self, page):
        page.on('pageerror', lambda error: self.errors.append(f'{page.url}: {error}'))
        page.on('console', lambda message: message.type == 'error' and self.errors.append(
            f'{page.url}: console: {message.text}'))

    def check_request(self, request):
        url = urlsplit(request.url)
        if url.scheme not in ('data', 'blob', 'about') and url.hostname != '127.0.0.1':
            self.outside.append(request.url)

    def open(self, fragment='', wait=True):
        page = self.context.new_page()
        page.goto(f'{self.server}index.html{fragment}')
        if wait:
            self.ready(page)
        return page

    def ready(self, page):
        page.wait_for_function("document.documentElement.classList.contains('deck-presenting')")
        page.add_style_tag(content='* { transition: none !important; }')   # measure at rest
        page.evaluate('document.fonts.ready.then(() => true)')

    def assert_clean(self):
        assert not self.errors, self.errors
        assert not self.outside, f'requests that left 127.0.0.1: {self.outside}'


@pytest.fixture
def presenter(browser, slides_server):
    made = []

    def make(size=DESIGN, clock=False, touch=False):
        made.append(Presenter(browser, slides_server, size, clock, touch))
        return made[-1]
    yield make
    for p in made:
        p.context.close()


def where(page):
    """``(slide id, step)`` from the URL, checked against the slide marked current."""
    state = page.evaluate("""() => {
        const a = document.querySelectorAll('section.slides > article.current');
        return {hash: location.hash, current: [...a].map(x => x.id),
                step: a.length ? Number(a[0].getAttribute('data-deck-step') || 0) : -1}; }""")
    slide_id, _, step = state['hash'][1:].partition('/')
    assert state['current'] == [slide_id], state
    assert int(step or 0) == state['step'], state
    return slide_id, state['step']


def lit(page, selector='section.slides > article.current'):
    """The highlighted lines of a slide: ``[(block number, line number), ...]``, 1-based."""
    return page.evaluate("""sel => {
        const out = [];
        document.querySelector(sel).querySelectorAll('.deck-steps').forEach((b, i) =>
            b.querySelectorAll('.deck-line').forEach((l, j) => {
                if (l.classList.contains('deck-step-on')) out.push([i + 1, j + 1]); }));
        return out; }""", selector)


# Every slide in turn, at the window's size: its box against the window, its content against its box.
FIT_ALL = f"""() => {{
  const measure = {SLIDE_FIT};
  const start = SlideDeck.curSlide();
  const slides = [...document.querySelectorAll('section.slides > article')].map((article, i) => {{
    SlideDeck.setLocation(i);
    return {{...measure(article), number: i + 1}};
  }});
  SlideDeck.setLocation(start);
  const doc = document.scrollingElement;
  return {{slides, window: [innerWidth, innerHeight], scrolls: [doc.scrollWidth, doc.scrollHeight],
          scale: parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--deck-scale'))}};
}}"""


def resize(page, width, height):
    """Resize the window; the deck rescales on the resize event, at the next frame."""
    page.set_viewport_size({'width': width, 'height': height})
    page.wait_for_function(f"""innerWidth === {width} && innerHeight === {height} && Math.abs(
        getComputedStyle(document.documentElement).getPropertyValue('--deck-scale')
        - Math.min({width} / {DESIGN[0]}, {height} / {DESIGN[1]})) < 1e-9""")


def fit_problems(result):
    width, height = result['window']
    expected = min(width / DESIGN[0], height / DESIGN[1])
    problems = []
    if abs(result['scale'] - expected) > 1e-6:
        problems.append(f'scale {result["scale"]} instead of {expected}')
    if result['scrolls'][0] > width or result['scrolls'][1] > height:
        problems.append(f'the page scrolls: {result["scrolls"]}')
    for m in result['slides']:
        bad = [f'covers {m["cover"]:.0%}'] if m['cover'] < 0.9 else []
        bad += [] if m['inWindow'] else ['box outside the window']
        bad += [f'{m["below"]:.0f}px into the footer'] if m['below'] > 0.5 else []
        bad += [f'{m["beside"]:.0f}px too wide'] if m['beside'] > 0.5 else []
        bad += [f'scaled {m["scale"]:.4f}'] if abs(m['scale'] - expected) > 1e-3 else []
        bad += m['clipped']
        if bad:
            problems.append(f'{width}x{height} slide {m["number"]} "{m["title"]}": ' + ', '.join(bad))
    return problems


def test_every_slide_fills_the_window_at_every_size(presenter, slide_ids, tmp_path, record_property):
    """At 4:3, 16:9 and 4K, after resizes and in full screen, each slide is the design-size layout scaled
    to the whole width or height of the window (bars on the other side), and nothing overflows."""
    p = presenter(SIZES[0])
    page = p.open()
    problems, report = [], []
    for width, height in SIZES:                            # each one a resize of the same window
        resize(page, width, height)
        result = page.evaluate(FIT_ALL)
        assert [m['id'] for m in result['slides']] == slide_ids
        problems += fit_problems(result)
        worst = min(result['slides'], key=lambda m: m['cover'])
        tallest = max(result['slides'], key=lambda m: m['needs'])
        report.append(f'{width}x{height}: scale {result["scale"]:.3f}, worst slide {worst["number"]} covers '
                      f'{worst["wide"]:.1%} of the width x {worst["high"]:.1%} of the height; tallest content: '
                      f'slide {tallest["number"]} "{tallest["title"]}" {tallest["needs"]:.0f}/{DESIGN[1]}px')
        if (width, height) == (1920, 1080):
            page.screenshot(path=tmp_path / f'slide-{width}x{height}.png')

    page.keyboard.press('f')                               # full screen, then a resize inside it
    page.wait_for_function('document.fullscreenElement !== null')
    resize(page, 1600, 1200)
    problems += fit_problems(page.evaluate(FIT_ALL))
    page.keyboard.press('f')
    page.wait_for_function('document.fullscreenElement === null')
    record_property('deck_report', 'fit: ' + '; '.join(report))
    assert not problems, '\n'.join(problems)
    p.assert_clean()


def test_code_steps_highlight_lines_before_the_next_slide(presenter, stepped, slide_ids, record_property):
    """→ / PageDown highlight the next step's lines on the same slide; past the last step the next slide
    comes; ← / PageUp step back (onto a slide: at its last step); a step's URL survives a reload."""
    record_property('deck_report', f'{len(stepped)} slides step through code: ' + ', '.join(
        f'{slide_id} ({len(steps)} steps)' for slide_id, steps in stepped.items()))
    assert len(stepped) >= 6
    p = presenter()
    first = next(iter(stepped))
    steps = stepped[first]
    page = p.open(f'#{first}')
    assert where(page) == (first, 0) and lit(page) == []
    for number, lines in enumerate(steps, 1):
        page.keyboard.press('ArrowRight' if number % 2 else 'PageDown')
        assert where(page) == (first, number)
        assert [line for _, line in lit(page)] == lines
    following = slide_ids[slide_ids.index(first) + 1]
    page.keyboard.press('ArrowRight')
    assert where(page) == (following, 0)
    page.keyboard.press('ArrowLeft')                       # back: the last step again
    assert where(page) == (first, len(steps))
    assert [line for _, line in lit(page)] == steps[-1]
    page.keyboard.press('PageUp')
    assert where(page) == (first, len(steps) - 1)
    page.reload()                                          # the step is in the URL
    p.ready(page)
    assert where(page) == (first, len(steps) - 1)
    assert [line for _, line in lit(page)] == steps[-2]
    page.keyboard.press('Shift+ArrowRight')                # a slide at a time, past the steps
    assert where(page) == (following, 0)

    # a slide with two stepped blocks: the steps go through one block, then the other
    two = [s for s in stepped if page.evaluate(
        f"document.getElementById('{s}').querySelectorAll('.deck-steps').length") > 1]
    assert two, 'no slide steps through two blocks'
    page.evaluate(f"location.hash = '#{two[0]}'")
    page.wait_for_function(f"document.getElementById('{two[0]}').classList.contains('current')")
    blocks = []
    for number in range(1, len(stepped[two[0]]) + 1):
        page.keyboard.press('Space')
        assert where(page) == (two[0], number)
        blocks.append({block for block, _ in lit(page)})
    assert blocks[0] == {1} and blocks[-1] == {2}

    # the printed deck (make pdf) shows the code whole, even at a step
    page.emulate_media(media='print')
    assert page.evaluate("""() => [...document.querySelectorAll('.deck-line')].every(l =>
        getComputedStyle(l).opacity === '1' && getComputedStyle(l).backgroundColor === 'rgba(0, 0, 0, 0)')""")
    p.assert_clean()


def timer_is(console, state):
    """Wait until the timer's state has gone from window to window (messages, not timers)."""
    classes = {'running': ('', 'deck-timer-paused deck-timer-waiting'), 'paused': ('deck-timer-paused', ''),
               'waiting': ('deck-timer-waiting', '')}[state]
    console.wait_for_function("""([on, off]) => { const c = document.documentElement.classList;
        return on.split(' ').every(x => !x || c.contains(x)) && off.split(' ').every(x => !x || !c.contains(x)); }""",
                              arg=classes)


def console_text(console, selector):
    return ' '.join(console.text_content(selector).split())


# One finger from (x0, y0) to (x1, y1) on the current slide, as a touch screen reports it.
SWIPE = """([x0, y0, x1, y1]) => {
  const target = document.querySelector('section.slides > article.current');
  const at = (x, y) => new Touch({identifier: 1, target, pageX: x, pageY: y, clientX: x, clientY: y});
  const send = (type, touches, changed) => target.dispatchEvent(new TouchEvent(type,
      {touches, changedTouches: [changed], bubbles: true, cancelable: true}));
  send('touchstart', [at(x0, y0)], at(x0, y0));
  send('touchmove', [at(x1, y1)], at(x1, y1));
  send('touchend', [], at(x1, y1));
}"""


def test_swipes_step_through_code_as_the_keys_do(presenter, stepped, slide_ids):
    """On a touch screen a swipe to the left is "next" (a step first), to the right "previous"; a short
    or mostly vertical one does nothing."""
    p = presenter(touch=True)
    first = next(iter(stepped))
    page = p.open(f'#{first}')
    page.evaluate(SWIPE, [900, 400, 500, 420])            # to the left: the first step
    assert where(page) == (first, 1)
    page.evaluate(SWIPE, [500, 400, 900, 380])            # to the right: back
    assert where(page) == (first, 0)
    page.evaluate(SWIPE, [600, 400, 610, 400])            # 10 px: a tap, not a swipe
    page.evaluate(SWIPE, [600, 200, 700, 500])            # mostly down
    assert where(page) == (first, 0)
    page.evaluate(SWIPE, [500, 400, 900, 400])            # back onto the slide before
    assert where(page)[0] == slide_ids[slide_ids.index(first) - 1]
    p.assert_clean()


def test_console_clock_timer_pace_step_and_notes(presenter, stepped, slide_ids, tmp_path, record_property):
    """The console (c): wall clock, a timer that starts with the first move, pauses (p) and resets (z),
    the pace against conf.py's talk length, the current step, notes in large type, previews that are
    the slides' own layout scaled down."""
    p = presenter((1280, 800), clock=True)
    page = p.open('#2')
    with page.expect_popup() as popup:
        page.keyboard.press('c')
    console = popup.value
    console.wait_for_function("document.documentElement.classList.contains('deck-console')")
    console.wait_for_function("document.querySelector('#cur_slide_num').textContent === '2'")
    clock = p.context.clock
    clock.pause_at(START + datetime.timedelta(minutes=1))                    # from now on, time is ours
    clock.run_for(500)
    assert console_text(console, '#deck-clock') == '14:01'
    assert console_text(console, '#deck-elapsed') == '0:00'                 # waits for the first move
    clock.run_for(30_000)
    assert console_text(console, '#deck-elapsed') == '0:00'

    page.keyboard.press('ArrowRight')                                         # the talk starts
    timer_is(console, 'running')
    clock.run_for(65_000)
    assert console_text(console, '#deck-elapsed') == '1:05'
    assert console_text(console, '#deck-pace') == f'on time · 38:55 left of {TALK_MINUTES} min'
    clock.run_for(10 * 60_000)                                                # 11:05 in, on slide 3
    assert console_text(console, '#deck-elapsed') == '11:05'
    behind = round((2 / (len(slide_ids) - 1) - 665 / (TALK_MINUTES * 60)) * TALK_MINUTES)
    assert console_text(console, '#deck-pace').startswith(f'{-behind} min behind')
    assert console_text(console, '#deck-clock') == '14:12'

    console.keyboard.press('p')                                               # pause
    timer_is(console, 'paused')
    clock.run_for(120_000)
    assert console_text(console, '#deck-elapsed') == '11:05'
    page.keyboard.press('p')                                                  # resume, from the deck
    timer_is(console, 'running')
    clock.run_for(5_000)
    assert console_text(console, '#deck-elapsed') == '11:10'
    console.keyboard.press('z')                                               # reset: 0, waiting
    timer_is(console, 'waiting')
    clock.run_for(5_000)
    assert console_text(console, '#deck-elapsed') == '0:00'

    console.keyboard.press('b')                                               # black the projector
    page.wait_for_function("document.documentElement.classList.contains('deck-black')")
    console.wait_for_function("getComputedStyle(document.querySelector('#deck-black-state')).display !== 'none'")
    console.keyboard.press('b')
    page.wait_for_function("!document.documentElement.classList.contains('deck-black')")

    # a slide number typed in the console, then its steps
    target = next(iter(stepped))
    number = slide_ids.index(target) + 1
    for key in str(number):
        console.keyboard.press(key)
    console.keyboard.press('Enter')
    page.wait_for_function(f"location.hash === '#{target}'")
    console.wait_for_function(f"document.querySelector('#cur_slide_num').textContent === '{number}'")
    ahead = round(((number - 1) / (len(slide_ids) - 1)) * TALK_MINUTES)   # the timer restarted with the jump
    assert console_text(console, '#deck-pace').startswith(f'{ahead} min ahead')
    assert console_text(console, '#deck-step') == f'step 0 / {len(stepped[target])}'   # steps to come
    console.keyboard.press('ArrowRight')
    page.wait_for_function(f"location.hash === '#{target}/1'")
    console.wait_for_function("document.querySelector('#deck-step').textContent === "
                              f"'step 1 / {len(stepped[target])}'")
    assert lit(console, '#slide_container > article.current') == lit(page)
    console.keyboard.press('ArrowLeft')
    page.wait_for_function(f"location.hash === '#{target}'")

    # the previews: the design-size layout, scaled, side by side, above the notes, inside the window
    shapes = console.evaluate("""() => ['current', 'next'].map(c => {
        const a = document.querySelector('#slide_container > article.' + c), r = a.getBoundingClientRect();
        return {w: a.offsetWidth, h: a.offsetHeight, left: r.left, right: r.right, top: r.top,
                bottom: r.bottom, scale: r.width / a.offsetWidth}; })""")
    notes = console.evaluate("""() => { const n = document.querySelector('#slide_notes'),
        r = n.getBoundingClientRect(), p = document.querySelector('#presenter_notes');
        return {top: r.top, font: parseFloat(getComputedStyle(p).fontSize), text: p.textContent.trim()}; }""")
    current, following = shapes
    assert all((s['w'], s['h']) == DESIGN for s in shapes)
    assert 0.3 < following['scale'] <= current['scale'] < 1
    assert current['right'] <= following['left'] and following['right'] <= 1280
    assert max(current['bottom'], following['bottom']) <= notes['top'] <= 800
    assert notes['font'] >= 22 and notes['text']
    console.screenshot(path=tmp_path / 'console-1280x800.png')
    record_property('deck_report', f'console at 1280x800: previews at {current["scale"]:.2f} and '
                    f'{following["scale"]:.2f} of the design size, notes in {notes["font"]:.0f}px type')
    p.assert_clean()


def visible(page, selector):
    return page.evaluate(f"""() => {{ const e = document.querySelector('{selector}');
        if (!e) return false; const r = e.getBoundingClientRect();
        return getComputedStyle(e).display !== 'none' && r.width > 0 && r.height > 0; }}""")


def test_every_key(presenter, slide_ids, stepped):
    """Each key of the help overlay, on slides without steps (steps: above); deep links."""
    unstepped = [i for i, s in enumerate(slide_ids) if s not in stepped]
    a = next(i for i in unstepped if i + 1 in unstepped and i + 2 in unstepped and i > 0)
    p = presenter((1366, 768))
    page = p.open(f'#{slide_ids[a]}')
    assert where(page) == (slide_ids[a], 0)

    def moves(key, to):
        page.keyboard.press(key)
        assert where(page) == (slide_ids[to], 0), key
    for key, to in [('ArrowRight', a + 1), ('ArrowLeft', a), ('ArrowDown', a + 1), ('ArrowUp', a),
                    ('Space', a + 1), ('Shift+Space', a), ('PageDown', a + 1), ('PageUp', a),
                    ('Enter', a + 1), ('Backspace', a), ('Shift+ArrowRight', a + 1), ('Shift+ArrowLeft', a),
                    ('End', len(slide_ids) - 1), ('Home', 0)]:
        moves(key, to)
    moves('ArrowLeft', 0)                                   # nothing before the first slide

    # a number, then Enter; Backspace takes a digit back, Esc forgets the number
    for keys, to in [('12', 11), ('3', 2), ('199', 2)]:
        for key in keys:
            page.keyboard.press(key)
        assert visible(page, '#deck-goto') and keys in page.text_content('#deck-goto')
        page.keyboard.press('Enter')
        assert where(page) == (slide_ids[to], 0) and not visible(page, '#deck-goto')
    for key in ['4', '7', 'Backspace', 'Enter']:
        page.keyboard.press(key)
    assert where(page) == (slide_ids[3], 0)
    for key in ['9', 'Escape', 'ArrowLeft']:
        page.keyboard.press(key)
    assert where(page) == (slide_ids[2], 0)

    # b and . black the screen, again (or Esc) brings it back
    for key, back in [('b', 'b'), ('.', '.'), ('b', 'Escape')]:
        page.keyboard.press(key)
        assert page.evaluate("""() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
            const r = e.getBoundingClientRect();
            return e.id === 'deck-black-screen' && r.width === innerWidth && r.height === innerHeight
                   && getComputedStyle(e).backgroundColor === 'rgb(0, 0, 0)'; }""")
        page.keyboard.press(back)
        assert not visible(page, '#deck-black-screen')

    # f: full screen, and back
    page.keyboard.press('f')
    page.wait_for_function('document.fullscreenElement === document.documentElement')
    page.keyboard.press('f')
    page.wait_for_function('document.fullscreenElement === null')

    # ?: the help lists every key, fits the window, and any key closes it
    page.keyboard.press('?')
    assert visible(page, '#deck-help')
    help_rows = page.evaluate("[...document.querySelectorAll('#deck-help th')].map(t => t.textContent)")
    assert help_rows == KEYS
    assert "run this slide's code (make present)" in page.text_content('#deck-help')
    assert page.evaluate("""() => { const r = document.querySelector('#deck-help').getBoundingClientRect(),
        h = document.querySelector('#deck-help');
        return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight
               && h.scrollHeight <= h.clientHeight && h.scrollWidth <= h.clientWidth; }""")
    page.keyboard.press('ArrowRight')                       # closes the help, and only that
    assert not visible(page, '#deck-help') and where(page) == (slide_ids[2], 0)

    # t: the overview, every slide a scaled copy of its layout; a click goes to that slide
    page.keyboard.press('t')
    assert page.evaluate("document.querySelector('section.slides').classList.contains('table')")
    thumbs = page.evaluate("""() => [...document.querySelectorAll('section.slides > article')].map(a => {
        const r = a.getBoundingClientRect(); return [a.offsetWidth, a.offsetHeight, r.width / r.height]; })""")
    assert all((w, h) == DESIGN and abs(ratio - 16 / 9) < 0.01 for w, h, ratio in thumbs)
    page.locator(f'[id="{slide_ids[6]}"]').click()
    assert not page.evaluate("document.querySelector('section.slides').classList.contains('table')")
    assert where(page) == (slide_ids[6], 0)

    # deep links: #slide-id and the old #number both land on the slide, and survive a reload
    page.goto(f'{p.server}index.html#{slide_ids[9]}')
    page.reload()
    p.ready(page)
    assert where(page) == (slide_ids[9], 0)
    page.evaluate("location.hash = '#8'")
    page.wait_for_function(f"location.hash === '#{slide_ids[7]}'")
    assert where(page) == (slide_ids[7], 0)
    p.assert_clean()
