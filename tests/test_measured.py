"""The claims, measured: the benchmark's models, harness and outputs, on small N.

What is checked is the harness: the server comes up and goes down, every
request's fate is counted, a failure is recorded as a failure with its limit,
the files have their columns.  No timing is asserted: the figures come from
`make bench`.
"""
import csv
import errno
import gc
import os
import platform
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _support import missing
from slides.tools.bench import check, client, report, run, sampler, sweep, system, versions
from slides.tools.nginx import NginxMissing, echo_module, nginx_binary
from snippets import bench_models
from snippets._demo_server import demo_body
from snippets._http import split_response
from snippets.http_blocking import http_get

ROOT = Path(__file__).resolve().parent.parent
SERVER_TIMEOUT = 30     # seconds the barrier server waits for all its connections


@pytest.fixture(scope='module')
def nginx_echo():
    """The benchmark needs nginx and its echo module: skip (locally) or fail (CI) without."""
    try:
        nginx_binary()
        echo_module()
    except NginxMissing as error:
        missing(str(error))


def wait_for(read, value, seconds=SERVER_TIMEOUT):
    """Whether ``read()`` returns ``value`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while read() != value:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope='module')
def fd_limit():
    return system.raise_nofile_limit()[0]


@pytest.mark.parametrize('model', list(bench_models.MODELS))
def test_every_model_returns_each_outcome_in_its_requests_place(model, http_server, refused_port):
    host, port = http_server
    sizes = [3, 70_000, 10, 200_000, 1]
    requests = [(host, port, f'/?size={n}') for n in sizes]
    requests.insert(2, (host, refused_port, '/'))
    results = bench_models.MODELS[model](requests)
    assert isinstance(results[2], ConnectionRefusedError)
    del results[2]
    assert [split_response(r) for r in results] == [(200, demo_body(n)) for n in sizes]


@pytest.fixture
def barrier_server():
    """``(host, port, n)`` -> a server that answers only once all n requests are connected.

    A model that does not run its requests at once never gets its first answer.
    """
    listener = socket.create_server(('127.0.0.1', 0))
    listener.settimeout(SERVER_TIMEOUT)
    count = 6

    def serve():
        conns = []
        try:
            while len(conns) < count:
                conn, _ = listener.accept()
                conn.settimeout(SERVER_TIMEOUT)
                conn.recv(65536)
                conns.append(conn)
            for conn in conns:
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
        except OSError:
            pass                    # timed out, or the test is over
        finally:
            for conn in conns:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield (*listener.getsockname()[:2], count)
    listener.close()
    thread.join(SERVER_TIMEOUT + 5)


@pytest.mark.parametrize('model', list(bench_models.MODELS))
def test_every_model_has_all_its_requests_in_flight_at_once(model, barrier_server):
    host, port, count = barrier_server
    results = bench_models.MODELS[model]([(host, port, f'/{i}') for i in range(count)])
    assert [split_response(r) for r in results] == [(200, b'ok')] * count


def test_delayed_server_answers_after_the_delay_and_goes_away(nginx_echo, fd_limit):
    with run.delayed_server(ports=2, workers=2, fd_limit=fd_limit) as nginx:
        assert len(set(nginx.ports)) == 2
        for port in nginx.ports:
            response = http_get('127.0.0.1', port, '/?delay=0.1')
            assert split_response(response) == (200, demo_body(client.BODY_SIZE))
        assert nginx.process.poll() is None
        assert len(system.descendants([nginx.process.pid])) == 3     # master and 2 workers
        assert nginx.connections() == 0
        held = [socket.create_connection(('127.0.0.1', nginx.ports[0]), timeout=5) for _ in range(3)]
        try:
            assert wait_for(nginx.connections, 3)                     # the requests in flight
        finally:
            for sock in held:
                sock.close()
    assert nginx.process.poll() is not None
    assert not nginx.directory.exists()
    for port in nginx.ports:
        with pytest.raises(ConnectionRefusedError):
            http_get('127.0.0.1', port, '/')


def test_outcome_names_every_kind_of_failure(refused_port):
    expected = (200, b'ok')
    with pytest.raises(ConnectionRefusedError) as refused:
        http_get('127.0.0.1', refused_port, '/')
    assert client.outcome(b'HTTP/1.1 200 OK\r\n\r\nok', expected) == 'answered'
    assert client.outcome(b'HTTP/1.1 500 Oops\r\n\r\nok', expected) == 'wrong answer'
    assert client.outcome(refused.value, expected) == 'refused'
    assert client.outcome(TimeoutError('timed out'), expected) == 'timeouts'
    assert client.outcome(ConnectionResetError(errno.ECONNRESET, 'reset'), expected) == 'resets'
    assert client.outcome(OSError(errno.EMFILE, 'Too many open files'), expected) == 'EMFILE'
    assert client.outcome(RuntimeError("can't start new thread"), expected) == 'RuntimeError'


@pytest.mark.parametrize('model', list(bench_models.MODELS))
def test_measure_counts_every_request_of_each_model(model, nginx_echo, fd_limit):
    # d = 1 s: long enough for the sampler (it counts every 20 ms) to see the workers, even on a busy machine.
    row = run.measure(model, bench_models.MODELS[model], 5, 1, fd_limit)
    assert row['result'] == 'ok', row
    assert (row['answered'], row['timeouts'], row['refused'], row['resets'],
            row['other failures']) == (5, 0, 0, 0, 0)
    assert float(row['wall / d']) >= 1                    # never faster than the server
    assert float(row['overhead s']) == pytest.approx(float(row['wall s']) - 1, abs=0.011)
    # Every model spends CPU on its requests, and the two CPU columns agree (the seconds are rounded).
    assert int(row['client CPU µs/request']) > 0
    assert int(row['client CPU µs/request']) * 5 / 1e6 == pytest.approx(float(row['client CPU s']), abs=0.006)
    assert 0 <= float(row['client GC s']) <= float(row['client CPU s']) + 0.01
    assert float(row['server CPU s']) >= 0
    assert int(row['client peak MiB']) > 5                 # at least one interpreter
    assert row['peak processes'] >= (6 if model == 'processes' else 1)
    assert row['peak threads'] >= (6 if model == 'threads' else 1)
    assert row['peak in flight'] == 5                      # all at once, seen by nginx
    assert (row['collector'], row['python']) == ('default', platform.python_version())
    assert 0 <= float(row['steal %']) <= 100 and 0 <= float(row['others CPU %']) <= 100
    assert row['busy'] == ('busy' if max(float(row['steal %']), float(row['others CPU %'])) > 5 else '')


@pytest.mark.parametrize('collector', run.COLLECTORS)
def test_the_client_sets_its_collector_as_asked(collector, nginx_echo, fd_limit):
    model = client.reference(bench_models.with_asyncio)
    with run.delayed_server(fd_limit=fd_limit) as nginx:
        done = run.run_clients(model, [('127.0.0.1', nginx.ports[0], '/?delay=0.1')], 1, nginx,
                               collector=collector)
    report, = done['reports']
    assert (report['frozen'] > 0) == (collector == 'freeze')           # start-up's objects
    assert (report['threshold'] == client.THRESHOLD) == (collector == 'threshold')
    assert report['counts'] == {'answered': 1}


def test_the_machine_s_cpu_time_keeps_steal_apart():
    before = system.cpu_times()
    spent = system.cpu_times() - before
    assert 0 <= spent.steal + spent.interrupts <= spent.busy <= spent.total
    busy, steal = system.cpu_use(0.2)
    assert 0 <= steal <= busy <= 1


def test_the_client_runs_the_model_it_is_given_not_one_it_looks_up_by_name(nginx_echo, fd_limit):
    assert client.reference(bench_models.with_threads) == 'snippets.bench_models:with_threads'
    with pytest.raises(ValueError, match='module-level'):
        client.reference(lambda requests: [])
    row = run.measure('asyncio', bench_models.with_threads, 5, 1, fd_limit)   # named asyncio, runs threads
    assert row['result'] == 'ok', row
    assert row['peak threads'] >= 6


@pytest.mark.parametrize('model', ['threads', 'asyncio'])
def test_a_failure_is_recorded_as_a_failure_with_its_limit(model, nginx_echo, fd_limit):
    # Clients allowed 40 open files cannot hold 60 connections at once.
    row = run.measure(model, bench_models.MODELS[model], 60, 2, fd_limit,   # 2 s: all 60 overlap
                      client_nofile=40)
    assert row['result'].startswith('failed: '), row
    assert 'EMFILE' in row['result'] and 'limit: open files per process: 40' in row['result']
    assert row['other failures'] > 0
    assert row['answered'] + row['other failures'] + row['timeouts'] == 60


def test_a_run_past_its_time_is_killed_with_its_workers_and_recorded(nginx_echo, fd_limit,
                                                                      monkeypatch):
    before = set(system.descendants([os.getpid()]))
    monkeypatch.setattr(run, 'RUN_TIMEOUT', 1)
    row = run.measure('processes', bench_models.with_processes, 3, 5, fd_limit)
    assert row['result'].startswith('failed: 3 of 3 (timed out after 1 s); '
                                    'limit: this harness: 1 s per run'), row
    assert row['wall s'] == '' and row['answered'] == 0
    assert set(system.descendants([os.getpid()])) <= before    # no client, worker or nginx left


def test_the_event_loops_share_large_n_among_processes_and_ports():
    assert run.plan('asyncio', 10, 20_000) == (1, 1, max(2, os.cpu_count()))
    clients, ports, workers = run.plan('uvloop', 100_000, 20_000)
    assert clients * (20_000 - run.FD_MARGIN) > 100_000 and clients > 1
    assert ports > 100_000 / 28_232                        # each port's ephemeral range suffices
    assert workers * 20_000 > 100_000                      # and each nginx worker's open files
    assert run.plan('threads', 100_000, 20_000)[0] == 1  # one process: that is the model


def test_a_model_that_failed_is_not_run_at_larger_n():
    failed = {'model': 'threads', 'N': 30_000, 'result': 'failed: 10 of 30,000 (…)'}
    assert sweep.skip_reason('threads', 100_000, [failed], 1) == 'not measured: failed at N = 30,000'
    slow = {'model': 'processes', 'N': 10_000, 'result': 'ok', 'client CPU µs/request': '3400'}
    assert sweep.skip_reason('processes', 30_000, [slow], 1).startswith(
        'not measured (time budget): ~103 s expected for 1 take')
    assert sweep.skip_reason('processes', 15_000, [slow], 1) == ''
    assert sweep.skip_reason('processes', 15_000, [slow], 1, takes=5).startswith(   # 5 × 52 s
        'not measured (time budget): ~260 s expected for 5 takes')
    skipped = {'model': 'processes', 'N': 30_000, 'result': 'not measured (time budget): ~103 s (…)'}
    assert sweep.skip_reason('processes', 100_000, [slow, skipped], 1) == (
        'not measured: not measured at N = 30,000 either')
    assert sweep.skip_reason('asyncio', 10, [], 1) == ''
    loop = {**slow, 'model': 'asyncio'}
    assert sweep.skip_reason('asyncio', 100_000, [loop], 1) == ''      # the loops always run


def test_open_file_limit_is_raised_to_the_hard_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit, note = system.raise_nofile_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == limit
    assert limit >= soft and 'open-file limit' in note
    if hard != resource.RLIM_INFINITY:
        assert limit == hard


def test_the_sampler_sees_a_child_its_memory_and_its_threads():
    # The child says when its interpreter is up: measured between fork and exec, it is not one yet.
    child = subprocess.Popen([sys.executable, '-c', "print('ready', flush=True); import time; time.sleep(5)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == 'ready\n'     # bounded: the child exits within 5 s
        assert child.pid in system.descendants([os.getpid()])
        tree = sampler.TreeSampler([child.pid])
        tree.start()
        tree.stop()
        assert tree.peak['pss'] > 1000                   # an interpreter: > 1 MiB
        assert (tree.peak['processes'], tree.peak['threads']) == (1, 1)
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()


def test_the_sampler_counts_often_and_weighs_memory_less_often():
    # 60 children that live 1.5 s, started at once: the peak the process pool's sampler once missed.
    code = ("import subprocess, sys; ps = [subprocess.Popen(['sleep', '1.5']) for _ in range(60)]; "
            "print('ready', flush=True); [p.wait() for p in ps]")
    parent = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    tree = sampler.TreeSampler([parent.pid])
    tree.start()
    try:
        assert parent.stdout.readline() == 'ready\n'    # bounded: the children end within 1.5 s
        parent.wait(30)
    finally:
        tree.stop()
        parent.stdout.close()
    assert tree.peak['processes'] == 61
    assert tree.samples['counts'] > 2 * tree.samples['pss'] >= 2


ROWS = [
    {'model': 'threads', 'N': 10, 'result': 'ok', 'wall / d': '1.01', 'client peak MiB': '20',
     'client CPU µs/request': '900', 'client processes': 1, 'peak in flight': 10},
    {'model': 'threads', 'N': 100, 'result': 'failed: 40 of 100 (40 × EMFILE); '
     'limit: open files per process: 64', 'wall / d': '1.10', 'client peak MiB': '22',
     'client CPU µs/request': '', 'client processes': 1, 'peak in flight': 64},
    {'model': 'asyncio', 'N': 10, 'result': 'ok', 'wall / d': '1.00', 'client peak MiB': '19',
     'client CPU µs/request': '700', 'client processes': 1, 'peak in flight': 10},
    {'model': 'asyncio', 'N': 100, 'result': 'ok', 'wall / d': '1.02', 'client peak MiB': '20',
     'client CPU µs/request': '300', 'client processes': 1, 'peak in flight': 98},
]
for _row in ROWS:
    _row['collector'] = 'default'


def test_the_table_shows_a_failure_as_a_failure(tmp_path):
    report.write_table(ROWS, tmp_path / 't.csv', [10, 100])
    with open(tmp_path / 't.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table == [['model', 'N = 10: × d', 'CPU µs', 'MiB', 'in flight',
                      'N = 100: × d', 'CPU µs', 'MiB', 'in flight'],
                     ['threads', '1.01', '900', '20', '10', 'failed', '—', '—', '—'],
                     ['asyncio', '1.00', '700', '19', '10', '1.02', '300', '20', '98']]
    assert report.stops(ROWS, 'threads') == (
        'N = 100: 40 of 100 failed, open files per process: 64')
    assert report.stops(ROWS, 'asyncio') == 'all answered up to N = 100'
    assert report.stop_short(ROWS, 'threads') == '100: EMFILE'
    assert report.stop_short(ROWS, 'asyncio') == '—'
    skipped = {**ROWS[1], 'result': 'not measured (time budget): ~260 s expected (…)'}
    assert report.stop_short([ROWS[0], skipped], 'threads') == '100: not measured (time budget)'
    assert report.stops([ROWS[0], skipped], 'threads') == 'N = 100: not measured (time budget)'


def test_memory_per_worker_counts_the_workers_that_held_the_peak():
    def row(n, mib, held):
        return {'model': 'processes', 'N': n, 'collector': 'default', 'result': 'ok', 'client processes': 1,
                'client peak MiB': f'{mib}', 'processes at peak MiB': held, 'peak processes': held + 40}
    assert report.memory_per_unit([row(10, 150, 13), row(100, 550, 63)], 'processes') == (400 * 1024 / 50, 10, 100)
    assert report.kib(400 * 1024 / 50) == '8.0 MiB'


def test_the_wall_time_verdict_orders_only_what_the_spread_of_the_takes_allows():
    def row(model, median, iqr):
        return {'model': model, 'N': 10_000, 'collector': 'default', 'result': 'ok',
                'wall / d': median, 'wall / d IQR': iqr}
    rows = [row('threads', '8.00', '3.00–12.00'), row('asyncio', '2.80', '2.70–3.10'),
            row('uvloop', '2.00', '1.90–2.10')]
    assert report.wall_verdict(rows) == 'uvloop < asyncio ≈ threads'
    rows[0] = row('threads', '8.00', '5.00–12.00')
    assert report.wall_verdict(rows) == 'uvloop < asyncio < threads'


def test_the_verdicts_on_the_2015_claims_follow_the_rows():
    def row(model, n, held):
        return {'model': model, 'N': n, 'collector': 'default', 'result': 'ok', 'peak in flight': held}
    assert report.threads_claim([row('threads', 30_000, 6_399)]) == (
        'refuted: all 30,000 requests answered, 6,399 in flight at once')
    assert report.threads_claim([row('threads', 300, 300)]).startswith('not refuted here: ')
    assert report.loops_claim([row('asyncio', 100_000, 100_000)], fd_limit=20_000) == (
        'held as far as measured: 100,000 answered on asyncio, 100,000 in flight at once, '
        'in 6 processes of one loop each; N stops at 100,000')
    assert report.loops_claim([row('uvloop', 30_000, 30_000)], fd_limit=20_000).startswith('not shown: ')


def test_the_check_prints_each_median_beside_the_committed_one():
    now = {**ROWS[3], 'N': 100, 'collector': 'default', 'python': '3.14.10', 'wall / d': '1.20',
           'wall / d IQR': '1.10–1.30', 'client CPU µs/request': '330'}
    then = {**now, 'python': '3.14.9', 'wall / d': '1.00', 'wall / d IQR': '', 'client CPU µs/request': '300'}
    assert check.compare([now], [then]) == [
        'asyncio at N = 100: 1.20 × d (IQR 1.10–1.30) on Python 3.14.10, committed 1.00 × d on '
        'Python 3.14.9: +20% (OUTSIDE ±15%); CPU per request 330 µs, committed 300 µs: +10%']
    assert check.compare([now], [])[0].startswith('nothing to compare')


def test_versions_keep_one_set_of_rows_per_python(tmp_path):
    path = tmp_path / 'versions.csv'
    def rows(python, wall):
        return [{**dict.fromkeys(run.COLUMNS, ''), 'model': 'asyncio', 'N': 100, 'collector': 'default',
                 'python': python, 'result': 'ok', 'wall / d': wall, 'takes': 5,
                 'client CPU µs/request': '300' if python.startswith('3.11') else '200'}]
    versions.merge_versions(rows('3.14.10', '2.80'), path)
    versions.merge_versions(rows('3.11.7', '3.90'), path)
    versions.merge_versions(rows('3.14.11', '2.70'), path)         # 3.14 again: replaces it
    kept = report.read_csv(path)
    assert [(r['python'], r['wall / d']) for r in kept] == [('3.11.7', '3.90'), ('3.14.11', '2.70')]
    other_n = [{**row, 'N': 300, 'python': '3.15.2'} for row in rows('3.15.2', '1.10')]
    versions.merge_versions(other_n, path)                          # another N: a new measurement
    assert [(r['python'], r['N']) for r in report.read_csv(path)] == [('3.15.2', 300)]
    assert versions.figures(kept)['asyncio versions change'] == (
        '3.90 × d and 300 µs of CPU per request on 3.11, 2.70 × d and 200 µs on 3.14 (wall time -31%)')


def test_the_collector_time_counts_collections():
    collector = client.CollectorTime()
    gc.callbacks.append(collector)
    try:
        garbage = [[] for _ in range(200_000)]          # tracked objects to traverse
        gc.collect()
    finally:
        gc.callbacks.remove(collector)
        del garbage
    assert collector.seconds > 0
    heavy = {**ROWS[3], 'client CPU s': '0.10', 'client GC s': '0.04'}
    assert report.gc_share(heavy) == '40%' and report.gc_share(ROWS[3]) == ''


def test_takes_are_summed_up_by_the_median_and_a_failed_take_wins():
    def take(wall, result='ok'):
        return {**ROWS[3], 'wall / d': wall, 'result': result, 'busy': ''}
    row = sweep.median_take([take('6.10'), take('4.70'), take('25.60'), take('5.00'), take('9.00')])
    assert (row['wall / d'], row['takes'], row['wall / d range']) == ('6.10', 5, '4.70–25.60')
    assert row['wall / d IQR'] == '5.00–9.00'               # of five takes: the 2nd and the 4th
    assert report.ratio(row, spread=True) == '6.10 × d (IQR 5.00–9.00)'
    cpu = sweep.median_take([{**take('1.0'), 'client CPU µs/request': f'{us}'} for us in (300, 100, 200)])
    assert (cpu['client CPU µs/request'], cpu['CPU µs IQR']) == ('200', '150–250')
    busy = sweep.median_take([take('1.20'), {**take('1.10'), 'busy': 'busy'}])
    assert busy['busy'] == 'busy (1 of 2 takes)'
    assert sweep.median_take([take('1.20'), take('1.10')])['wall / d'] == '1.20'   # the slower
    failed = sweep.median_take([take('1.20'), take('', 'failed: 3 of 60 (3 × EMFILE)')])
    assert failed['result'].startswith('failed') and failed['takes'] == 2
    assert 'wall / d range' not in failed or not failed['wall / d range']


def test_the_chart_draws_a_failure_apart_from_the_lines(tmp_path):
    report.write_chart(ROWS, tmp_path / 'c.svg', 1)
    svg = (tmp_path / 'c.svg').read_text()
    assert svg.startswith('<?xml') and 'failed (see table)' in svg


def bench_command(out, *extra):
    return [sys.executable, '-W', 'error', '-m', 'snippets.bench_models', '--counts', '2', '4',
            '--delay', '0.2', '--models', 'threads', 'asyncio', '--repeats', '2', '--repeat-at', '4',
            '--out', str(out), *extra]


def test_the_command_line_writes_every_file_with_its_columns(tmp_path, nginx_echo):
    result = subprocess.run(bench_command(tmp_path, '--keep-busy'),
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert 'stolen by the hypervisor' in result.stderr
    with open(tmp_path / 'bench.csv', newline='') as f:
        rows = list(csv.reader(f))
    assert rows[0] == run.COLUMNS
    takes = rows[0].index('takes')
    assert [r[takes] for r in rows[1:]] == ['1', '1', '2', '2']     # two takes at N = 4
    assert [(r[0], r[1], r[-1]) for r in rows[1:]] == [
        ('threads', '2', 'ok'), ('asyncio', '2', 'ok'), ('threads', '4', 'ok'), ('asyncio', '4', 'ok')]
    with open(tmp_path / 'bench_table.csv', newline='') as f:
        assert next(csv.reader(f)) == ['model', 'N = 2: × d', 'CPU µs', 'MiB', 'in flight',
                                       'N = 4: × d', 'CPU µs', 'MiB', 'in flight']
    with open(tmp_path / 'stops.csv', newline='') as f:
        assert next(csv.reader(f)) == ['model', 'all answered up to N', 'in flight at once',
                                       'memory each', 'from N', 'failed or not measured at N']
    figures = (tmp_path / 'figures.txt').read_text()
    assert '.. |asyncio 4 ratio| replace:: ' in figures and '.. |d| replace:: 0.2 s' in figures
    assert f'.. |python| replace:: {platform.python_version()}' in figures
    assert '.. |asyncio compared freeze ratio| replace:: not measured' in figures
    assert '.. |compared| replace:: 4' in figures and '.. |asyncio compared ratio| replace:: ' in figures
    assert (tmp_path / 'bench.svg').read_text().startswith('<?xml')
    machine = (tmp_path / 'machine.txt').read_text()
    assert machine.startswith('``python -m snippets.bench_models --counts 2 4')
    assert 'busy before the sweep' in machine and 'steal' in machine and 'the sweep took' in machine
    assert 'nginx/' in machine
    assert f'Python {platform.python_version()}' in machine


def test_a_busy_machine_writes_nothing_and_fails_unless_kept(tmp_path, nginx_echo):
    spinner = subprocess.Popen([sys.executable, '-c', 'while True: pass'])   # one core: > 5% up to 20
    try:
        result = subprocess.run(bench_command(tmp_path / 'out'), cwd=ROOT, capture_output=True,
                                text=True, timeout=180)
    finally:
        spinner.kill()
        spinner.wait(10)
    assert result.returncode == 1, result.stderr
    assert 'BUSY' in result.stderr and 'nothing written' in result.stderr
    assert not (tmp_path / 'out').exists()
