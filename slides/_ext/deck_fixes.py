"""Local fixes for hieroglyph 2.1.0 (its last release, 2020), kept small and in one place.

* singlefile-slides: hieroglyph lowers the section level at the start of every
  included document, so from the second part of the talk on, slides come out
  as ``level-0`` with ``<h0>`` titles.  Lower it only once, when the title
  slide that holds the toctree is closed.
"""
from docutils import nodes
from hieroglyph import writer


class SingleFileSlideTranslator(writer.SingleFileSlideTranslator):

    def visit_start_of_file(self, node):
        previous = node.parent
        if isinstance(previous, nodes.compound):
            previous = previous.parent
        if not getattr(previous, 'closed', False):   # first document only
            self.depart_slide(previous)
            self.section_level -= 1
        writer.BaseSlideTranslator.visit_start_of_file(self, node)


def setup(app):
    app.set_translator('singlefile-slides', SingleFileSlideTranslator, override=True)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
