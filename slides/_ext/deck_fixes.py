"""Local fixes for hieroglyph 2.1.0's behaviour (its last release, 2020), kept small and in one place.

The fixes that make it run on Sphinx 9 at all are in ``hieroglyph_compat.py``.

* singlefile-slides: hieroglyph lowers the section level at the start of every
  included document, so from the second part of the talk on, slides come out
  as ``level-0`` with ``<h0>`` titles.  Lower it only once, when the title
  slide that holds the toctree is closed.
* singlefile-slides writes no ``console.html``: Sphinx's single-file builder
  never asks extensions for extra pages, so the ``c`` key opened a 404 instead
  of the presenter console.  Write the pages hieroglyph's theme asks for (only
  those: the site's extra pages, such as its 404.html, are not the deck's).
* ``DOCUMENTATION_OPTIONS`` declared twice on every slide and console page:
  hieroglyph's layout defines it inline, and Sphinx's ``documentation_options.js``
  declares it again (``const`` since Sphinx 7; on Sphinx 6 it read attributes the
  layout does not write).  Leave that script out of slide pages.  (``$ is not
  defined`` is fixed by ``sphinxcontrib.jquery``.)
* The slide layout links ``genindex.html`` and ``search.html`` (``<link rel="index">``,
  ``<link rel="search">``) because ``hasdoc()`` says the HTML builders write them; the
  single-file deck writes neither, so both were dead links in the published site.  Slide
  pages get a ``hasdoc()`` that says no for those two.
* ``slide_link_html_to_slides`` appends ``slidelink.html`` to ``html_sidebars['**']``
  even when it is already listed (its check iterates the dict as ``(glob, templates)``
  pairs, so it unpacks the key ``'**'`` into two characters and never finds the
  template): the site's sidebar showed "View as slides" twice.  Drop the copy it appends.
* No favicon link on slide pages (hieroglyph's layout reads a context value
  Sphinx 6 stopped setting), so browsers log a 404 for ``/favicon.ico``.
* ``slide_link_to_html`` with singlefile-slides links every slide to
  ``index.html``: link each slide to the page of the part it comes from.
* ``slide_link_html_to_slides`` links each page to ``slides/<page>.html``,
  which the single-file deck does not have: link to ``index.html#<first slide>``
  (and ``_templates/slidelink.html`` keeps the anchor, which ``pathto`` drops).
* ``slide_link_html_sections_to_slides`` silently does nothing (hieroglyph
  registers its translator under the builder object instead of its name):
  link every section title of the HTML pages to its slide here.
"""
import os
import posixpath
from types import SimpleNamespace

from docutils import nodes
from hieroglyph import slides, writer
from hieroglyph.builder import SingleFileSlideBuilder as HieroglyphSingleFileSlideBuilder
from hieroglyph.builder import building_slides
from sphinx.util.osutil import relative_uri

from deck_builders import building_site
from deck_order import AFTER_HIEROGLYPH
from deck_record import slide_depth

VERSION = '2'
SLIDELINK = 'slidelink.html'


class SingleFileSlideBuilder(HieroglyphSingleFileSlideBuilder):

    def write_additional_files(self):
        super().write_additional_files()
        # hieroglyph's get_extra_pages(app) reads app.builder only: given this builder, not the
        # deprecated builder.app
        for pagename, context, template in slides.get_extra_pages(SimpleNamespace(builder=self)):
            self.handle_page(pagename, context, template)   # console.html from the slide theme


class SingleFileSlideTranslator(writer.SingleFileSlideTranslator):

    def visit_start_of_file(self, node):
        """hieroglyph closes the title slide and lowers the section level at the start of every
        included document: the level is lowered once, for the first (closing an already closed
        slide does nothing)."""
        previous = node.parent.parent if isinstance(node.parent, nodes.compound) else node.parent
        first = not getattr(previous, 'closed', False)
        level = self.section_level
        super().visit_start_of_file(node)
        if not first:
            self.section_level = level

    def depart_title(self, node):
        """hieroglyph links a slide's title to ``html_path(builder)``, the page of the builder's
        current document, which in the single-file deck is always the root: it is asked while
        the document being written (Sphinx's ``docnames``, for single-file builders) is current."""
        builder = self.builder
        root, builder.current_docname = builder.current_docname, self.docnames[-1]
        try:
            super().depart_title(node)
        finally:
            builder.current_docname = root


def fix_slide_page(app, pagename, templatename, context, doctree):
    if not building_slides(app):
        return
    hasdoc = context['hasdoc']
    context['hasdoc'] = lambda name: name not in ('genindex', 'search') and hasdoc(name)
    context['script_files'] = [js for js in context.get('script_files', ())
                               if js != '_static/documentation_options.js']
    if app.config.html_favicon:
        context['favicon'] = os.path.basename(app.config.html_favicon)


def slide_target(app, from_docname, section_id):
    """Relative URL of the slide ``section_id`` in the single-file deck."""
    deck = posixpath.join(app.config.slide_relative_path, app.config.root_doc + '.html')
    return relative_uri(app.builder.get_target_uri(from_docname), deck) + '#' + section_id


def drop_repeated_slidelink(app):
    sidebars = app.config.html_sidebars.get('**', [])
    if sidebars.count(SLIDELINK) > 1 and sidebars[-1] == SLIDELINK:
        sidebars.pop()                                 # the one hieroglyph appended


def link_page_to_slides(app, pagename, templatename, context, doctree):
    if not building_site(app) or not context.get('show_slidelink'):
        return
    section = next(doctree.findall(nodes.section), None) if doctree else None
    if section is None or not section['ids']:
        context['show_slidelink'] = False
        return
    # relative to the page: _templates/slidelink.html uses it as is
    context['slide_path'] = slide_target(app, pagename, section['ids'][0])


def link_sections_to_slides(app, doctree, docname):
    config = app.config
    if not building_site(app) or not config.slide_link_html_sections_to_slides:
        return
    for section in doctree.findall(nodes.section):
        if slide_depth(section) > config.slide_levels or not section['ids']:
            continue                                   # deeper sections are part of a slide
        title = section.next_node(nodes.title)
        title += nodes.reference('', config.slide_html_slide_link_symbol,
                                 refuri=slide_target(app, docname, section['ids'][0]),
                                 reftitle='View as slide', classes=['slidelink'])


def setup(app):
    app.add_builder(SingleFileSlideBuilder, override=True)
    app.set_translator('singlefile-slides', SingleFileSlideTranslator, override=True)
    app.connect('builder-inited', drop_repeated_slidelink, priority=AFTER_HIEROGLYPH)
    app.connect('html-page-context', fix_slide_page)
    app.connect('html-page-context', link_page_to_slides, priority=AFTER_HIEROGLYPH)
    app.connect('doctree-resolved', link_sections_to_slides)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
