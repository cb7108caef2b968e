"""Sphinx configuration for the deck.

The sources are in slides/ and this file sits at the top of the project, so
every build passes ``-c .`` (see the Makefile).  Paths below are relative to
this directory.  hieroglyph 2.1.0 needs Sphinx 6.2.1 (requirements.txt).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'slides', '_ext'))

project = 'I/O concurrency: asyncio'
author = 'Ilya Etingof'
copyright = '2015, Ilya Etingof; revised and tested 2026'

extensions = [
    'hieroglyph',
    'sphinxcontrib.jquery',   # hieroglyph's slide and console JavaScript use $
    'deck_fixes',             # slides/_ext: fixes for hieroglyph defects
]

root_doc = 'index'
exclude_patterns = ['_build']
templates_path = []
pygments_style = 'default'
highlight_language = 'python3'

# -- HTML site ---------------------------------------------------------------
html_theme = 'alabaster'
html_title = project
html_static_path = ['slides/_static']
html_show_sourcelink = False

# -- Slides (hieroglyph) -----------------------------------------------------
slide_theme = 'slides'
slide_levels = 3
slide_numbers = True
slide_footer = 'I/O concurrency: asyncio'
slide_theme_options = {'custom_css': 'custom.css'}
