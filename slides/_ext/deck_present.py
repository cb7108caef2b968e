"""Live runs on the slides: the ``r`` key that runs a slide's snippet (``make present``).

The slide builds mark each code block that comes from a runnable snippet (a module under
``snippets/`` with a ``__main__`` block: ``deck_record``'s ``"program"``) with a hidden
``<div data-liverun="NAME">`` next to it, so the slide's ``<article>`` holds it, and load
``_static/liverun.js`` and ``liverun.css``.  The HTML site is left alone.  The server that runs
them is ``slides/tools/present.py``; it takes its allow-list from the same build's record,
``deck.json``, so the marks and the list are one rule.
"""
from pathlib import Path

from docutils import nodes
from hieroglyph.builder import building_slides

from deck_record import is_program, module_name, snippets_folder  # same folder (slides/_ext)

VERSION = '2'


def add_client(app):
    if building_slides(app):
        app.add_js_file('liverun.js')
        app.add_css_file('liverun.css')


def mark_runnable_code(app, doctree, docname):
    """After each block of code from a runnable snippet: a hidden marker with its name."""
    if not building_slides(app):
        return
    folder = snippets_folder(app.config, app.confdir)
    for block in list(doctree.findall(nodes.literal_block)):
        source = Path(block.get('source') or '.').resolve()
        if source.parent == folder and (name := module_name(source.name)) and is_program(source):
            marker = f'<div class="liverun-snippet" data-liverun="{name}" hidden></div>\n'
            block.parent.insert(block.parent.index(block) + 1, nodes.raw('', marker, format='html'))


def setup(app):
    app.connect('builder-inited', add_client)
    app.connect('doctree-resolved', mark_runnable_code)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
