"""The record of the deck: its slides and the snippets they show, owned by the build.

Each document's slides are collected once it is read (``doctree-read``) into
``env.deck_record = {docname: [slide, ...]}``, with the ``env-purge-doc`` and ``env-merge-info``
handlers that keep it right in incremental and parallel builds.  A slide is::

    {"doc": "blocking", "id": "<anchor: index.html#ID in the single-file deck>",
     "title": "<plain text>", "steps": <code steps, 0 if none>, "snippets": ["http_blocking.py", ...]}

``record(env)`` is the whole deck, in the order of the talk (the toctree's), as JSON::

    {"format": 1, "slides": [slide, ...],
     "snippets": {"http_blocking.py": {"module": "http_blocking",   # python -m snippets.NAME; null: .pycon
                                       "program": true,              # has a __main__ block: make present runs it
                                       "browser": false,             # in conf.py's deck_browser_snippets
                                       "slides": ["<slide id>", ...]}}}

Every HTML-family build (the site, the deck) writes it as ``deck.json`` at the root of its
output when it finishes: ``slides/tools/present.py`` takes its allow-list from there, the tests
read it instead of parsing sources, and the snippet pages of the site (``deck_publish``) take
"shown on" from ``record(env)``.

Configuration (conf.py)::

    deck_browser_snippets = []   # module names of snippets that run in the browser (Pyodide)
"""
import ast
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.util.nodes import traverse_parent

VERSION = '1'
FORMAT = 1
FILENAME = 'deck.json'
MODULE = re.compile(r'[a-z][a-z0-9_]*')          # python -m snippets.NAME; _helpers are not lessons


# -- Which snippets can run --------------------------------------------------------------

def is_program(path):
    """Whether the module at ``path`` has an ``if __name__ == '__main__':`` block."""
    for node in ast.parse(Path(path).read_text()).body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == '__name__'
                and [type(op) for op in node.test.ops] == [ast.Eq]
                and [getattr(c, 'value', None) for c in node.test.comparators] == ['__main__']):
            return True
    return False


def module_name(filename):
    """``NAME`` of ``python -m snippets.NAME`` for a snippet file name; None for a session (.pycon)."""
    path = Path(filename)
    return path.stem if path.suffix == '.py' and MODULE.fullmatch(path.stem) else None


def snippets_folder(config, confdir):
    return Path(confdir, getattr(config, 'deck_snippets', None) or 'snippets').resolve()


# -- Collected per document ----------------------------------------------------------------

def remember_folder(app):
    app.env.deck_snippets_folder = str(snippets_folder(app.config, app.confdir))


def slide_depth(section):
    return sum(1 for _ in traverse_parent(section, nodes.section))


def collect(app, doctree):
    """The document's slides (sections ``slide_levels`` deep at most), with what they show."""
    env = app.env
    folder = Path(env.deck_snippets_folder)
    levels = app.config.slide_levels if hasattr(app.config, 'slide_levels') else 3
    slides, by_section = [], {}
    for section in doctree.findall(nodes.section):
        if slide_depth(section) > levels or not section['ids']:
            continue
        title = section.next_node(nodes.title)
        slide = {'doc': env.docname, 'id': section['ids'][0], 'title': title.astext() if title else '',
                 'steps': 0, 'snippets': []}
        slides.append(slide)
        by_section[id(section)] = slide
    for block in doctree.findall(nodes.literal_block):
        source = Path(block.get('source') or '.').resolve()
        slide = next((by_section[id(s)] for s in traverse_parent(block, nodes.section)
                      if id(s) in by_section), None)
        if slide is None:
            continue
        slide['steps'] += len(block.get('deck_step_lines') or ())
        if source.parent == folder and source.name not in slide['snippets']:
            slide['snippets'].append(source.name)
    if not hasattr(env, 'deck_record'):
        env.deck_record = {}
    env.deck_record[env.docname] = slides


def purge(app, env, docname):
    if hasattr(env, 'deck_record'):
        env.deck_record.pop(docname, None)


def merge(app, env, docnames, other):
    if not hasattr(env, 'deck_record'):
        env.deck_record = {}
    for docname in docnames:
        if docname in getattr(other, 'deck_record', {}):
            env.deck_record[docname] = other.deck_record[docname]


# -- The whole deck -------------------------------------------------------------------------

def deck_order(env):
    """The documents in the order of the talk: the root, then its toctree's, depth first."""
    order, seen = [], set()

    def walk(docname):
        if docname in seen:
            return
        seen.add(docname)
        order.append(docname)
        for child in env.toctree_includes.get(docname, ()):
            walk(child)
    walk(env.config.root_doc)
    collected = getattr(env, 'deck_record', {})
    return [doc for doc in order if doc in collected] + sorted(set(collected) - seen)


def record(env):
    """The deck's slides and the snippets they show, JSON-able (see the module's docstring)."""
    collected = getattr(env, 'deck_record', {})
    slides = [dict(slide, snippets=list(slide['snippets'])) for doc in deck_order(env) for slide in collected[doc]]
    folder = Path(env.deck_snippets_folder)
    browser = set(env.config.deck_browser_snippets)
    snippets = {}
    for slide in slides:
        for name in slide['snippets']:
            if name not in snippets:
                module = module_name(name)
                snippets[name] = {'module': module,
                                  'program': bool(module) and is_program(folder / name),
                                  'browser': module in browser,
                                  'slides': []}
            snippets[name]['slides'].append(slide['id'])
    return {'format': FORMAT, 'slides': slides, 'snippets': snippets}


def write_record(app, exception):
    if exception is None and app.builder.format == 'html':
        text = json.dumps(record(app.env), indent=1, ensure_ascii=False) + '\n'
        Path(app.outdir, FILENAME).write_text(text, encoding='utf-8')


def setup(app):
    app.add_config_value('deck_browser_snippets', [], 'env', types=frozenset({list, tuple}))
    app.connect('builder-inited', remember_folder)
    app.connect('doctree-read', collect, priority=600)   # after deck_steps has resolved the steps (500)
    app.connect('env-purge-doc', purge)
    app.connect('env-merge-info', merge)
    app.connect('build-finished', write_record)
    return {'version': VERSION, 'env_version': FORMAT,
            'parallel_read_safe': True, 'parallel_write_safe': True}
