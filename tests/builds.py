"""The deck's builds, made once per test run and shared by every module that reads them, also across
pytest-xdist's workers (`make check`) (a pytest plugin: conftest.py registers it).

``slides_build`` and ``html_build`` are `make slides` and `make html` (the matrix has them too);
``site`` is the folder to publish, built by the commands of ``.readthedocs.yaml`` (`make install`,
`make site`), which needs make, the project's venv and Chromium (the preview image).
"""
import os
import re
import shutil

import pytest
import yaml
from filelock import FileLock

from _support import ROOT, build_env, missing, shell, sphinx_build
from slides.tools.publish import find_chromium


def once(tmp_path_factory, name, build):
    """The folder ``name`` that ``build(folder)`` fills, built by the first worker that asks for it
    (pytest-xdist's workers have their base temp folders side by side, in the run's own)."""
    run = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        run = run.parent
    folder, done = run / name, run / f'{name}.done'
    with FileLock(run / f'{name}.lock'):
        if not done.exists():
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope='session')
def slides_build(tmp_path_factory):
    """The deck alone, as `make slides` builds it (``index.html`` at its root)."""
    return once(tmp_path_factory, 'slides', lambda folder: sphinx_build('singlefile-slides', folder))


@pytest.fixture(scope='session')
def html_build(tmp_path_factory):
    """The HTML site alone, as `make html` builds it (doctrees in ``.doctrees``)."""
    return once(tmp_path_factory, 'html', lambda folder: sphinx_build('html', folder))


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

    def build(tmp):
        env = build_env(READTHEDOCS_OUTPUT=str(tmp / 'output'), BUILD=str(tmp / 'build'))
        for command in readthedocs_config['build']['commands']:
            shell(command, env)
    return once(tmp_path_factory, 'readthedocs', build) / 'output' / 'html'
