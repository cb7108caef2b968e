"""The deck's builds, made once per test run and shared by every module that reads them, also across
pytest-xdist's workers (`make check`) (a pytest plugin: conftest.py registers it).

``slides_build`` and ``html_build`` are `make slides` and `make html` (the matrix has them too);
``site`` is the folder to publish, built by the build jobs of ``.readthedocs.yaml`` as Read the Docs
runs them (`make install npm-chromium`, `make site`): no Chromium on PATH, so the preview image is
taken with the one npm brings, from npm's cache (offline: `make deps` put it there).
"""
import os
import re
import shutil
import sys
from pathlib import Path

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


# Read the Docs' build jobs, in the order it runs them (readthedocs.org, doc_builder/director.py);
# without a sphinx: key, a job the config leaves out does nothing.
READTHEDOCS_JOBS = ('post_checkout', 'pre_system_dependencies', 'post_system_dependencies',
                    'pre_create_environment', 'create_environment', 'post_create_environment',
                    'pre_install', 'install', 'post_install', 'pre_build', 'build.html', 'post_build')
# What would find a Chromium other than the one the build jobs name: these commands on PATH, $CHROMIUM.
BROWSERS = {'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'}


def readthedocs_commands(config):
    """The commands of the config's build jobs, in the order Read the Docs runs them."""
    for job in READTHEDOCS_JOBS:
        commands = config['build'].get('jobs', {})
        for key in job.split('.'):
            commands = (commands or {}).get(key)
        yield from commands or ()


def path_without_browsers(path, links):
    """``path`` (a PATH) with no browser on it: each folder that holds one is replaced by the folder
    ``links`` of links to all its other commands."""
    folders = []
    for folder in map(Path, path.split(os.pathsep)):
        if not any((folder / name).exists() for name in BROWSERS):
            folders.append(str(folder))
            continue
        links.mkdir(parents=True, exist_ok=True)
        for command in folder.iterdir():
            if command.name not in BROWSERS and not (links / command.name).exists():
                (links / command.name).symlink_to(command)
        if str(links) not in folders:
            folders.append(str(links))
    return os.pathsep.join(folders)


def needs_npm_chromium():
    """npm, and the package of `make npm-chromium` in npm's cache (the build jobs run offline)."""
    if not shutil.which('npm'):
        missing('npm not found (Read the Docs\' Chromium, `make npm-chromium`): install Node.js')
    package = re.search(r'^NPM_CHROMIUM_PACKAGE := (\S+)', (ROOT / 'Makefile').read_text(), re.M).group(1)
    name, version = package.rsplit('@', 1)
    listed = shell(f'npm cache ls {package}', build_env())
    if f'/{name.split("/")[-1]}-{version}.tgz' not in listed:
        missing(f'{package} is not in npm\'s cache: `make deps`')


@pytest.fixture(scope='session')
def site(tmp_path_factory, readthedocs_config):
    """The folder to publish, as the build jobs of .readthedocs.yaml write it into $READTHEDOCS_OUTPUT/html
    (no base URL: every link relative), run in Read the Docs' order, each in a fresh shell in the
    checkout, with no Chromium on PATH, none of Playwright's, no $CHROMIUM, and npm offline.  Its
    parent folder takes the tests' screenshots and reports; the build folder is beside it."""
    needs_make_site()
    needs_npm_chromium()

    def build(tmp):
        env = build_env(READTHEDOCS_OUTPUT=str(tmp / 'output'), BUILD=str(tmp / 'build'),
                        PLAYWRIGHT_BROWSERS_PATH=str(tmp / 'no-playwright-browsers'), npm_config_offline='true')
        env.pop('CHROMIUM', None)
        env['PATH'] = path_without_browsers(env['PATH'], tmp / 'path-without-browsers')
        found = shell(f'{sys.executable} -c "from slides.tools.publish import find_chromium; '
                      f'print(find_chromium())"', env)
        assert found.strip() == 'None', f'a Chromium is still found: {found}'
        for command in readthedocs_commands(readthedocs_config):
            shell(command, env)
    return once(tmp_path_factory, 'readthedocs', build) / 'output' / 'html'
