"""Publishing the deck: the snippets in the HTML site, and the PDF handout.

As a Sphinx extension (``deck_snippets = 'snippets'`` in conf.py), the HTML
builders get a page per module under ``snippets/`` (highlighted, plus the plain
file next to it), an index of them at ``snippets/index.html`` (the sidebar
template ``snippets.html`` links it), and a "source" link under every code
block that comes from a snippet.

As a script, it prints the slides to a PDF, one slide per page, with headless
Chromium (the print CSS in ``_static/custom.css`` lays the slides out)::

    python slides/_ext/deck_publish.py pdf _build/slides/index.html _build/slides.pdf
"""
import ast
import html
import os
import shutil
import sys
from pathlib import Path

from docutils import nodes

from deck_fixes import iter_parents   # same folder (slides/_ext), on the path for Sphinx and as a script

HTML_BUILDERS = ('html', 'dirhtml')
LANGUAGES = {'.py': 'python3', '.pycon': 'pycon'}
PAGES = 'snippets'                     # where the snippet pages go in the site

# Debian's chromium, driven by Playwright; never a downloaded browser.
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']


def find_chromium():
    """Path of the Chromium binary ($CHROMIUM, or chromium on PATH), or None."""
    for candidate in (os.environ.get('CHROMIUM'), 'chromium'):
        path = candidate and shutil.which(candidate)
        if path:
            return path
    return None


# -- The snippets in the HTML site ---------------------------------------------------------

def snippet_files(app):
    folder = Path(app.confdir, app.config.deck_snippets)
    return sorted(p for p in folder.iterdir()
                  if p.suffix in LANGUAGES and p.name != '__init__.py')


def summary(path):
    """First line of a module's docstring ('' for sessions and modules without one)."""
    if path.suffix != '.py':
        return 'interactive session, checked by doctest'
    try:
        doc = ast.get_docstring(ast.parse(path.read_text()))
    except SyntaxError:
        return ''
    return doc.splitlines()[0] if doc else ''


def link_code_to_snippets(app, doctree, docname):
    """Under each code block taken from a snippet: a link to the whole file."""
    if app.builder.name not in HTML_BUILDERS or not app.config.deck_snippets:
        return
    folder = Path(app.confdir, app.config.deck_snippets).resolve()
    shown = vars(app.builder).setdefault('deck_snippets_shown', {})   # for the snippet pages
    for block in list(doctree.findall(nodes.literal_block)):
        source = Path(block.get('source', '')).resolve()
        if source.parent != folder:
            continue
        page = f'{PAGES}/{source.name}'
        section = next((p for p in iter_parents(block) if isinstance(p, nodes.section)), None)
        title = section_title(section) if section else docname
        anchor = '#' + section['ids'][0] if section and section['ids'] else ''
        shown.setdefault(source.name, []).append((docname, anchor, title))
        link = nodes.reference('', f'{PAGES}/{source.name}',
                               refuri=app.builder.get_relative_uri(docname, page))
        block.parent.insert(block.parent.index(block) + 1,
                            nodes.paragraph('', 'source: ', link, classes=['snippet-source']))


def section_title(section):
    """The title's text, without the links deck_fixes may have added to it."""
    return ''.join(child.astext() for child in section.next_node(nodes.title).children
                   if not (isinstance(child, nodes.Element) and 'slidelink' in child['classes']))


def snippet_pages(app):
    if app.builder.name not in HTML_BUILDERS or not app.config.deck_snippets:
        return
    shown = getattr(app.builder, 'deck_snippets_shown', {})
    index = f'{PAGES}/index'
    rows = []
    for path in snippet_files(app):
        page = f'{PAGES}/{path.name}'
        code = app.builder.highlighter.highlight_block(path.read_text(), LANGUAGES[path.suffix])
        slides = ''.join(
            f'<li><a href="{html.escape(app.builder.get_relative_uri(page, doc) + anchor)}">'
            f'{html.escape(title)}</a></li>'
            for doc, anchor, title in shown.get(path.name, ()))
        body = (f'<h1>{PAGES}/{html.escape(path.name)}</h1>\n'
                f'<p>{html.escape(summary(path))}</p>\n'
                f'<p><a href="{html.escape(path.name)}">plain text</a> · '
                f'<a href="{html.escape(app.builder.get_relative_uri(page, index))}">all snippets</a></p>\n'
                + (f'<p>Shown on:</p><ul>{slides}</ul>\n' if slides else '')
                + f'<div class="highlight-{LANGUAGES[path.suffix]} notranslate">{code}</div>\n')
        yield page, {'title': f'{PAGES}/{path.name}', 'body': body}, 'page.html'
        rows.append(f'<li><a href="{html.escape(app.builder.get_relative_uri(index, page))}">'
                    f'{html.escape(path.name)}</a> — {html.escape(summary(path))}</li>')
    body = ('<h1>The snippets</h1>\n<p>Every code block on the slides is included from one of '
            'these modules, which the test suite runs against real local servers. '
            '<code>python -m snippets.NAME</code> runs one (offline, against a bundled demo server).'
            f'</p>\n<ul>\n{chr(10).join(rows)}\n</ul>\n')
    yield index, {'title': 'The snippets', 'body': body}, 'page.html'


def add_snippets_to_context(app, pagename, templatename, context, doctree):
    if app.builder.name in HTML_BUILDERS and app.config.deck_snippets:
        context['deck_snippets_index'] = f'{PAGES}/index'


def copy_plain_snippets(app, exception):
    if exception or app.builder.name not in HTML_BUILDERS or not app.config.deck_snippets:
        return
    target = Path(app.outdir, PAGES)
    target.mkdir(parents=True, exist_ok=True)
    for path in snippet_files(app):
        shutil.copyfile(path, target / path.name)


def setup(app):
    app.add_config_value('deck_snippets', None, 'html')
    app.connect('doctree-resolved', link_code_to_snippets)
    app.connect('html-collect-pages', snippet_pages)
    app.connect('html-page-context', add_snippets_to_context)
    app.connect('build-finished', copy_plain_snippets)
    return {'parallel_read_safe': True, 'parallel_write_safe': False}


# -- The PDF handout ------------------------------------------------------------------------

def print_pdf(index_html, pdf, timeout_ms=30_000):
    """Print the single-file deck ``index_html`` to ``pdf``; return the number of slides."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if not chromium:
        raise SystemExit('chromium not found: install the Debian package chromium (make deps)')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(timeout_ms)
            page.goto(Path(index_html).resolve().as_uri())
            page.wait_for_function("document.body.classList.contains('loaded')")
            page.emulate_media(media='print')          # lay out every slide: load all fonts
            page.evaluate('document.fonts.ready.then(() => true)')
            slides = page.locator('section.slides > article').count()
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    return slides


def main(argv):
    if len(argv) != 3 or argv[0] != 'pdf':
        raise SystemExit(f'usage: {sys.argv[0]} pdf SLIDES_INDEX_HTML OUTPUT_PDF')
    slides = print_pdf(argv[1], argv[2])
    print(f'pdf: {argv[2]} ({slides} slides)')


if __name__ == '__main__':
    main(sys.argv[1:])
