"""The Python matrix (`make matrix`): the suite on every supported Python, warnings as errors.

    nox -p 3.11 3.12 3.13    # pyenv's interpreters (`make matrix` sets PYENV_VERSION)
    .ci/chroot 3.14 3.15     # Debian unstable's, in a chroot: runs this file's sessions there

Every test runs, both deck builds included (Sphinx on the session's Python), but those marked
`browser` (Chromium drives the deck; the chroot has none) and `real_sleeps` (a snippet's real seconds,
which another test checks on a virtual clock on every Python): those run in the main run (`make check`).

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
    # the main run's only: `browser` (Chromium; there is none in the 3.14/3.15 chroot) and `real_sleeps`
    # (a snippet's real seconds that another test checks on a virtual clock, which runs here too);
    # two test files at a time, as `make check` (pytest-xdist, each worker `python -W error`)
    session.run('python', '-W', 'error', '-m', 'pytest', '-q', '-m', 'not browser and not real_sleeps',
                '-d', '--tx', f'2*popen//python={session.bin}/python -W error', '--dist', 'loadfile',
                *session.posargs)
