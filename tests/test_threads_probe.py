"""The threads' slow-mode probe (slides/tools/threads_probe.py), on tiny N against nginx.

No timing is asserted: the probe's findings come from runs at N = 10,000.  What is checked is
that it runs both client models on this Python, with the switch intervals it is given, and that
every request is answered and every figure it reports is there.
"""
import sys

from slides.tools import threads_probe


def test_probe_runs_every_setting_in_rounds(nginx_echo, capsys):
    reports = threads_probe.main(['--python', sys.executable, '-n', '20', '--delays', '0.2',
                                  '--switch', '0.005', '10', '--models', 'pool', 'threads', '--rounds', '1'])
    settings = sorted((r['switch'], r['model']) for r in reports)
    assert settings == [(0.005, 'pool'), (0.005, 'threads'), (10, 'pool'), (10, 'threads')]
    for r in reports:
        assert r['answered'] == 20
        assert r['wall'] >= 0.2 and 0 <= r['submit'] <= r['wall']
        assert r['µs/req'] > 0 and r['GIL waiters'] >= 0 and r['others %'] >= 0
    out = capsys.readouterr().out
    assert threads_probe.HEAD in out
    assert out.count(' of 1 slow') == 4                   # the summary: one line per setting
