"""hieroglyph 2.1.0 (its last release, 2020) on Sphinx 9 and docutils 0.22+: the toolchain fixes.

hieroglyph has no maintained fork; its open issues #174, #177 and #178 report these breakages.
Each fix below is one narrow patch at the point that breaks, with the defect it fixes; none
copies hieroglyph's code.  Load this extension before ``hieroglyph`` (conf.py).  The fixes of
hieroglyph's *behaviour* (not its toolchain) are in ``deck_fixes.py``.

1. ``HTMLThemeFactory(self.app)`` then ``load_additional_themes(dirs)``: Sphinx 7.3 made the
   factory's arguments keyword-only and the method private, so the slide builder stops at once
   (``'HTMLThemeFactory' object has no attribute 'load_additional_themes'``).  The folders'
   themes are registered with ``app.add_html_theme``.
2. ``builder.app`` (deprecated in Sphinx 9, removed in 11: the slide builders get a plain ``app``, the
   site's links to the slides read ``builder.config``) and docutils' ``Node.traverse()``
   (obsolete since docutils 0.18.1; ``findall()`` replaces it) are read all over hieroglyph, so
   ``python -W error`` stops the build.  The slide builders get a plain ``app``; ``traverse()`` is
   let through for hieroglyph's own modules only (a warnings filter on its module names and
   ``DeprecationWarning``), so the project's code still fails on it, and every deprecation of
   Sphinx's (``RemovedInSphinx10Warning``, ``RemovedInSphinx11Warning``) stays an error, in
   hieroglyph's modules too (``error`` filters for both, in front of that one).
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

5. Its two read-time transforms read ``env.app`` (removed in Sphinx 11) and mark their documents
   "re-read always", so no build reused a document: see below.

The patches are applied by ``setup()`` (importing this module changes nothing), once however often
it runs.

(``hieroglyph.version()`` imports ``pkg_resources``, gone from setuptools 82, but only its
``quickstart`` calls it, which imports ``pkg_resources`` itself: nothing of the build reaches it.)
"""
import posixpath
import warnings
from pathlib import Path

from hieroglyph import builder, directives
from hieroglyph import html as hieroglyph_html
from sphinx.deprecation import RemovedInSphinx10Warning, RemovedInSphinx11Warning
from sphinx.theming import HTMLThemeFactory

from deck_order import ASSET_NAMES

VERSION = '2'
HIEROGLYPH_MODULES = r'hieroglyph(\..*)?$'
THEME_FILES = ('theme.toml', 'theme.conf')   # what makes a folder a Sphinx theme


# 1. The theme factory: keyword arguments, and the theme folders registered through Sphinx's public
#    ``app.add_html_theme`` (no configuration value is changed for it).
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
        # Sphinx's factory has no public constructor but this one, and no public way to the registry.
        # It loads Sphinx's own themes into the registry; the slide themes are added after them (a
        # name of both, such as "default", is hieroglyph's here, as with load_additional_themes).
        factory = HTMLThemeFactory(confdir=app.confdir, app=app, config=app.config, registry=app.registry)
        for folder in self._dirs:                  # hieroglyph's themes, then slide_theme_path
            for theme in sorted(Path(app.confdir, folder).iterdir()):
                if any((theme / conf).is_file() for conf in THEME_FILES):
                    app.add_html_theme(theme.name, str(theme))
        return factory.create(name)


# 2. Deprecated reads: the slide builders' own ``app``; hieroglyph's ``traverse()`` let through, in its
#    modules only (setup() installs the filter, for the build that loads this extension).
def slide_builder_app(self):
    return self._app           # Sphinx 9 keeps the builder's application here; no public way to it


# The HTML site's links to the slides (``slide_link_html_to_slides``): hieroglyph's two path helpers
# read ``builder.app.config`` of Sphinx's own HTML builder; they get ``builder.config``.
def slide_path(builder, pagename=None):
    """hieroglyph's ``html.slide_path``: the page's slides, relative to the page."""
    pagename = pagename or builder.current_docname
    return builder.get_relative_uri(pagename, posixpath.join(builder.config.slide_relative_path, pagename))


def html_path(builder, pagename=None):
    """hieroglyph's ``html.html_path``: the page of the site, relative to the slide."""
    pagename = pagename or builder.current_docname
    return builder.get_relative_uri(pagename, posixpath.join(builder.config.slide_html_relative_path, pagename))


