"""Accessibility fixes at their causes, for what axe-core (WCAG 2.1 A/AA) found in the site and deck.

* Sphinx writes a toctree's caption (Furo's sidebar, the home page's contents) as
  ``<p class="caption" role="heading">`` without ``aria-level``, which ARIA requires of a heading
  role: the HTML translator here adds ``aria-level="2"`` (the sidebar's own captions, in
  ``_templates/``, say the same).
* A long line makes a code block scroll sideways, and a keyboard could not reach it to scroll:
  every code block of the site's pages and snippet pages (not the slides, which never scroll)
  is focusable (``tabindex="0"``).
* hieroglyph's slide layout writes ``<html>`` with no ``lang``, so a screen reader guesses the
  language of the deck and the console: the slide builders' pages get ``config.language``.
* hieroglyph's theme stylesheet (``_static/styles.css``) pulls its fonts in with
  ``@import url(fonts/stylesheet.css)``.  Browsers resolve that against the stylesheet, but
  axe-core 4.12 resolves it against the page (dequelabs/axe-core#5268) and asks for
  ``slides/fonts/stylesheet.css``, a 404 that also leaves its ``css-orientation-lock`` check
  without the fonts' sheet.  The deck links the fonts' stylesheet itself and the import is dropped.
"""
import re
from pathlib import Path

from hieroglyph.builder import building_slides
from sphinx import addnodes
from sphinx.writers.html5 import HTML5Translator

from deck_fixes import HTML_BUILDERS  # same folder (slides/_ext), on Sphinx's path

CODE = '<div class="highlight"><pre>'   # Pygments' block, in pages and in the snippet pages
FONTS_IMPORT = '@import url(fonts/stylesheet.css);'


class AccessibleHTMLTranslator(HTML5Translator):

    def visit_title(self, node):
        if isinstance(node.parent, addnodes.compact_paragraph) and node.parent.get('toctree'):
            self.body.append(self.starttag(node, 'p', '', CLASS='caption', ROLE='heading',
                                           **{'aria-level': '2'}))
            self.body.append('<span class="caption-text">')
            self.context.append('</span></p>\n')
        else:
            super().visit_title(node)


def focusable_code(app, pagename, templatename, context, doctree):
    if app.builder.name in HTML_BUILDERS and 'body' in context:
        context['body'] = context['body'].replace(CODE, CODE.replace('<pre>', '<pre tabindex="0">'))


def link_fonts(app):
    if building_slides(app):
        app.add_css_file('fonts/stylesheet.css')


def fix_slide_pages(app, exception):
    if exception is not None or not building_slides(app):
        return
    out = Path(app.outdir)
    styles = out / '_static' / 'styles.css'
    if styles.exists():
        styles.write_text(styles.read_text().replace(FONTS_IMPORT, '', 1))
    lang = app.config.language or 'en'
    for page in out.rglob('*.html'):
        text = page.read_text()
        fixed = re.sub(r'<html>', f'<html lang="{lang}">', text, count=1)
        if fixed != text:
            page.write_text(fixed)


def setup(app):
    app.set_translator('html', AccessibleHTMLTranslator)
    app.connect('builder-inited', link_fonts)
    app.connect('html-page-context', focusable_code)
    app.connect('build-finished', fix_slide_pages)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
