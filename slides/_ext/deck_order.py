"""The order of the deck's event handlers, where it matters across extensions: one place.

Sphinx calls the handlers of an event by priority, lowest first; 500 is the default, and the
priority of hieroglyph's own handlers.  Where one module's handlers depend on each other, one
handler does the steps in turn instead (``deck_steps.prepare_code``: trim, then resolve steps).
"""

# html-page-context, on slide pages: the layout's assets are objects until hieroglyph_compat
# makes them file names (400); then deck_publish drops the site's own assets (450); then
# deck_fixes drops documentation_options.js (500, the default) and fixes the page.
ASSET_NAMES = 400
SITE_ASSETS_OFF_SLIDES = 450

# builder-inited and html-page-context: deck_fixes repairs what hieroglyph's handlers (500) did.
AFTER_HIEROGLYPH = 600

# builder-inited: deck_publish tidies what other extensions' handlers (500) appended to the configuration.
AFTER_EXTENSIONS = 600
