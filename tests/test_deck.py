"""Deck checks: the builds pass with -W, slides show code only by literalinclude, every snippet is shown."""
import pickle
import subprocess
import sys
import re

import pytest
from docutils import nodes

from _support import ROOT, sphinx_build

SLIDES = ROOT / 'slides'
SNIPPETS = ROOT / 'snippets'
NOT_ON_SLIDES = {'__init__.py', 'demo_server.py'}  # the package marker; the demo server runs the demos


@pytest.fixture(scope='session')
def slides_build(tmp_path_factory):
    return sphinx_build('singlefile-slides', tmp_path_factory.mktemp('slides'))


@pytest.fixture(scope='session')
def html_build(tmp_path_factory):
    return sphinx_build('html', tmp_path_factory.mktemp('html'))


def doctrees(build):
    for path in sorted((build / '.doctrees').glob('*.doctree')):
        with path.open('rb') as f:
            yield path.stem, pickle.load(f)


def test_slides_build_has_all_37_slides(slides_build):
    html = (slides_build / 'index.html').read_text()
    titles = re.findall(r'<article class="(?:[^"]* )?slide level-1" id="[^"]*">\s*<h1>([^<]*)', html)
    assert len(re.findall(r'<article\b', html)) == len(titles)   # every slide is a level-1 slide
    assert len(titles) >= 37
    assert titles[0] == 'I/O concurrency: asyncio' and titles[-1] == 'Thank you!'


def test_every_slide_has_a_speaker_note(slides_build):
    html = (slides_build / 'index.html').read_text()
    slides = html.split('<article')[1:]
    without = [re.search(r'<h1>([^<]*)', s).group(1) for s in slides if 'class="admonition note' not in s]
    assert not without


def test_html_build_has_every_part(html_build):
    parts = {p.stem for p in SLIDES.glob('*.rst')}
    assert parts <= {p.stem for p in html_build.glob('*.html')}


def test_code_on_slides_comes_only_from_snippets(html_build):
    """No code-block, literal block or doctest block typed into a slide: only literalinclude."""
    typed = []
    for doc, tree in doctrees(html_build):
        for node in tree.findall(lambda n: isinstance(n, (nodes.literal_block, nodes.doctest_block))):
            source = node.get('source', '')
            if isinstance(node, nodes.doctest_block) or not source.startswith(str(SNIPPETS)):
                typed.append(f'{doc}: {node.astext()[:60]!r}')
    assert not typed


def included_files():
    pattern = re.compile(r'^\s*\.\.\s+literalinclude::\s*(\S+)', re.M)
    return {(SLIDES / m).resolve() for rst in SLIDES.glob('*.rst')
            for m in pattern.findall(rst.read_text())}


def test_every_snippet_is_on_a_slide():
    snippets = {p.resolve() for ext in ('*.py', '*.pycon') for p in SNIPPETS.rglob(ext)
                if not p.name.startswith('_') and p.name not in NOT_ON_SLIDES}
    assert not sorted(str(p.relative_to(ROOT)) for p in snippets - included_files())


def test_every_include_exists():
    assert all(path.is_file() for path in included_files())


def test_no_line_numbers_in_includes():
    """``:lines:`` drifts silently when a snippet changes: use :pyobject: or markers."""
    assert not [rst.name for rst in SLIDES.glob('*.rst') if re.search(r'^\s*:lines:', rst.read_text(), re.M)]


def test_hieroglyph_compat_reports_the_version_without_pkg_resources():
    sys.path.insert(0, str(SLIDES / '_ext'))
    import hieroglyph_compat
    assert hieroglyph_compat.version() == '2.1.0'


def test_hieroglyph_compat_lets_deprecations_through_for_the_projects_own_code():
    """The compat layer silences two deprecated reads for hieroglyph's modules only."""
    code = ('import sys; sys.path.insert(0, sys.argv[1]); import hieroglyph_compat; '
            'from docutils import nodes; nodes.paragraph().traverse()')
    result = subprocess.run([sys.executable, '-W', 'error', '-c', code, str(SLIDES / '_ext')],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and 'findall' in result.stderr
