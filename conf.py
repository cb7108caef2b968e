"""Sphinx configuration for the deck.

The sources are in slides/ and this file sits at the top of the project, so
every build passes ``-c .`` (see the Makefile).  Paths below are relative to
this directory.  hieroglyph 2.1.0 runs on Sphinx 9 through slides/_ext/hieroglyph_compat.py.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'slides', '_ext'))

project = 'I/O concurrency: asyncio'
author = 'Ilya Etingof'
copyright = '2015, Ilya Etingof; revised and tested 2026'

extensions = [
    'hieroglyph_compat',      # slides/_ext: hieroglyph 2.1.0 on Sphinx 9 (load before hieroglyph)
    'hieroglyph',
    'sphinxcontrib.jquery',   # hieroglyph's slide and console JavaScript use $
    'deck_fixes',             # slides/_ext: fixes for hieroglyph defects
    'deck_publish',           # slides/_ext: the snippets as pages of the HTML site
    'deck_steps',             # slides/_ext: literalinclude's :steps: (step-through code on slides)
    'deck_stage',             # slides/_ext: fit to screen, keys, presenter console (slides only)
    'deck_present',           # slides/_ext: `make present`, and `r` runs a slide's snippet
]

root_doc = 'index'
exclude_patterns = ['_build']
templates_path = ['slides/_templates']
pygments_style = 'default'
highlight_language = 'python3'

# -- HTML site ---------------------------------------------------------------
html_theme = 'alabaster'
html_title = project
html_static_path = ['slides/_static']
html_css_files = ['site.css']
html_show_sourcelink = False
html_favicon = 'slides/_static/favicon.svg'
# (hieroglyph appends slidelink.html, "View as slides", when building the site)
html_sidebars = {'**': ['about.html', 'navigation.html', 'snippets.html', 'searchbox.html']}
deck_snippets = 'snippets'    # every module shown on a slide, as a page of the site

# -- Slides (hieroglyph) -----------------------------------------------------
slide_theme = 'slides'
slide_levels = 3
slide_numbers = True
slide_footer = 'I/O concurrency: asyncio'
slide_theme_options = {'custom_css': 'custom.css'}
deck_talk_minutes = 40        # the talk's slot: the presenter console's pace hint measures against it

# -- The published site (`make site` builds with -t site) ---------------------
# One folder: the HTML site at its root, the deck in slides/, linked both ways
# (deck_fixes makes hieroglyph's links work with the single-file deck).
if tags.has('site'):  # noqa: F821 (Sphinx provides tags)
    slide_link_to_html = True                    # each slide -> its section of the site
    slide_html_relative_path = '../'
    slide_link_html_to_slides = True             # each page (sidebar) -> its first slide
    slide_link_html_sections_to_slides = True    # each section title -> its slide
    slide_relative_path = 'slides/'
