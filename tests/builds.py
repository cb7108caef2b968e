"""The deck's builds, made once per test session and shared by every module that reads them
(a pytest plugin: conftest.py registers it).

``slides_build`` and ``html_build`` are `make slides` and `make html` (the matrix has them too);
``site`` is the folder to publish, built by the commands of ``.readthedocs.yaml`` (`make install`,
`make site`), which needs make, the project's venv and Chromium (the preview image).
"""
import re
import shutil

import pytest
import yaml

from _support import ROOT, build_env, missing, shell, sphinx_build
from slides.tools.publish import find_chromium


@pytest.fixture(scope='session')
def slides_build(tmp_path_factory):
    """The deck alone, as `make slides` builds it (``index.html`` at its root)."""
    return sphinx_build('singlefile-slides', tmp_path_factory.mktemp('slides'))


@pytest.fixture(scope='session')
def html_build(tmp_path_factory):
    """The HTML site alone, as `make html` builds it (doctrees in ``.doctrees``)."""
    return sphinx_build('html', tmp_path_factory.mktemp('html'))


@pytest.fixture(scope='session')
def slide_ids(slides_build):
    """The ids of the slides, in order, from the built deck."""
    deck = (slides_build / 'index.html').read_text()
    ids = re.findall(r'<article class="[^"]*\bslide\b[^"]*" id="([^"]+)"', deck)
    assert ids and len(ids) == deck.count('<article')
    return ids


def needs_make_site():
    """What `make site` needs beyond the Python packages; skip (fail in CI) without it."""
    if not (ROOT / '.venv' / '.installed').is_file():
        missing('the site is built with the project venv: `make install`')
    if not shutil.which('make'):
        missing('make not found: `make deps`')
    if not find_chromium():
        missing('Chromium not found (the preview image): install the Debian package chromium (`make deps`)')


@pytest.fixture(scope='session')
def readthedocs_config():
    return yaml.safe_load((ROOT / '.readthedocs.yaml').read_text())


@pytest.fixture(scope='session')
def site(tmp_path_factory, readthedocs_config):
    """The folder to publish, as the commands of .readthedocs.yaml write it into $READTHEDOCS_OUTPUT/html
    (no base URL: every link relative).  Its parent folder takes the tests' screenshots and reports."""
    needs_make_site()
    tmp = tmp_path_factory.mktemp('readthedocs')
    env = build_env(READTHEDOCS_OUTPUT=str(tmp / 'output'), BUILD=str(tmp / 'build'))
    for command in readthedocs_config['build']['commands']:
        shell(command, env)
    return tmp / 'output' / 'html'
