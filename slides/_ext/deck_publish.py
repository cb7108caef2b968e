"""Publishing the deck: the snippets in the HTML site, the social preview, and the PDF handout.

As a Sphinx extension (``deck_snippets = 'snippets'`` in conf.py), the HTML
builders get a page per module under ``snippets/`` (highlighted, plus the plain
file next to it), an index of them at ``snippets/index.html`` (the sidebar
template ``snippets.html`` links it), and a "source" link under every code
block that comes from a snippet.

Every page of the site, and the deck, gets Open Graph tags (``og:title``,
``og:description``, ``og:image``: what a shared link shows).  The image is the
title slide, ``deck_preview`` in the site, which ``make site`` renders once the
deck is built; ``og:image`` and ``og:url`` are absolute under ``deck_base_url``
and, without one, ``og:image`` is relative to the page (and there is no
``og:url``).  sphinxext-opengraph does not fit here: without a site URL it writes
root-relative paths as if they were page-relative (wrong on every page below
the root, e.g. ``snippets/`` and ``slides/``), tags no page without a doctree
(the snippet pages), and would give the deck the site's URLs.

The slides keep hieroglyph's theme: the copy buttons of the site stay off them.

The PDF handout and the preview image are pictured by ``slides/tools/publish.py``.
"""
import ast
import html
import os
import posixpath
import re
import shutil
from pathlib import Path

import sphinx_copybutton
from docutils import nodes
from hieroglyph.builder import building_slides
from sphinx.util.nodes import traverse_parent

from deck_builders import building_site  # same folder (slides/_ext), on Sphinx's path
from deck_order import AFTER_EXTENSIONS, SITE_ASSETS_OFF_SLIDES
from deck_record import record

VERSION = '1'

LANGUAGES = {'.py': 'python3', '.pycon': 'pycon'}
PAGES = 'snippets'                     # where the snippet pages go in the site

PREVIEW_SIZE = (1200, 630)             # og:image: the 1.91:1 picture link previews show
                                       # (og:image:width/height: slides/tools/publish.py reads them)
DESCRIPTION_LENGTH = 200               # characters of og:description
# The site's own: sphinx-copybutton's, and the site's stylesheet (html_css_files).
SITE_ONLY_ASSETS = ('copybutton.css', 'clipboard.min.js', 'copybutton.js', 'site.css')


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
    if not building_site(app) or not app.config.deck_snippets:
        return
    folder = Path(app.confdir, app.config.deck_snippets).resolve()
    for block in list(doctree.findall(nodes.literal_block)):
        source = Path(block.get('source', '')).resolve()
        if source.parent != folder:
            continue
        page = f'{PAGES}/{source.name}'
        link = nodes.reference('', f'{PAGES}/{source.name}',
                               refuri=app.builder.get_relative_uri(docname, page))
        block.parent.insert(block.parent.index(block) + 1,
                            nodes.paragraph('', 'source: ', link, classes=['snippet-source']))


def snippet_pages(app):
    if not building_site(app) or not app.config.deck_snippets:
        return
    deck = record(app.env)              # which slides show each snippet: the deck's record
    shown = deck['snippets']
    slide_of = {slide['id']: slide for slide in deck['slides']}
    index = f'{PAGES}/index'
    rows = {True: [], False: []}        # shown on a slide (lessons), or not (helpers they import)
    for path in snippet_files(app):
        page = f'{PAGES}/{path.name}'
        code = app.builder.highlighter.highlight_block(path.read_text(), LANGUAGES[path.suffix])
        slides = ''.join(
            f'<li><a href="{html.escape(app.builder.get_relative_uri(page, slide_of[slide_id]["doc"]) + "#" + slide_id)}">'
            f'{html.escape(slide_of[slide_id]["title"])}</a></li>'
            for slide_id in shown.get(path.name, {}).get('slides', ()))
        body = (f'<h1>{PAGES}/{html.escape(path.name)}</h1>\n'
                f'<p>{html.escape(summary(path))}</p>\n'
                f'<p><a href="{html.escape(path.name)}">plain text</a> · '
                f'<a href="{html.escape(app.builder.get_relative_uri(page, index))}">all snippets</a></p>\n'
                + (f'<p>Shown on:</p><ul>{slides}</ul>\n' if slides else '')
                + f'<div class="highlight-{LANGUAGES[path.suffix]} notranslate">{code}</div>\n')
        yield page, {'title': f'{PAGES}/{path.name}', 'body': body,
                     'deck_description': summary(path)}, 'page.html'
        rows[path.name in shown].append(
            f'<li><a href="{html.escape(app.builder.get_relative_uri(index, page))}">'
            f'{html.escape(path.name)}</a> — {html.escape(summary(path))}</li>')
    body = ('<h1>The snippets</h1>\n<p>Every code block on the slides is included from one of '
            'these modules, which the test suite runs against real local servers. '
            '<code>python -m snippets.NAME</code> runs one (offline, against a bundled demo server).'
            f'</p>\n{browser_note(app)}<ul>\n{chr(10).join(rows[True])}\n</ul>\n'
            '<h2>Helpers</h2>\n<p>Not on a slide: what the lessons import to parse a response, '
            'and the demo servers they run against.</p>\n'
            f'<ul>\n{chr(10).join(rows[False])}\n</ul>\n')
    yield index, {'title': 'The snippets', 'body': body}, 'page.html'


