"""The deck in a real browser (Debian's Chromium, driven by Playwright), as presented and published.

The published folder (``site``: `make site` as .readthedocs.yaml runs it; the HTML pages at the root,
the single-file deck in ``slides/``) is served over HTTP on 127.0.0.1 (``site_server``).  Checked: every slide becomes current in turn with a
visible title; the arrow keys move; ``c`` opens the presenter console with the slide's speaker note;
no JavaScript errors; every slide fits its box at the design size (custom.css; scaling to other
window sizes is checked in test_presenting.py); the site and the slides link to each other;
``make pdf`` prints one page per slide.  Slide counts and texts are read from the build, never assumed.
The builds, the browser and the servers are tests/builds.py's and tests/browser.py's fixtures.
"""
import html
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _support import BROWSER_TIMEOUT_MS, ROOT, design_size, shown_snippets

pytestmark = pytest.mark.browser

VIEWPORT = dict(zip(('width', 'height'), design_size(), strict=True))   # scale 1
SLIDE_FIT = Path(__file__).with_name('slide_fit.js').read_text()   # measures one slide


class Watched:
    """A browser context at the design size whose pages record their JavaScript errors."""

    def __init__(self, browser):
        self.errors = []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(BROWSER_TIMEOUT_MS)
        self.context.on('page', self.watch)

    def watch(self, page):
        page.on('pageerror', lambda error: self.errors.append(f'{page.url}: {error}'))
        page.on('console', lambda message: message.type == 'error' and self.errors.append(
            f'{page.url}: console: {message.text} {message.location.get("url", "")}'))

    def open(self, url):
        page = self.context.new_page()
        page.goto(url)
        return page

    def open_deck(self, url):
        page = self.open(url)
        page.wait_for_function("document.body.classList.contains('loaded')")
        page.add_style_tag(content='* { transition: none !important; }')   # measure at rest
        page.evaluate('document.fonts.ready.then(() => true)')
        return page


@pytest.fixture
def watched(browser):
    watched = Watched(browser)
    yield watched
    watched.context.close()


def current(page):
    """``('#' + number of the slide the URL names (#slide-id), ids of the slides marked current)``."""
    number = page.evaluate("""() => { const id = location.hash.slice(1);
        return '#' + ([...document.querySelectorAll('section.slides > article')].findIndex(a => a.id === id) + 1); }""")
    ids = page.evaluate("[...document.querySelectorAll('section.slides > article.current')].map(a => a.id)")
    return number, ids


# Where the current slide's content ends, against its box, the footer line and the window.
MEASURE = f"""async () => {{
  await document.fonts.ready;
  return ({SLIDE_FIT})(document.querySelector('section.slides > article.current'));
}}"""


def overflow(m):
    """What is wrong with a measured slide ('' if it fits)."""
    problems = [f'content runs {math.ceil(m["below"])}px into the footer line or past the box'
                ] if m['below'] > 0 else []
    problems += [f'content {math.ceil(m["beside"])}px wider than the box'] if m['beside'] > 0 else []
    problems += m['clipped']
    problems += [] if m['inWindow'] else [f'the slide box is not inside the {VIEWPORT["width"]}x{VIEWPORT["height"]} window']
    return '; '.join(problems)


