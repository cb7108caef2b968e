"""Incremental builds (`make html`, `make livehtml` rebuild in place): a rebuild after an edit writes what a
clean build writes, and a rebuild after no edit reads nothing and finds the configuration unchanged."""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from _support import ROOT

# What a build reads: conf.py and the folders it names (the extensions, the sources, the snippets).
PROJECT = ('conf.py', 'slides', 'snippets')
# Registered by Furo when the html builder loads its theme, after Sphinx has compared this build's
# configuration with the last one's, so Sphinx always reports it "changed"; its value is conf.py's.
THEME_OPTIONS = {'pygments_dark_style'}


@pytest.fixture
def project(tmp_path):
    """A copy of the project's build inputs, to edit without touching the checkout."""
    copy = tmp_path / 'project'
    copy.mkdir()
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy2(source, copy / name)
    return copy


def build(project, builder, out, doctrees):
    """One build as the Makefile runs it, but verbose enough to say what it read; returns its output."""
    result = subprocess.run(
        # --no-color: Sphinx colours its log under CI=true (.ci/run), and the log is read below
        [sys.executable, '-W', 'error', '-m', 'sphinx', '-W', '--keep-going', '--no-color', '-b', builder,
         '-c', str(project),
         '-d', str(doctrees), str(project / 'slides'), str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, 'PYTHONDONTWRITEBYTECODE': '1'})
    assert result.returncode == 0, result.stderr
    return result.stdout


def files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob('*') if p.is_file())


def assert_read_nothing(log):
    """A rebuild's log says it found the configuration as it left it and read no document."""
    changed = re.search(r'The configuration has changed \((?:1 option: (.*)|\d+ options: (.*))\)', log)
    changed = set(re.findall(r"'(\w+)'", ''.join(changed.groups('')))) if changed else set()
    assert changed <= THEME_OPTIONS, f'the build changed its own configuration: {changed}'
    assert re.search(r'updating environment: 0 added, 0 changed, 0 removed', log), log
    assert not re.search(r'^reading sources\.\.\. \[', log, re.M), log


@pytest.mark.parametrize('builder', ['html', 'singlefile-slides'])
def test_a_rebuild_reads_nothing_unedited_and_writes_what_a_clean_build_writes(project, builder, tmp_path):
    out, doctrees, clean = tmp_path / 'out', tmp_path / 'doctrees', tmp_path / 'clean'
    build(project, builder, out, doctrees)
    assert_read_nothing(build(project, builder, out, doctrees))      # nothing edited: nothing read
    edited = project / 'slides' / 'closing.rst'
    later = time.time() + 10
    os.utime(edited, (later, later))                        # `touch`, a little later than the build
    log = build(project, builder, out, doctrees)
    assert re.search(r'updating environment: 0 added, 1 changed, 0 removed', log), log
    build(project, builder, clean, tmp_path / 'clean-doctrees')
    assert files(out) == files(clean)
    _, mismatch, errors = filecmp.cmpfiles(out, clean, [str(p) for p in files(out)], shallow=False)
    assert not mismatch and not errors, f'differ from a clean build after touching closing.rst: {mismatch}'
