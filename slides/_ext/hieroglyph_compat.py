"""hieroglyph 2.1.0 (its last release, 2020) on Sphinx 9 and docutils 0.22+: the toolchain fixes.

hieroglyph has no maintained fork; its open issues #174, #177 and #178 report these breakages.
Each fix below is one narrow patch at the point that breaks, with the defect it fixes; none
copies hieroglyph's code.  Load this extension before ``hieroglyph`` (conf.py).  The fixes of
hieroglyph's *behaviour* (not its toolchain) are in ``deck_fixes.py``.

1. ``HTMLThemeFactory(self.app)`` then ``load_additional_themes(dirs)``: Sphinx 7.3 made the
   factory's arguments keyword-only and the method private, so the slide builder stops at once
   (``'HTMLThemeFactory' object has no attribute 'load_additional_themes'``).
2. ``builder.app``, ``env.app`` (deprecated in Sphinx 9, removed in 11) and docutils'
   ``Node.traverse()`` (obsolete since docutils 0.18.1; ``findall()`` replaces it) are read all
   over hieroglyph, so ``python -W error`` stops the build.  The slide builders get a plain
   ``app``; the other reads are let through for hieroglyph's own modules only (a warnings filter
   on its module names), so the project's code still fails on them.  Sphinx 11 ends this: then
   hieroglyph needs a patched release or a replacement.
3. ``post_process_images`` slices and compares ``self.srcdir``/``self.outdir`` as ``str``
   (``node['uri'].startswith(self.outdir)``); Sphinx 7.2+ made them ``Path`` objects, so any
   slide with an image fails (``TypeError``, or ``RemovedInSphinx10Warning`` on 9.0).  What
   it did is done by Sphinx itself today, so the override goes.
4. The slide theme's layout writes ``pathto(file, 1)`` for each of ``css_files`` and
   ``script_files``; Sphinx 7 made their items objects (``_CascadingStyleSheet``,
   ``_JavaScript``) instead of ``str`` subclasses, so rendering fails (``argument of type
   '_CascadingStyleSheet' is not iterable``).  Slide pages get the file names.  The layout
   also reads ``style``, which Sphinx 7 dropped from the context of pages that are not
   documents (the presenter console): it gets the theme's stylesheet.

(``hieroglyph.version()`` imports ``pkg_resources``, gone from setuptools 82, but only its
``quickstart`` calls it, which imports ``pkg_resources`` itself: nothing of the build reaches it.)
"""
import warnings

from hieroglyph import builder
from sphinx.theming import HTMLThemeFactory

from deck_order import ASSET_NAMES

HIEROGLYPH_MODULES = r'hieroglyph(\..*)?$'


# 1. The theme factory: keyword arguments, and the theme folders loaded through its own API.
class SlideThemeFactory:
    """What hieroglyph's ``apply_theme`` calls: ``SlideThemeFactory(app)`` with
    ``load_additional_themes(dirs)`` and ``create(name)``."""

    def __init__(self, app):
        self._app = app
        self._dirs = []

    def load_additional_themes(self, dirs):
        self._dirs = list(dirs)

    def create(self, name):
        app = self._app
        config = app.config
        saved = config.html_theme_path     # the factory reads theme folders from this setting
        config.html_theme_path = [*saved, *self._dirs]
        try:
            factory = HTMLThemeFactory(confdir=app.confdir, app=app, config=config,
                                       registry=app.registry)
        finally:
            config.html_theme_path = saved
        return factory.create(name)


builder.HTMLThemeFactory = SlideThemeFactory


# 2. Deprecated reads: the slide builders' own ``app``; hieroglyph's other reads let through
#    (setup() installs the filters, for the build that loads this extension).
builder.AbstractSlideBuilder.app = property(lambda self: self._app)


def let_hieroglyphs_deprecated_reads_through():
    warnings.filterwarnings('ignore', r"'[\w.]+\.app' is deprecated", module=HIEROGLYPH_MODULES)
    warnings.filterwarnings('ignore', r'nodes\.Node\.traverse\(\) is obsoleted', DeprecationWarning,
                            module=HIEROGLYPH_MODULES)


# 3. Drop hieroglyph's image post-processing: Sphinx's own runs.  It only filled in
#    ``candidates`` (Sphinx's image collector always sets them) and rewrote absolute URIs inside
#    the output folder (Sphinx's HTML builders copy images to _images/ and write relative URIs).
del builder.AbstractSlideBuilder.post_process_images


# 4. The slide layout gets file names, not asset objects, and its stylesheet on every page.
def asset_names(app, pagename, templatename, context, doctree):
    if builder.building_slides(app):
        context.setdefault('style', app.builder.theme.get_config('theme', 'stylesheet'))
        for key in ('css_files', 'script_files'):
            if key in context:
                context[key] = [asset.filename for asset in context[key] if asset.filename]


def setup(app):
    let_hieroglyphs_deprecated_reads_through()
    app.connect('html-page-context', asset_names, priority=ASSET_NAMES)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
