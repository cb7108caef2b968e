"""The Python matrix: the snippet tests on every supported Python, warnings as errors.

    nox                      # 3.11, 3.12 and 3.13 (those this machine has)
    nox -p 3.13              # one of them

The deck, browser and presenter tests are left to the main run (`make test`): they check the
build, not the Python the snippets run on.
"""
import nox

nox.options.error_on_missing_interpreters = False  # a machine may lack one; say so, go on
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ['3.11', '3.12', '3.13']


@nox.session(python=PYTHONS)
def snippets(session):
    session.install('-q', '-r', 'requirements.txt')
    session.run('python', '-W', 'error', '-m', 'pytest', '-q',
                '--ignore=tests/test_deck.py', '--ignore=tests/test_browser.py',
                '--ignore=tests/test_present.py',
                '--ignore=tests/test_site.py',
                *session.posargs)
