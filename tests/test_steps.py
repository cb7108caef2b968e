"""The ``:steps:`` option of literalinclude (slides/_ext/deck_steps.py), without a browser: steps
resolve by line number and by pattern, a step past its block stops the build, and only the slide
builds get the steps (the HTML site shows the code whole).  In the browser: test_presenting.py."""
import re
import subprocess
import sys

import pytest

import deck_steps
from _support import ROOT

BLOCK = 'def f(x):\n    y = x + 1\n    return y\n'


def test_steps_resolve_by_number_and_pattern():
    assert deck_steps.resolve('2 | 1, 3 | 1-2', BLOCK) == [[2], [1, 3], [1, 2]]
    assert deck_steps.resolve(r'/y = / | /def/-/return/ | /y/', BLOCK) == [[2], [1, 2, 3], [2, 3]]
    assert deck_steps.resolve(r'/\(x\)/ | /x \/ 2|return/', BLOCK) == [[1], [3]]   # \/: a slash; | in a pattern
    for spec, error in [('4', 'step 1: line 4 is past the end of the block (3 lines)'),
                        ('1 | 2-4', 'step 2: line 4 is past the end'),
                        ('/await/', 'step 1: /await/ matches no line'),
                        ('/return/-/def/', 'step 1: /def/ matches no line of the block from line 3 on'),
                        ('3-1', 'ends (line 1) before it starts (line 3)'),
                        ('1 |', 'expected a line number'), ('1 ; 2', 'expected "|"'), ('/(/', 'bad regular')]:
        with pytest.raises(deck_steps.StepsError, match=re.escape(error)):
            deck_steps.resolve(spec, BLOCK)


def build_tiny(tmp_path, steps, builder):
    (tmp_path / 'code.py').write_text(BLOCK)
    (tmp_path / 'index.rst').write_text(f'Code\n====\n\n.. literalinclude:: code.py\n   :steps: {steps}\n')
    (tmp_path / 'conf.py').write_text("extensions = ['hieroglyph_compat', 'hieroglyph', 'deck_steps']\n")
    out = tmp_path / builder
    result = subprocess.run(
        [sys.executable, '-W', 'error', '-m', 'sphinx', '-W', '-q', '-b', builder, str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=120,
        env={'PYTHONPATH': str(ROOT / 'slides' / '_ext'), 'PATH': '/usr/bin:/bin'})
    return result, out


def test_a_step_past_the_block_stops_the_build(tmp_path):
    result, _ = build_tiny(tmp_path, '1 | 2-9', 'html')
    assert result.returncode != 0
    assert 'step 2: line 9 is past the end of the block (3 lines)' in result.stderr


def test_only_the_slides_get_the_steps(tmp_path):
    result, html = build_tiny(tmp_path, '/return/ | 1-2', 'html')
    assert result.returncode == 0, result.stderr
    page = (html / 'index.html').read_text()
    assert 'return' in page and 'deck-steps' not in page and 'deck-line' not in page
    result, slides = build_tiny(tmp_path, '/return/ | 1-2', 'slides')
    assert result.returncode == 0, result.stderr
    page = (slides / 'index.html').read_text()
    assert 'data-deck-steps="[[3],[1,2]]"' in page and page.count('class="deck-line"') == 3
