"""Live runs on the slides: the ``r`` key that runs a slide's snippet (``make present``).

The slide builds mark each code block that comes from a runnable snippet (a module under
``snippets/`` with a ``__main__`` block) with a hidden ``<div data-liverun="NAME">`` next to it,
so the slide's ``<article>`` holds it, and load ``_static/liverun.js`` and ``liverun.css``.  The
HTML site is left alone.  The server that runs them is ``slides/tools/present.py``; it takes its
allow-list from ``allowed_snippets`` here, so the marks and the list are one rule.
"""
import ast
import re
from pathlib import Path

from docutils import nodes
from hieroglyph.builder import building_slides

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / 'slides'
SNIPPETS = ROOT / 'snippets'
NAME = re.compile(r'[a-z][a-z0-9_]*')
INCLUDE = re.compile(r'^\s*\.\.\s+literalinclude::\s*(\S+)', re.M)


# -- Which snippets can run --------------------------------------------------------------

def runnable(path):
    """The NAME of ``python -m snippets.NAME`` for a snippet file that is a program, else None."""
    if not path:
        return None
    path = Path(path).resolve()
    if (path.parent != SNIPPETS or path.suffix != '.py' or not NAME.fullmatch(path.stem)
            or not path.is_file()):
        return None                    # not a snippet, a session (.pycon), or a _helper
    for node in ast.parse(path.read_text()).body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == '__name__'
                and [type(op) for op in node.test.ops] == [ast.Eq]
                and [getattr(c, 'value', None) for c in node.test.comparators] == ['__main__']):
            return path.stem
    return None


def allowed_snippets(slides=SLIDES):
    """The snippets the slides show that can run: the server's allow-list."""
    return {name for rst in slides.glob('*.rst') for include in INCLUDE.findall(rst.read_text())
            if (name := runnable(rst.parent / include))}


# -- The Sphinx extension: mark the slides, load the client --------------------------------

def add_client(app):
    if building_slides(app):
        app.add_js_file('liverun.js')
        app.add_css_file('liverun.css')


def mark_runnable_code(app, doctree, docname):
    """After each block of code from a runnable snippet: a hidden marker with its name."""
    if not building_slides(app):
        return
    for block in list(doctree.findall(nodes.literal_block)):
        if name := runnable(block.get('source')):
            marker = f'<div class="liverun-snippet" data-liverun="{name}" hidden></div>\n'
            block.parent.insert(block.parent.index(block) + 1, nodes.raw('', marker, format='html'))


def setup(app):
    app.connect('builder-inited', add_client)
    app.connect('doctree-resolved', mark_runnable_code)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
