"""The claims, measured: the benchmark's models, harness and outputs, on a tiny sweep.

Sane values, not speed targets: the real numbers come from `make bench`.
"""
import csv
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _support import group_paths, in_flight
from snippets import _bench, bench_models
from snippets._http import split_response
from snippets.demo_server import demo_body

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize('model', list(bench_models.MODELS))
def test_every_model_fetches_every_path_in_order(model, http_server):
    sizes = [3, 70_000, 10, 200_000, 1]
    responses = bench_models.MODELS[model](*http_server, [f'/?size={n}' for n in sizes])
    assert [split_response(r) for r in responses] == [(200, demo_body(n)) for n in sizes]


@pytest.mark.parametrize('model', list(bench_models.MODELS))
def test_every_model_has_all_requests_in_flight_at_once(model, http_server):
    """Below the caps, every model has all N requests at the server at the same time."""
    wait = 5 if model == 'processes' else 2      # five worker processes take a while to start
    responses = bench_models.MODELS[model](*http_server, group_paths(5, together=5, wait=wait, size=2))
    assert [split_response(r) for r in responses] == [(200, b'li')] * 5
    assert in_flight(responses) == 5


def test_open_file_limit_is_raised_to_the_hard_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit, note = _bench.raise_nofile_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == limit
    assert limit >= soft and 'open-file limit' in note
    if hard != resource.RLIM_INFINITY:
        assert limit == hard


def test_tree_stats_sees_a_child_and_its_threads():
    # The child says when its interpreter is up: measured between fork and exec, it is not one yet.
    child = subprocess.Popen([sys.executable, '-c', "print('ready', flush=True); import time; time.sleep(5)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == 'ready\n'     # bounded: the child exits within 5 s
        deadline = time.monotonic() + 5
        while child.pid not in (tree := _bench.tree_stats(os.getpid())):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert tree[os.getpid()][1] >= 1                 # threads of this process
        assert _bench.pss_kib(child.pid) > 1000          # an interpreter: > 1 MiB
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()


def test_measure_one_row_of_each_model():
    limit, _ = _bench.raise_nofile_limit()
    for model in bench_models.MODELS:
        row = _bench.measure(model, 5, 0.2, limit, server_processes=1)
        assert row['note'] == '', row
        assert row['workers'] == 5
        assert float(row['wall / d']) >= 1.0               # never faster than d (slower on a busy machine)
        assert float(row['wall s']) == pytest.approx(float(row['wall / d']) * 0.2, abs=0.01)
        assert 5 <= float(row['peak MiB']) < 2000
        assert row['peak processes'] >= (3 if model == 'processes' else 1)
        assert row['peak threads'] >= (6 if model == 'threads' else 1)


def test_a_count_beyond_the_open_file_limit_is_skipped_and_said_so():
    row = _bench.measure('asyncio', 10_000, 0.2, fd_limit=1024)
    assert row['note'].startswith('skipped: needs ~10064 open files, limit 1024')
    assert row['wall / d'] == ''


def test_the_command_line_writes_chart_table_and_notes(tmp_path):
    result = subprocess.run(
        [sys.executable, '-W', 'error', '-m', 'snippets.bench_models', '--counts', '2', '4',
         '--delay', '0.2', '--models', 'threads', 'asyncio', '--server-processes', '1',
         '--out', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / 'bench.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    assert [(r['model'], r['N']) for r in rows] == [
        ('threads', '2'), ('asyncio', '2'), ('threads', '4'), ('asyncio', '4')]
    assert all(float(r['wall / d']) >= 1 for r in rows)
    with open(tmp_path / 'bench_table.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table[0] == ['model', 'N = 2', 'MiB', 'N = 4', 'MiB']
    assert [line[0] for line in table[1:]] == ['threads', 'asyncio']
    assert all(re.fullmatch(r'\d+\.\d\d × d', cell) for line in table[1:] for cell in line[1::2])
    assert (tmp_path / 'table_note.txt').read_text().startswith('Wall time over d')
    svg = (tmp_path / 'bench.svg').read_text()
    assert svg.startswith('<?xml') and 'threads' in svg and 'asyncio' in svg
    summary = (tmp_path / 'summary.txt').read_text()
    assert summary.startswith('At N = 2: threads ') and '(d = 0.2 s.)' in summary
    machine = (tmp_path / 'machine.txt').read_text()
    assert machine.startswith('``python -m snippets.bench_models --counts 2 4')
    assert 'idle just before' in machine and 'the sweep took' in machine
    assert 'open-file limit' in machine


def test_the_table_marks_capped_pools_and_says_where(tmp_path):
    rows = [{'model': 'processes', 'N': n, 'workers': min(n, 1000), 'wall / d': ratio,
             'peak MiB': mib} for n, ratio, mib in ((1000, '6.21', '2591'), (10_000, '32.34', '7595'))]
    rows.append({'model': 'asyncio', 'N': 10_000, 'workers': 10_000, 'wall / d': '', 'peak MiB': ''})
    footnote = _bench.write_table(rows, tmp_path / 't.csv', [1000, 10_000])
    with open(tmp_path / 't.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table[1:] == [['processes', '6.21 × d', '2591', '32.34 × d *', '7595'],
                         ['asyncio', '—', '—', '—', '—']]
    assert footnote == r'\* pool capped: processes at 1,000 workers.'