def test_every_slide_renders_and_fits_its_box(watched, site_server, slide_ids, site, record_property):
    """Walk the deck with Shift+→ (a slide at a time, past any code steps): each slide becomes current in
    turn, shows its title, and its content stays inside its box (above the footer line) and the window."""
    page = watched.open_deck(site_server + 'slides/index.html')
    measured = []
    for number, slide_id in enumerate(slide_ids, 1):
        if number > 1:
            page.keyboard.press('Shift+ArrowRight')
        assert current(page) == (f'#{number}', [slide_id])
        m = page.evaluate(MEASURE)
        assert m['title'] and m['titleShown'], f'slide {number} ({slide_id}): no visible title'
        assert m['notesHidden'], f'slide {number} ({slide_id}): speaker notes shown on the slide'
        m['number'], m['problem'], m['needs'] = number, overflow(m), math.ceil(m['needs'])
        measured.append(m)
        if m['problem']:
            page.screenshot(path=site.parent / f'overflow-{number:02}-{slide_id}.png')
    page.keyboard.press('ArrowRight')                      # past the end: stays on the last
    assert current(page) == (f'#{len(slide_ids)}', [slide_ids[-1]])

    tallest = max(measured, key=lambda m: m['needs'])
    watched.open_deck(f'{site_server}slides/index.html#{tallest["number"]}').screenshot(
        path=site.parent / 'tallest-slide.png')
    report = site.parent / 'fit-report.txt'
    report.write_text(''.join(
        f'{m["number"]:3} {m["needs"]:4}px {m["needs"] / VIEWPORT["height"]:4.0%}  {m["title"]}'
        f'{"  OVERFLOW: " + m["problem"] if m["problem"] else ""}\n' for m in measured))
    record_property('deck_report', f'{len(measured)} slides; tallest: slide {tallest["number"]} '
                    f'"{tallest["title"]}" needs {tallest["needs"]}px = '
                    f'{tallest["needs"] / VIEWPORT["height"]:.0%} of the {VIEWPORT["height"]}px slide; '
                    f'per slide: {report}')
    bad = [f'slide {m["number"]} "{m["title"]}" ({m["id"]}): {m["problem"]}'
           for m in measured if m['problem']]
    assert not bad, f'slides that do not fit their box (screenshots next to {report}):\n' + '\n'.join(bad)
    assert not watched.errors


def test_the_fit_measure_sees_content_too_tall_or_too_wide(watched, site_server):
    """The measure behind both fit tests fails a slide whose content passes its footer or its side."""
    page = watched.open_deck(site_server + 'slides/index.html#2')
    assert overflow(page.evaluate(MEASURE)) == ''
    page.evaluate("""document.querySelector('section.slides > article.current')
        .insertAdjacentHTML('beforeend', '<p style="height: 900px">tall</p>')""")
    assert 'into the footer line' in overflow(page.evaluate(MEASURE))
    page.evaluate("""document.querySelector('section.slides > article.current p[style]')
        .setAttribute('style', 'width: 2000px; white-space: nowrap')""")
    assert 'wider than the box' in overflow(page.evaluate(MEASURE))


def test_arrow_keys_move_between_slides(watched, site_server, slide_ids):
    page = watched.open_deck(site_server + 'slides/index.html#2')
    assert current(page) == ('#2', [slide_ids[1]])
    page.keyboard.press('ArrowLeft')
    assert current(page) == ('#1', [slide_ids[0]])
    page.keyboard.press('ArrowLeft')                       # before the start: stays on the first
    assert current(page) == ('#1', [slide_ids[0]])
    page.keyboard.press('ArrowRight')
    page.keyboard.press('ArrowRight')
    assert current(page) == ('#3', [slide_ids[2]])
    assert not watched.errors


NOTE = """() => [...document.querySelectorAll('%s')].map(n => n.textContent).join(' ')"""


def note_text(page, selector):
    text = page.evaluate(NOTE % selector)
    return ' '.join(text.replace('Note', '', 1).split())


def test_presenter_console_shows_the_speaker_notes(watched, site_server, slide_ids, record_property):
    """`c` opens hieroglyph's console in a new window: it shows the current slide's note, follows
    the deck, and drives it."""
    page = watched.open_deck(site_server + 'slides/index.html#2')   # 2 to 4: no code steps on the way
    assert page.evaluate('typeof jQuery') == 'function'
    with page.expect_popup() as popup:
        page.keyboard.press('c')
    console = popup.value
    console.wait_for_load_state()
    assert console.evaluate('typeof jQuery') == 'function'
    expected = note_text(page, 'article.current div.admonition.note')
    assert expected
    console.wait_for_function("document.querySelector('#cur_slide_num').textContent === '2'")
    assert console.text_content('#num_slides') == str(len(slide_ids))
    assert note_text(console, '#presenter_notes') == expected

    page.keyboard.press('ArrowRight')                      # the deck moves: the console follows
    console.wait_for_function("document.querySelector('#cur_slide_num').textContent === '3'")
    assert note_text(console, '#presenter_notes') == note_text(page, 'article.current div.admonition.note')

    console.keyboard.press('ArrowRight')                   # the console drives the deck
    page.wait_for_function(f"location.hash === '#{slide_ids[3]}'")
    assert current(page) == ('#4', [slide_ids[3]])
    record_property('deck_report', f'JavaScript errors on the slides and the console: {len(watched.errors)}')
    assert not watched.errors


