"""Run the pure snippets in the reader's browser: Python 3.14 on Pyodide, bundled with the build.

conf.py's ``deck_browser_snippets`` lists the modules that can run there (standard library only, no
socket, no thread, no subprocess: tests/test_pyodide.py holds the list to that).  For the HTML site
and the deck, this extension

* puts Pyodide's five files (``slides/tools/pyodide.py fetch`` keeps them in ``.cache/pyodide/``,
  checked against their pinned hash; ``make`` fetches them first) into ``_static/pyodide/``, and the
  listed snippets beside them in ``_static/pyodide/snippets/``.  The deck published inside the site
  (``make site``: ``slide_link_to_html``) uses the site's copy, ``../_static/pyodide/``;
* after each code block that comes from a listed snippet, writes a mark ``<div data-pyrun="NAME">``:
  the site's ``pyrun.js`` makes it a Run button, the deck's ``liverun.js`` runs it on ``r``;
* loads ``pyrun.js`` (and, on the site, ``pyrun.css``), and tells it where the files are, relative to
  the page: ``<meta name="pyrun-runtime">``.

Nothing is fetched when a page loads, and nothing but the site's own files when Run is pressed.
"""
import shutil
import sys
from pathlib import Path

from docutils import nodes
from hieroglyph.builder import building_slides
from sphinx.errors import ExtensionError

from deck_builders import building_site  # same folder (slides/_ext), on Sphinx's path
from deck_record import record

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))           # slides.tools: the fetching program, and its pinned version
from slides.tools import pyodide as pyodide_tool  # noqa: E402

VERSION = '1'

FOLDER = '_static/pyodide'               # in the build's output: the runtime, and snippets/ beside it


def active(app):
    return building_site(app) or building_slides(app)


def shares_site_copy(app):
    """The deck published inside the site (``make site``) uses the site's copy, one folder up."""
    return building_slides(app) and bool(app.config.slide_link_to_html)


def browser_snippets(app):
    """The module names that run in the browser: the deck record's ``browser`` flag (conf.py's
    ``deck_browser_snippets``, for the snippets that a slide shows)."""
    return sorted(info['module'] for info in record(app.env)['snippets'].values() if info['browser'])


def check_list(app):
    snippets = Path(app.confdir, app.config.deck_snippets or 'snippets')
    unknown = [name for name in app.config.deck_browser_snippets if not (snippets / f'{name}.py').is_file()]
    if unknown:
        raise ExtensionError(f'deck_browser_snippets: no such snippet: {", ".join(unknown)}')


def add_client(app):
    if not active(app):
        return
    check_list(app)
    app.add_js_file('pyrun.js')
    if not building_slides(app):
        app.add_css_file('pyrun.css')


def add_meta(app, pagename, templatename, context, doctree):
    """``<meta name="pyrun-runtime">``: the runtime's folder, relative to the page."""
    if active(app) and 'pathto' in context:
        up = '../' if shares_site_copy(app) else ''
        context['metatags'] = (context.get('metatags', '') + '\n<meta name="pyrun-runtime" content="'
                               + up + context['pathto'](FOLDER + '/', 1) + '" />')


def mark_runnable_code(app, doctree, docname):
    """After each block of code from a snippet that runs in the browser: its mark."""
    if not active(app):
        return
    listed = set(app.config.deck_browser_snippets)
    folder = Path(app.confdir, app.config.deck_snippets or 'snippets').resolve()
    for block in list(doctree.findall(nodes.literal_block)):
        source = Path(block.get('source') or '/').resolve()
        if source.parent == folder and source.suffix == '.py' and source.stem in listed:
            hidden = ' hidden' if building_slides(app) else ''
            mark = f'<div class="pyrun" data-pyrun="{source.stem}"{hidden}></div>\n'
            block.parent.insert(block.parent.index(block) + 1, nodes.raw('', mark, format='html'))


def copy_runtime(app, exception):
    if exception or not active(app) or shares_site_copy(app):
        return
    runtime = pyodide_tool.runtime()
    if runtime is None:
        raise ExtensionError(f'Pyodide {pyodide_tool.VERSION} is not in {pyodide_tool.CACHE}: '
                             '`make pyodide` (python -m slides.tools.pyodide fetch) fetches it')
    target = Path(app.outdir, FOLDER)
    (target / 'snippets').mkdir(parents=True, exist_ok=True)
    for name in pyodide_tool.FILES:
        if not (target / name).is_file() or (target / name).stat().st_size != (runtime / name).stat().st_size:
            shutil.copyfile(runtime / name, target / name)
    snippets = Path(app.confdir, app.config.deck_snippets or 'snippets')
    for name in browser_snippets(app):
        shutil.copyfile(snippets / f'{name}.py', target / 'snippets' / f'{name}.py')


def setup(app):
    app.setup_extension('deck_record')                 # the record, and deck_browser_snippets
    app.connect('builder-inited', add_client)
    app.connect('html-page-context', add_meta)
    app.connect('doctree-resolved', mark_runnable_code)
    app.connect('build-finished', copy_runtime)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
