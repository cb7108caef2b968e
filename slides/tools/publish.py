"""The deck pictured by headless Chromium: the PDF handout (`make pdf`), one slide per page, and the
preview image of link previews (`make site`), the title slide::

    python -m slides.tools.publish pdf _build/slides/index.html _build/slides.pdf
    python -m slides.tools.publish preview _build/site/slides/index.html _build/site/_static/preview.png

The Chromium, driven by Playwright, is the one ``$CHROMIUM`` names (Read the Docs: the npm package's,
`make npm-chromium`; GitHub's runner: its Chrome), else Debian's (``chromium`` on PATH), else
Playwright's own build if `playwright install chromium` put one in place.  Both pictures take their
sizes from the deck: the slides' design size from custom.css (``--deck-width``, ``--deck-height``),
the preview's from the deck's ``og:image:width`` and ``og:image:height`` (slides/_ext/deck_publish.py
writes them).
"""
import io
import os
import shutil
import sys
from pathlib import Path

CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']
TIMEOUT_MS = 30_000                    # any single browser wait


def find_chromium():
    """Path of the Chromium binary ($CHROMIUM, chromium on PATH, or one `playwright install
    chromium` put in place), or None."""
    for candidate in (os.environ.get('CHROMIUM'), 'chromium'):
        path = candidate and shutil.which(candidate)
        if path:
            return path
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:                          # no playwright, or its driver does not start
        return None
    return path if os.path.isfile(path) else None


def chromium_or_exit():
    """find_chromium(), called before sync_playwright() starts (it starts its own), or exit saying why."""
    chromium = find_chromium()
    if not chromium:
        raise SystemExit('chromium not found: install the Debian package chromium (make deps)')
    return chromium


def open_deck(playwright, chromium, index_html, fragment='', scale=1):
    """A page of headless Chromium on the built deck at its design size (custom.css), loaded."""
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    page = browser.new_page(device_scale_factor=scale)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(Path(index_html).resolve().as_uri() + fragment)
    page.wait_for_function("document.body.classList.contains('loaded')")
    page.set_viewport_size(page.evaluate(DESIGN_SIZE))
    page.add_style_tag(content='* { transition: none !important; }')
    page.evaluate('document.fonts.ready.then(() => true)')
    return browser, page


# The slides' design size, as custom.css sets it.
DESIGN_SIZE = """() => { const style = getComputedStyle(document.documentElement);
  return {width: parseFloat(style.getPropertyValue('--deck-width')),
          height: parseFloat(style.getPropertyValue('--deck-height'))}; }"""


# -- The PDF handout ------------------------------------------------------------------------

def print_pdf(index_html, pdf):
    """Print the single-file deck ``index_html`` to ``pdf``; return the number of slides."""
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_exit()
    with sync_playwright() as playwright:
        browser, page = open_deck(playwright, chromium, index_html)
        try:
            page.emulate_media(media='print')          # lay out every slide: load all fonts
            page.evaluate('document.fonts.ready.then(() => true)')
            slides = page.locator('section.slides > article').count()
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    return slides


# -- The preview image ----------------------------------------------------------------------

# The title slide's box, and the box around what it shows (not its hidden note, number, footer).
TITLE_SLIDE = """() => {
  const article = document.querySelector('section.slides > article');
  const box = article.getBoundingClientRect();
  let top = Infinity, bottom = -Infinity;
  for (const el of article.children) {
    const r = el.getBoundingClientRect();
    if (!r.height || el.matches('.slide-no, .slide-footer, div.admonition.note')) continue;
    top = Math.min(top, r.top);
    bottom = Math.max(bottom, r.bottom);
  }
  // inside the slide's border
  return {x: box.left + article.clientLeft, y: box.top + article.clientTop,
          width: article.clientWidth, height: article.clientHeight, top, bottom};
}"""
# The picture's size, as the deck's og: tags announce it.
PREVIEW_SIZE = """() => ['og:image:width', 'og:image:height'].map(name => {
  const meta = document.querySelector(`meta[property="${name}"]`);
  return meta && Number(meta.content); })"""


def render_preview(index_html, png):
    """Picture the deck's title slide into ``png``, at the size its og: tags give: the slide's full
    width, and the band of it, centred on its content, that fits that frame (taken at twice the
    pixels, then scaled down)."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_exit()
    with sync_playwright() as playwright:
        browser, page = open_deck(playwright, chromium, index_html, '#1', scale=2)
        try:
            width, height = size = tuple(page.evaluate(PREVIEW_SIZE))
            if not (width and height):
                raise SystemExit(f'{index_html}: no og:image:width/height (a deck built without -t site?)')
            slide = page.evaluate(TITLE_SLIDE)
            band = slide['width'] * height / width
            middle = (slide['top'] + slide['bottom']) / 2
            y = min(max(middle - band / 2, slide['y']), slide['y'] + slide['height'] - band)
            shot = page.screenshot(clip={'x': slide['x'], 'y': y, 'width': slide['width'], 'height': band})
        finally:
            browser.close()
    Image.open(io.BytesIO(shot)).convert('RGB').resize(size, Image.Resampling.LANCZOS).save(png, optimize=True)
    return size


def main(argv):
    if len(argv) == 3 and argv[0] == 'pdf':
        slides = print_pdf(argv[1], argv[2])
        print(f'pdf: {argv[2]} ({slides} slides)')
    elif len(argv) == 3 and argv[0] == 'preview':
        Path(argv[2]).parent.mkdir(parents=True, exist_ok=True)
        width, height = render_preview(argv[1], argv[2])
        print(f'preview: {argv[2]} (the title slide, {width}x{height})')
    else:
        raise SystemExit('usage: python -m slides.tools.publish pdf SLIDES_INDEX_HTML OUTPUT_PDF\n'
                         '       python -m slides.tools.publish preview SLIDES_INDEX_HTML OUTPUT_PNG')


if __name__ == '__main__':
    main(sys.argv[1:])
