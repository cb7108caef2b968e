"""Sphinx configuration for the deck.

The sources are in slides/ and this file sits at the top of the project, so
every build passes ``-c .`` (see the Makefile).  Paths below are relative to
this directory.  hieroglyph 2.1.0 runs on Sphinx 9 through slides/_ext/hieroglyph_compat.py.
"""
import html
import os
import sys
import warnings
from urllib.parse import urlsplit

from sphinx.deprecation import RemovedInSphinx11Warning

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'slides', '_ext'))

project = 'I/O concurrency: asyncio'
author = 'Ilya Etingof'
copyright = '2015, Ilya Etingof; revised and tested 2026'

extensions = [
    'hieroglyph_compat',      # slides/_ext: hieroglyph 2.1.0 on Sphinx 9 (load before hieroglyph)
    'hieroglyph',
    'sphinxcontrib.jquery',   # hieroglyph's slide and console JavaScript use $
    'deck_fixes',             # slides/_ext: fixes for hieroglyph defects
    'deck_a11y',              # slides/_ext: accessibility fixes (lang, ARIA, keyboard)
    'deck_publish',           # slides/_ext: the snippets as pages of the HTML site, preview tags
    'deck_steps',             # slides/_ext: literalinclude's :steps: (step-through code on slides)
    'deck_record',            # slides/_ext: the record of slides and snippets, written as deck.json
    'deck_stage',             # slides/_ext: fit to screen, keys, presenter console (slides only)
    'deck_present',           # slides/_ext: `make present`, and `r` runs a slide's snippet
    'deck_browser',           # slides/_ext: Run buttons, and `r` without a server: Pyodide in the browser
    'sphinx.ext.githubpages',  # .nojekyll: GitHub Pages serves _static/, _images/ as they are
    'sphinx_copybutton',       # a copy button on every code block of the site (not the slides)
    'notfound.extension',      # 404.html (sphinx-notfound-page), themed like every other page
]

root_doc = 'index'
exclude_patterns = ['_build', 'bench/*.rst']   # included by the measured slides, not pages
templates_path = ['slides/_templates']
template_bridge = 'deck_a11y.SlideTemplates'   # slides/_ext: hieroglyph's slide layout with a lang
pygments_style = 'default'
highlight_language = 'python3'

# -- HTML site ---------------------------------------------------------------
# Furo: light and dark following the reader's system (its toggle can override), laid out
# for phones.  The slides keep hieroglyph's theme: html_theme is read by the html builder only.
html_theme = 'furo'
html_title = project
html_static_path = ['slides/_static']
# The priority Sphinx gives it anyway, written out: Sphinx writes it into this setting when the build
# starts, so the next build found the configuration changed and rewrote every page.
html_css_files = [('site.css', {'priority': 800})]
html_show_sourcelink = False
html_favicon = 'slides/_static/favicon.svg'
html_theme_options = {'top_of_page_buttons': []}   # no repository to edit or view source in
pygments_dark_style = 'native'                       # Furo: code colours in dark mode
# Furo's sidebar, with the way to this page's slides and to the snippet sources first
# (slides/_templates), then the talk's contents.
html_sidebars = {'**': ['sidebar/brand.html', 'sidebar/search.html', 'sidebar/scroll-start.html',
                        'slidelink.html', 'snippets.html', 'sidebar/navigation.html',
                        'sidebar/scroll-end.html']}
deck_snippets = 'snippets'    # every module shown on a slide, as a page of the site
# deck_record: the snippets that also run in the reader's browser (Python 3.14 on Pyodide, deck_browser.py):
# standard library only, no socket, thread or subprocess (tests/test_pyodide.py holds that).
deck_browser_snippets = [
    'generators', 'generator_send', 'generator_scheduler', 'delegating', 'decorators', 'tiny_loop',
    'loop_hello', 'loop_call_soon', 'futures', 'tasks', 'idiom_sequential', 'idiom_parallel',
    'idiom_chained', 'idiom_timer', 'taskgroup', 'cancellation',
]

# The copy button copies the code alone: no ">>> " / "... " prompts (and, in an interactive
# session, only the lines typed), no line numbers.
copybutton_prompt_text = r'>>> |\.\.\. '
copybutton_prompt_is_regexp = True
copybutton_exclude = '.linenos'

# Where the site is published, e.g. https://NAME.github.io/TALK/ (`DECK_BASE_URL=... make site`;
# Read the Docs sets its canonical URL).  It makes og:image and og:url absolute (as Open Graph
# wants), adds <link rel="canonical">, and roots the 404 page's links.  Without it, og:image is
# relative to the page and the 404 page assumes the site is at the root of its host.
deck_base_url = os.environ.get('DECK_BASE_URL') or os.environ.get('READTHEDOCS_CANONICAL_URL', '')
if deck_base_url and not deck_base_url.endswith('/'):
    deck_base_url += '/'
html_baseurl = deck_base_url
# The 404 page (sphinx-notfound-page): themed like the rest, with links from the root of the
# host, so that it works at any depth of missing address.  Its toctree helper still calls Sphinx 9
# without `tags` (readthedocs/sphinx-notfound-page#260): let that one warning through, for it only.
warnings.filterwarnings('ignore', r"'tags' will become a required keyword argument",
                        RemovedInSphinx11Warning, module=r'notfound(\..*)?$')
notfound_urls_prefix = urlsplit(deck_base_url).path or '/'
notfound_context = {
    'title': 'Page not found',
    'body': '<h1>Page not found</h1>\n<p>Nothing of the talk is at this address. Start again from '
            f'<a href="{notfound_urls_prefix}">{html.escape(project)}</a>.</p>',
}
# Social preview (og: tags on every page, deck_publish): the talk's description, and a picture
# of the title slide that `make site` takes after building the slides.
deck_description = ('Ilya Etingof\'s 2015 talk on I/O concurrency in Python, rebuilt in 2026: '
                    'blocking sockets, threads, callbacks, generators and asyncio, where every '
                    'line of code on a slide runs and is tested, the network code against real servers.')

# -- Slides (hieroglyph) -----------------------------------------------------
slide_theme = 'deck'                # slides/_themes/deck: hieroglyph's 'slides' theme, its font import left out
slide_theme_path = ['slides/_themes']
slide_levels = 3
slide_numbers = True
slide_footer = 'I/O concurrency: asyncio'
slide_theme_options = {'custom_css': 'custom.css'}
deck_talk_minutes = 40        # the talk's slot: the presenter console's pace hint measures against it

# -- The published site (`make site` builds with -t site) ---------------------
# One folder: the HTML site at its root, the deck in slides/, linked both ways
# (deck_fixes makes hieroglyph's links work with the single-file deck).
if globals()['tags'].has('site'):               # Sphinx runs this file with `tags` (the -t options) set
    slide_link_to_html = True                    # each slide -> its section of the site
    slide_html_relative_path = '../'
    slide_link_html_to_slides = True             # each page (sidebar) -> its first slide
    slide_link_html_sections_to_slides = True    # each section title -> its slide
    slide_relative_path = 'slides/'
    deck_preview = '_static/preview.png'         # written by `make site` (slides/tools/publish.py preview)