TITLE = """h => { const t = h.cloneNode(true);
    t.querySelectorAll('a.headerlink, a.slidelink').forEach(a => a.remove());
    return t.textContent.trim(); }"""


def page_links(page):
    return page.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => ({
        href: a.href, text: a.textContent.trim(), cls: a.className,
        section: (a.closest('section') && a.closest('section').id) || ''}))""")


def resolve(site, server, url):
    """``(file in the site, fragment)`` for a URL on the test server."""
    assert url.startswith(server), url
    path, _, fragment = url[len(server):].partition('#')
    return site / (path or 'index.html'), fragment


def test_site_and_slides_link_both_ways(watched, site_server, site, slide_ids, record_property):
    """Every HTML section links to its own slide and every slide back to its section;
    the sidebar's "View as slides" lands on the page's first slide; snippets are browsable."""
    slides = watched.open_deck(site_server + 'slides/index.html')
    titles = dict(zip(slide_ids, slides.locator('section.slides > article > h1').evaluate_all(
        f'hs => hs.map({TITLE})'), strict=True))
    assert len(set(slide_ids)) == len(slide_ids), 'two slides share an id: links would land on the first'

    # slides -> site: every slide's mark links to the same section of its HTML page
    back = slides.evaluate("""() => [...document.querySelectorAll('section.slides > article')]
        .map(a => { const l = a.querySelector('h1 > a.headerlink'); return [a.id, l && l.href]; })""")
    assert all(href for _, href in back), 'slides without a link to the site'
    pages = {}
    for slide_id, href in back:
        path, fragment = resolve(site, site_server, href)
        assert path.is_file() and fragment == slide_id, href
        pages.setdefault(path, []).append(slide_id)

    # site -> slides: every section title, and the sidebar, link to that section's slide
    snippet_links = set()
    for path, ids in pages.items():
        page = watched.open(site_server + str(path.relative_to(site)))
        links = page_links(page)
        to_slides = {link['section']: link['href'] for link in links if 'slidelink' in link['cls']}
        assert to_slides == {i: f'{site_server}slides/index.html#{i}' for i in ids}, path.name
        sidebar = [link['href'] for link in links if link['text'] == 'View as slides']
        assert sidebar == [f'{site_server}slides/index.html#{ids[0]}'], path.name
        snippet_links |= {link['href'] for link in links if 'snippets/' in link['href']}
        page.close()

    # in the browser: a page's "View as slides" lands on its first slide, whose mark leads back
    path, ids = list(pages.items())[len(pages) // 2]
    page = watched.open(site_server + str(path.relative_to(site)))
    page.click('text=View as slides')
    page.wait_for_url(f'{site_server}slides/index.html#*')
    page.wait_for_function("document.body.classList.contains('loaded')")
    assert current(page) == (f'#{slide_ids.index(ids[0]) + 1}', [ids[0]])
    page.click('section.slides > article.current > h1 > a.headerlink')
    page.wait_for_url(f'{site_server}{path.relative_to(site)}#{ids[0]}')
    assert page.locator(f'[id="{ids[0]}"] h1').first.evaluate(TITLE) == titles[ids[0]]
    page.click(f'[id="{ids[-1]}"] h1 a.slidelink')         # and a section title to its slide
    page.wait_for_url(f'{site_server}slides/index.html#*')
    page.wait_for_function("document.body.classList.contains('loaded')")
    assert current(page) == (f'#{slide_ids.index(ids[-1]) + 1}', [ids[-1]])

    # the snippets: an index linked from every page, a highlighted page and the plain file each
    assert f'{site_server}snippets/index.html' in snippet_links
    index = watched.open(site_server + 'snippets/index.html')
    listed = [link['href'] for link in page_links(index) if link['href'].endswith('.html')
              and '/snippets/' in link['href'] and not link['href'].endswith('/index.html')]
    snippets = ROOT / 'snippets'
    expected = {p.name for p in snippets.iterdir()
                if p.suffix in ('.py', '.pycon') and p.name != '__init__.py'}
    assert {Path(href).name.removesuffix('.html') for href in listed} == expected
    # the list under the title holds the lessons (the files a slide includes); the helpers come after
    lessons = shown_snippets(site)
    index_html = (site / 'snippets' / 'index.html').read_text()
    first, helpers = index_html.split('<h1>The snippets', 1)[1].split('<h2>Helpers', 1)
    assert set(re.findall(r'href="([^"/]+)\.html"', first)) == lessons
    assert set(re.findall(r'href="([^"/]+)\.html"', helpers.split('</ul>', 1)[0])) == expected - lessons
    for href in listed + sorted(snippet_links):
        path, _ = resolve(site, site_server, href)
        assert path.is_file(), href
    for name in expected:                                  # the page shows the plain file
        page_html = (site / 'snippets' / f'{name}.html').read_text()
        code = re.search(r'<div class="highlight"><pre[^>]*>(.*?)</pre>', page_html, re.S).group(1)
        assert html.unescape(re.sub(r'<[^>]+>', '', code)).strip() == \
            (site / 'snippets' / name).read_text().strip(), name
    one = watched.open(listed[0])
    assert one.locator('div.highlight pre').count() == 1
    assert not watched.errors

    files = [p for p in site.rglob('*') if p.is_file()]
    record_property('deck_report', f'published folder: {len(files)} files, '
                    f'{sum(p.stat().st_size for p in files) / 1e6:.1f} MB ({site})')


def pdf_pages(pdf):
    """``(page count, [(width, height) in pt])`` of a PDF, without a PDF library."""
    data = pdf.read_bytes()
    assert data.startswith(b'%PDF-')
    pages = re.findall(rb'/Type\s*/Page\b(?!s)', data)
    boxes = re.findall(rb'/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]', data)
    return len(pages), [(float(w), float(h)) for w, h in boxes]


PUBLISH = [sys.executable, '-W', 'error', '-m', 'slides.tools.publish']   # as `make pdf` and `make site` run it


def test_pdf_has_one_page_per_slide(chromium, site, slide_ids, tmp_path):
    """`make pdf`'s command on the built deck: one page per slide, each the slide's size."""
    pdf = tmp_path / 'slides.pdf'
    result = subprocess.run([*PUBLISH, 'pdf', str(site / 'slides' / 'index.html'), str(pdf)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, boxes = pdf_pages(pdf)
    assert count == len(slide_ids)
    assert boxes and {(round(w), round(h)) for w, h in boxes} == {tuple(round(px * 0.75) for px in design_size())}   # pt


def test_without_chromium_on_path_playwrights_own_is_used(chromium, slides_build, slide_ids, tmp_path):
    """Where no chromium is on PATH and $CHROMIUM is unset, `make pdf` and `make site` use the Chromium
    that `playwright install chromium` puts in place: here Debian's, put where Playwright looks."""
    env = {name: value for name, value in os.environ.items() if name != 'CHROMIUM'}
    env.update(PATH=os.path.dirname(sys.executable), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / 'browsers'))
    assert shutil.which('chromium', path=env['PATH']) is None

    def run(*args):
        result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()
    find = 'from slides.tools.publish import find_chromium; print(find_chromium())'
    assert run(sys.executable, '-W', 'error', '-c', find) == 'None'           # nothing installed yet
    playwrights = Path(run(sys.executable, '-c', 'from playwright.sync_api import sync_playwright\n'
                           'with sync_playwright() as p: print(p.chromium.executable_path)'))
    playwrights.parent.mkdir(parents=True)
    playwrights.symlink_to(chromium)                                          # `playwright install`
    assert run(sys.executable, '-W', 'error', '-c', find) == str(playwrights)
    pdf = tmp_path / 'slides.pdf'
    run(*PUBLISH, 'pdf', str(slides_build / 'index.html'), str(pdf))
    assert pdf_pages(pdf)[0] == len(slide_ids)
