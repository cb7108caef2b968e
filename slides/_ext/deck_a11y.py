"""Accessibility fixes at their causes, for what axe-core (WCAG 2.1 A/AA) found in the site and deck.

* Sphinx writes a toctree's caption (Furo's sidebar, the home page's contents) as
  ``<p class="caption" role="heading">`` without ``aria-level``, which ARIA requires of a heading
  role: the HTML translator here adds ``aria-level="2"`` (the sidebar's own captions, in
  ``_templates/``, say the same).
* A long line makes a code block scroll sideways, and a keyboard could not reach it to scroll:
  every code block of the site's pages and snippet pages (not the slides, which never scroll)
  is focusable (``tabindex="0"``).
* hieroglyph's slide layout writes ``<html>`` with no ``lang``, so a screen reader guesses the
  language of the deck and the console: ``SlideTemplates`` (conf.py's ``template_bridge``) reads
  that template with ``lang="{{ language }}"`` in its ``<html>`` tag.
* hieroglyph's theme stylesheet (``_static/styles.css``) pulls its fonts in with
  ``@import url(fonts/stylesheet.css)``.  Browsers resolve that against the stylesheet, but
  axe-core 4.12 resolves it against the page (dequelabs/axe-core#5268) and asks for
  ``slides/fonts/stylesheet.css``, a 404 that also leaves its ``css-orientation-lock`` check
  without the fonts' sheet.  The deck links the fonts' stylesheet itself, and the deck's theme
  (``slides/_themes/deck``, hieroglyph's "slides" theme otherwise) leaves the import out.
"""
from pathlib import Path

import hieroglyph
from hieroglyph.builder import building_slides
from sphinx import addnodes
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.writers.html5 import HTML5Translator

from deck_builders import building_site  # same folder (slides/_ext), on Sphinx's path

CODE = '<div class="highlight"><pre>'   # Pygments' block, in pages and in the snippet pages
VERSION = '2'
HIEROGLYPH_THEMES = Path(hieroglyph.__file__).parent / 'themes'


class SlideTemplates(BuiltinTemplateLoader):
    """Sphinx's template loader; hieroglyph's slide layout comes with a ``lang`` on its ``<html>``."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if Path(filename).is_relative_to(HIEROGLYPH_THEMES) and Path(filename).name == 'layout.html':
            source = source.replace('<html>', '<html lang="{{ language or \'en\' }}">', 1)
        return source, filename, uptodate


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
    if building_site(app) and 'body' in context:
        context['body'] = context['body'].replace(CODE, CODE.replace('<pre>', '<pre tabindex="0">'))


def link_fonts(app):
    if building_slides(app):
        app.add_css_file('fonts/stylesheet.css')


def setup(app):
    app.set_translator('html', AccessibleHTMLTranslator)
    app.connect('builder-inited', link_fonts)
    app.connect('html-page-context', focusable_code)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
