"""The Python matrix: the suite (snippets and both deck builds) on every supported Python, warnings as errors.

    nox -p 3.12 3.13         # pyenv's interpreters (`make matrix` sets PYENV_VERSION)
    .ci/chroot 3.14 3.15     # Debian unstable's, in a chroot: runs this file's sessions there

The tests that drive the deck in Chromium (browser, presenting, site, and the in-deck runs of present)
are left to the main run (`make test`); the live-run server's own tests run on every Python.  The deck
builds are not: Sphinx runs on the session's Python (3.14 removed the `ast.Str` that Sphinx 6 used).

A Python this machine lacks is skipped with nox's message, and is an error under CI=true.
"""
import os

import nox

PYTHONS = ['3.11', '3.12', '3.13', '3.14', '3.15']

nox.options.error_on_missing_interpreters = os.environ.get('CI', '').lower() == 'true'
nox.options.reuse_existing_virtualenvs = True


@nox.session(python=PYTHONS)
def tests(session):
    session.install('-q', '-r', 'requirements.txt')
    session.run('python', '-m', 'pip', 'check')
    # the tests marked `browser` drive Chromium: the main run's (there is none in the 3.14/3.15 chroot)
    session.run('python', '-W', 'error', '-m', 'pytest', '-q', '-m', 'not browser', *session.posargs)
