"""Presenting the deck on today's screens: the slide builders get ``_static/deck.js`` and
``_static/deck.css`` (fit to any window, step-through code, keys, black screen, help, deep links,
and a presenter console with clock, timer and pace).

Configuration (conf.py)::

    deck_talk_minutes = 40      # the slot's length: the console's pace hint measures against it

The value reaches the pages as ``<meta name="deck-talk-minutes">``.  The HTML site gets none of
this.
"""
import html

from hieroglyph.builder import building_slides

VERSION = '1'


def add_assets(app):
    if building_slides(app):
        app.add_css_file('deck.css')
        app.add_js_file('deck.js')


def add_meta(app, pagename, templatename, context, doctree):
    if building_slides(app):
        minutes = html.escape(str(app.config.deck_talk_minutes))
        context['metatags'] = (context.get('metatags', '')
                               + f'\n<meta name="deck-talk-minutes" content="{minutes}" />')


def setup(app):
    app.add_config_value('deck_talk_minutes', 40, 'html', types=(int, float))
    app.connect('builder-inited', add_assets)
    app.connect('html-page-context', add_meta)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