def browser_note(app):
    """What runs in the reader's browser (deck_browser.py), and what does not."""
    names = sorted(getattr(app.config, 'deck_browser_snippets', ()))
    if not names:
        return ''
    listed = ', '.join(f'<code>{html.escape(name)}</code>' for name in names)
    return ('<p><strong>Run in your browser.</strong> The pages that show these snippets have a Run '
            f'button: {listed}. They run on CPython 3.14 compiled to WebAssembly (Pyodide, bundled '
            'with this site: nothing is fetched from elsewhere) in a Web Worker, and print what '
            '<code>python -m snippets.NAME</code> prints. The deck runs them with <kbd>r</kbd>. The '
            'others need sockets, threads or processes, which a browser does not give: run them with '
            '<code>make present</code> or <code>python -m snippets.NAME</code>. Tested in Chromium, '
            'with and without WebAssembly stack switching (JSPI, which Safari lacks); other browsers '
            'with module Web Workers should run them, untested. Not from <code>file://</code>: serve '
            'the folder over http.</p>\n')


def add_snippets_to_context(app, pagename, templatename, context, doctree):
    if building_site(app) and app.config.deck_snippets:
        context['deck_snippets_index'] = f'{PAGES}/index'


def copy_plain_snippets(app, exception):
    if exception or not building_site(app) or not app.config.deck_snippets:
        return
    target = Path(app.outdir, PAGES)
    target.mkdir(parents=True, exist_ok=True)
    for path in snippet_files(app):
        shutil.copyfile(path, target / path.name)


# -- Open Graph tags -------------------------------------------------------------------------

def page_path(app, pagename):
    """The page's path from the root of the published site, or None for pages not to tag."""
    builder = app.builder
    if building_site(app):
        if pagename == getattr(app.config, 'notfound_pagename', None):
            return None                        # not a page to share; served at any address
        return builder.get_target_uri(pagename)
    if (building_slides(app) and pagename == app.config.root_doc
            and app.config.slide_link_to_html):  # the deck, published inside the site
        return posixpath.join(app.config.slide_relative_path, pagename + builder.out_suffix)
    return None


def first_paragraph(doctree):
    """Text of the page's first paragraph outside the speaker notes, shortened at a word."""
    for paragraph in doctree.findall(nodes.paragraph):
        if any(isinstance(p, nodes.Admonition) for p in traverse_parent(paragraph.parent)):
            continue
        text = ' '.join(paragraph.astext().split())
        if len(text) > DESCRIPTION_LENGTH:
            text = text[:DESCRIPTION_LENGTH - 1].rsplit(' ', 1)[0] + '…'
        return text
    return ''


def social_tags(app, pagename, templatename, context, doctree):
    config = app.config
    path = page_path(app, pagename)
    if path is None:
        return
    base = config.deck_base_url
    title = re.sub(r'<[^>]+>', '', html.unescape(context.get('title') or ''))
    if pagename == config.root_doc or not title:
        title = config.project
    elif config.project not in title:
        title = f'{title} — {config.project}'
    description = ' '.join((context.get('deck_description')
                            or (first_paragraph(doctree) if doctree and pagename != config.root_doc else '')
                            or config.deck_description).split())
    tags = {'og:type': 'website', 'og:site_name': config.project, 'og:title': title,
            'og:description': description}
    if base:
        tags['og:url'] = base + path
    if config.deck_preview:
        up = '../' * path.count('/')           # from the page to the root of the site
        tags['og:image'] = (base or up) + config.deck_preview
        tags['og:image:width'], tags['og:image:height'] = map(str, PREVIEW_SIZE)
        tags['og:image:alt'] = f'The title slide of {config.project}'
    lines = [f'<meta property="{name}" content="{html.escape(value)}" />' for name, value in tags.items()]
    lines.append(f'<meta name="description" content="{html.escape(description)}" />')
    if config.deck_preview:
        lines.append('<meta name="twitter:card" content="summary_large_image" />')
    context['metatags'] = context.get('metatags', '') + '\n'.join(lines) + '\n'


def keep_site_assets_off_slides(app, pagename, templatename, context, doctree):
    """The copy buttons and site.css are the site's: leave them out of the slides."""
    if not building_slides(app):
        return
    for key in ('css_files', 'script_files'):
        if key in context:
            context[key] = [asset for asset in context[key]
                            if os.path.basename(str(getattr(asset, 'filename', asset))) not in SITE_ONLY_ASSETS]


# sphinx-copybutton appends its static folder to html_static_path when the builder starts, after
# Sphinx has compared the configuration with the last build's (which had it): every build said
# "The configuration has changed ('html_static_path')" and rewrote every page.  Add the folder
# when the configuration is read, and drop the copy it appends.
def copybutton_static(app, config):
    folder = str(Path(sphinx_copybutton.__file__).parent / '_static')
    if folder not in config.html_static_path:
        config.html_static_path.append(folder)


def drop_repeated_static_path(app):
    paths = app.config.html_static_path
    paths[:] = list(dict.fromkeys(paths))


def setup(app):
    app.add_config_value('deck_snippets', None, 'html')
    app.add_config_value('deck_base_url', '', 'html', types=frozenset({str}))
    app.add_config_value('deck_description', '', 'html', types=frozenset({str}))
    app.add_config_value('deck_preview', '', 'html', types=frozenset({str}))
    app.connect('config-inited', copybutton_static)
    app.connect('builder-inited', drop_repeated_static_path, priority=AFTER_EXTENSIONS)
    app.connect('doctree-resolved', link_code_to_snippets)
    app.connect('html-collect-pages', snippet_pages)
    app.connect('html-page-context', add_snippets_to_context)
    app.connect('html-page-context', social_tags)
    app.connect('html-page-context', keep_site_assets_off_slides, priority=SITE_ASSETS_OFF_SLIDES)
    app.connect('build-finished', copy_plain_snippets)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
