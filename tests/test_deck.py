"""Deck checks: the builds pass with -W, slides show code only by literalinclude, every snippet is shown,
every speaker note is short enough to say."""
import json
import os
import pickle
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser

import pytest
from docutils import nodes

import mutate
from _support import ROOT, deck_keys, deck_record, design_size, shown_snippets
from deck_steps import StepsLiteralInclude

SLIDES = ROOT / 'slides'
SNIPPETS = ROOT / 'snippets'
NOT_ON_SLIDES = {'__init__.py'}  # the package marker (helpers, _name.py, are on no slide)
NOTE_WORDS = 120    # a speaker note is what the presenter says on one slide: about a minute


def doctrees(build):
    for path in sorted((build / '.doctrees').glob('*.doctree')):
        with path.open('rb') as f:
            yield path.stem, pickle.load(f)


def test_the_deck_has_a_slide_for_every_section_of_the_talk(slides_build):
    """hieroglyph made one level-1 slide of every section the build's record lists, in the talk's order."""
    html = (slides_build / 'index.html').read_text()
    titles = [re.sub(r'<[^>]+>', '', heading).strip() for heading in re.findall(
        r'<article class="(?:[^"]* )?slide level-1" id="[^"]*">\s*<h1>(.*?)</h1>', html, re.S)]
    assert len(re.findall(r'<article\b', html)) == len(titles)   # every slide is a level-1 slide
    assert [unescape(title) for title in titles] == [slide['title'] for slide in deck_record(slides_build)['slides']]
    assert titles[0] == 'I/O concurrency: asyncio' and titles[-1] == 'Thank you!'


def test_every_slide_has_a_speaker_note(slides_build):
    html = (slides_build / 'index.html').read_text()
    slides = html.split('<article')[1:]
    without = [re.search(r'<h1>([^<]*)', s).group(1) for s in slides if 'class="admonition note' not in s]
    assert not without


class SlideNotes(HTMLParser):
    """The words of each slide's speaker notes in the built deck: ``{slide title: words}``."""

    def __init__(self):
        super().__init__()
        self.words, self.title = {}, None
        self.in_title = self.skipping = False
        self.note_depth = 0                      # open <div>s inside a note; 0: not in a note

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get('class') or '').split()
        if tag == 'article':
            self.title = None
        elif tag == 'h1' and self.title is None:
            self.in_title, self.title = True, ''
        elif tag == 'div' and self.note_depth:
            self.note_depth += 1
        elif tag == 'div' and {'admonition', 'note'} <= set(classes):
            self.note_depth = 1
            self.words.setdefault(self.title, 0)
        elif tag == 'p' and 'admonition-title' in classes:
            self.skipping = True                 # the word "Note" itself

    def handle_endtag(self, tag):
        if tag == 'h1':
            self.in_title = False
        elif tag == 'div' and self.note_depth:
            self.note_depth -= 1
        elif tag == 'p':
            self.skipping = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif self.note_depth and not self.skipping:
            self.words[self.title] += len(data.split())


def note_words(html):
    parser = SlideNotes()
    parser.feed(html)
    return parser.words


def test_note_words_counts_only_the_note():
    html = ('<article class="slide"><h1>One</h1><p>not counted</p>'
            '<div class="admonition note"><p class="admonition-title">Note</p>'
            '<p>three <code>short</code> words</p><div><p>and two</p></div></div>'
            '<p>after the note</p></article>'
            '<article class="slide"><h1>Two</h1><div class="admonition note"><p>one</p></div></article>')
    assert note_words(html) == {'One': 5, 'Two': 1}


def test_every_speaker_note_is_short_enough_to_say(slides_build):
    """The presenter says a note in about a minute; more belongs on the site (``.. ifnotslides::``)."""
    words = note_words((slides_build / 'index.html').read_text())
    assert words, 'no speaker notes found in the deck'
    too_long = {title: n for title, n in words.items() if n > NOTE_WORDS}
    assert not too_long, f'notes over {NOTE_WORDS} words (move history into .. ifnotslides::): {too_long}'


TALK_WORDS = 4200   # all the notes: about 30 minutes at 140 words a minute, of the talk's 40 (conf.py)


def test_all_speaker_notes_fit_in_the_talk(slides_build):
    """Said aloud, the notes leave time for the code and for questions: counted in the built deck,
    with the measured figures filled in, site-only text left out."""
    total = sum(note_words((slides_build / 'index.html').read_text()).values())
    assert total <= TALK_WORDS, f'the notes have {total} words, over {TALK_WORDS}: move detail to the site'


def test_site_only_text_stays_off_the_slides(slides_build, html_build):
    """``.. ifnotslides::`` text reaches the HTML site and not the deck."""
    marker = 'the fork server itself dies'          # from blocking.rst, inside ifnotslides
    assert marker in (html_build / 'blocking.html').read_text()
    assert marker not in (slides_build / 'index.html').read_text()


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


def test_every_snippet_is_on_a_slide(html_build):
    """Every module under snippets/ but the helpers (``_name``) is shown on a slide."""
    snippets = {p.name for ext in ('*.py', '*.pycon') for p in SNIPPETS.glob(ext)
                if not p.name.startswith('_') and p.name not in NOT_ON_SLIDES}
    missing = sorted(snippets - shown_snippets(html_build))
    assert not missing, f'on no slide (literalinclude it, or name it _{missing[0]} if it is a helper): {missing}'


def test_includes_name_no_line_numbers():
    """``:lines:`` drifts silently when a snippet changes: the deck's literalinclude has no such option
    (use :pyobject: or markers), so a build that uses it fails."""
    assert 'lines' not in StepsLiteralInclude.option_spec


