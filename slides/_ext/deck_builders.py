"""Which kind of build is running: the HTML site's or the slides' (a module of helpers, not an extension).

hieroglyph's ``building_slides(app)`` answers for its slide builders; ``building_site(app)`` answers for
the builders that write the HTML site, whose pages get the snippet pages, the links to the slides and
the site's accessibility fixes.
"""
HTML_BUILDERS = ('html', 'dirhtml')     # the site: the builders of Sphinx's HTML family that are not slides


def building_site(app):
    return app.builder.name in HTML_BUILDERS
