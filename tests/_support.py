"""Plain helpers shared by conftest.py and the deck tests (not fixtures)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def missing(message):
    """Something the tests need is not installed: skip locally with what to install, fail in CI."""
    if os.environ.get('CI', '').lower() == 'true':
        pytest.fail(message)
    pytest.skip(message)


def sphinx_build(builder, outdir, doctrees=None, options=()):
    """One Sphinx build as the Makefile runs it (-W: a warning fails it); returns ``outdir``."""
    result = subprocess.run(
        [sys.executable, '-W', 'error', '-m', 'sphinx', '-W', '--keep-going', '-q', *options, '-b', builder,
         '-c', str(ROOT), '-d', str(doctrees or outdir / '.doctrees'),
         str(ROOT / 'slides'), str(outdir)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return outdir