def test_hieroglyph_compat_lets_deprecations_through_for_the_projects_own_code():
    """The compat layer lets hieroglyph's ``traverse()`` through for hieroglyph's modules only, and only
    once a build has set it up (importing it changes no warning filter and patches nothing); its
    patches apply once however often ``setup()`` runs; Sphinx's deprecations (``RemovedInSphinx10Warning``,
    ``RemovedInSphinx11Warning``) stay errors, in hieroglyph's modules too, whatever they say."""
    code = ('import warnings, hieroglyph.builder, hieroglyph.directives, sphinx.theming; '
            'before = list(warnings.filters); apply = hieroglyph.directives.TransformNextSlides.apply; '
            'import hieroglyph_compat; '
            'assert warnings.filters == before, "filters installed at import"; '
            'assert hieroglyph.directives.TransformNextSlides.apply is apply, "patched at import"; '
            'hieroglyph_compat.patch_hieroglyph(); hieroglyph_compat.patch_hieroglyph(); '
            'assert not hasattr(hieroglyph.builder.AbstractSlideBuilder, "post_process_images") or '
            '"post_process_images" not in vars(hieroglyph.builder.AbstractSlideBuilder); '
            'hieroglyph_compat.let_hieroglyphs_traverse_through(); '
            'from sphinx.deprecation import RemovedInSphinx10Warning, RemovedInSphinx11Warning; '
            'caught = []\n'
            'for category in (RemovedInSphinx10Warning, RemovedInSphinx11Warning):\n'
            '    try: warnings.warn_explicit("nodes.Node.traverse() is obsoleted by Node.findall().", '
            'category, "hieroglyph/writer.py", 1, module="hieroglyph.writer")\n'
            '    except category: caught.append(category)\n'
            'assert len(caught) == 2, "a Sphinx deprecation in hieroglyph is let through"\n'
            'from docutils import nodes; nodes.paragraph().traverse()')
    result = subprocess.run([sys.executable, '-W', 'error', '-c', code], capture_output=True, text=True,
                            timeout=60, env={**os.environ, 'PYTHONPATH': str(SLIDES / '_ext')})
    assert result.returncode != 0 and 'findall' in result.stderr, result.stderr


def test_every_break_of_make_mutate_still_applies_to_its_snippet():
    """`make mutate` is not in the default run: catch here a snippet edit that strands a break."""
    stale = [brk.id for brk in mutate.BREAKS
             if (SNIPPETS / f'{brk.module}.py').read_text().count(brk.old) != 1]
    assert not stale


def test_the_readme_lists_the_decks_keys():
    """The README's key table is deck.js's (the help overlay's), key for key, in order: a key
    ``a  b`` there is ``a / b`` here, and a single key may be in backticks."""
    readme = (ROOT / 'README.md').read_text()
    table = readme[readme.index('| key | does |'):]
    rows = re.findall(r'^\| (.+?) \| .+ \|$', table[:table.index('\n\n')], re.M)[1:]   # not the header
    assert [row.replace('`', '') for row in rows] == [keys.replace('  ', ' / ') for keys in deck_keys()]


def test_the_pdf_pages_are_the_design_size():
    """``@page`` cannot read custom.css's variables: its size must say the same numbers."""
    css = (SLIDES / '_static' / 'custom.css').read_text()
    page = re.search(r'@page\s*\{\s*size:\s*(\d+)px\s+(\d+)px', css)
    assert tuple(map(int, page.groups())) == design_size()


# Sphinx 11 removes ``env.app`` and ``builder.app`` (deprecated in 9): a build where reading either
# raises AttributeError, as it will there, run as the Makefile runs Sphinx.
SPHINX_11 = '''
import sys
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment

def removed(self):
    raise AttributeError(f"{type(self).__name__}.app: removed in Sphinx 11 (simulated)")

Builder.app = property(removed)
BuildEnvironment.app = property(removed)
from sphinx.cmd.build import main
sys.exit(main(sys.argv[1:]))
'''


@pytest.mark.parametrize('builder, tags', [('html', ()), ('singlefile-slides', ()), ('html', ('-t', 'site')),
                                           ('singlefile-slides', ('-t', 'site'))])
def test_the_deck_and_the_site_build_without_env_app_and_builder_app(builder, tags, tmp_path):
    result = subprocess.run(
        [sys.executable, '-W', 'error', '-c', SPHINX_11, '-W', '--keep-going', '-q', *tags, '-b', builder,
         '-c', str(ROOT), '-d', str(tmp_path / 'doctrees'), str(SLIDES), str(tmp_path / 'out')],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'out' / 'index.html').is_file()


VERSIONS = """
import json, sys
from sphinx.application import Sphinx
app = Sphinx(sys.argv[1], sys.argv[1] + '/..', sys.argv[2], sys.argv[2] + '/.doctrees', 'html', status=None)
print(json.dumps({name: [ext.version, ext.parallel_read_safe, ext.parallel_write_safe]
                  for name, ext in app.extensions.items()}))
"""


def test_every_extension_of_the_deck_says_its_version_and_that_it_is_parallel_safe(tmp_path):
    """Each module of slides/_ext that is an extension (it has ``setup``) is loaded by conf.py, and its
    ``setup()`` returns a version and parallel read and write safety (Sphinx: "unknown version" and unsafe
    otherwise)."""
    ours = sorted(p.stem for p in (SLIDES / '_ext').glob('*.py') if '\ndef setup(app):' in p.read_text())
    result = subprocess.run([sys.executable, '-W', 'error', '-c', VERSIONS, str(SLIDES), str(tmp_path)],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert {name: loaded.get(name) for name in ours} == {
        name: [loaded.get(name, ['?'])[0], True, True] for name in ours}
    assert 'unknown version' not in [loaded[name][0] for name in ours]