def let_hieroglyphs_traverse_through():
    """docutils' DeprecationWarning for ``traverse()`` from hieroglyph's modules is ignored; Sphinx's own
    deprecations subclass DeprecationWarning (``RemovedInSphinx10Warning``) or PendingDeprecationWarning
    (``RemovedInSphinx11Warning``), and the filters in front of it keep both errors there, whatever they say."""
    warnings.filterwarnings('ignore', r'nodes\.Node\.traverse\(\) is obsoleted', DeprecationWarning,
                            module=HIEROGLYPH_MODULES)
    for category in (RemovedInSphinx10Warning, RemovedInSphinx11Warning):
        warnings.filterwarnings('error', category=category, module=HIEROGLYPH_MODULES)


# 5. hieroglyph's two read-time transforms (``ifslides``/``ifnotslides``, ``nextslide``) read
#    ``env.app`` (removed in Sphinx 11) to ask whether slides are being built, and mark every
#    document that uses them "re-read always" (``env.note_reread()``), so every build re-read 9 of
#    the 13 documents even with nothing edited.  Their replacements below take the answer from the
#    environment (``deck_building_slides``, set at builder-inited), do the transforms' work with
#    hieroglyph's own node types and ``visit_nextslide``, and note which builder kind each document
#    was read for: only a build of the other kind re-reads it (``env-get-outdated``).
def building_slides_in(env):
    return env.deck_building_slides


def read_for_this_builder(env):
    if not hasattr(env, 'deck_read_for_slides'):
        env.deck_read_for_slides = {}
    env.deck_read_for_slides[env.docname] = building_slides_in(env)


def apply_slide_conditions(self, *args, **kwargs):
    env = self.document.settings.env
    slides = building_slides_in(env)
    found = list(self.document.findall(directives.if_slides))
    for node in found:
        node.replace_self(node.children if node.get('ifslides', False) == slides else [])
    if found:
        read_for_this_builder(env)


def apply_next_slides(self, *args, **kwargs):
    env = self.document.settings.env
    found = list(self.document.findall(directives.nextslide))
    for node in found:
        self.visit_nextslide(node, building_slides_in(env))
    if found:
        read_for_this_builder(env)


def note_builder_kind(app):
    app.env.deck_building_slides = builder.building_slides(app)


def read_for_other_builder(app, env, added, changed, removed):
    slides = building_slides_in(env)
    return [doc for doc, read_for in getattr(env, 'deck_read_for_slides', {}).items() if read_for != slides]


def purge_builder_kind(app, env, docname):
    getattr(env, 'deck_read_for_slides', {}).pop(docname, None)


def merge_builder_kind(app, env, docnames, other):
    theirs = getattr(other, 'deck_read_for_slides', {})
    if not hasattr(env, 'deck_read_for_slides'):
        env.deck_read_for_slides = {}
    env.deck_read_for_slides.update({doc: theirs[doc] for doc in docnames if doc in theirs})


# 3. Drop hieroglyph's image post-processing: Sphinx's own runs.  It only filled in
#    ``candidates`` (Sphinx's image collector always sets them) and rewrote absolute URIs inside
#    the output folder (Sphinx's HTML builders copy images to _images/ and write relative URIs).
def drop_post_process_images():
    if 'post_process_images' in vars(builder.AbstractSlideBuilder):
        del builder.AbstractSlideBuilder.post_process_images


# 4. The slide layout gets file names, not asset objects, and its stylesheet on every page.
def asset_names(app, pagename, templatename, context, doctree):
    if builder.building_slides(app):
        context.setdefault('style', app.builder.theme.get_config('theme', 'stylesheet'))
        for key in ('css_files', 'script_files'):
            if key in context:
                context[key] = [asset.filename for asset in context[key] if asset.filename]


def patch_hieroglyph():
    """Apply the patches above to hieroglyph's classes: once, however often this is called."""
    builder.HTMLThemeFactory = SlideThemeFactory
    builder.AbstractSlideBuilder.app = property(slide_builder_app)
    hieroglyph_html.slide_path, hieroglyph_html.html_path = slide_path, html_path
    drop_post_process_images()
    directives.TransformSlideConditions.apply = apply_slide_conditions
    directives.TransformNextSlides.apply = apply_next_slides


def setup(app):
    patch_hieroglyph()
    let_hieroglyphs_traverse_through()
    app.connect('builder-inited', note_builder_kind)
    app.connect('env-get-outdated', read_for_other_builder)
    app.connect('env-purge-doc', purge_builder_kind)
    app.connect('env-merge-info', merge_builder_kind)
    app.connect('html-page-context', asset_names, priority=ASSET_NAMES)
    return {'version': VERSION, 'env_version': 2, 'parallel_read_safe': True, 'parallel_write_safe': True}
