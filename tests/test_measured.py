"""The claims, measured: the benchmark's models, harness and outputs, on small N.

What is checked is the harness: the server comes up and goes down, every
request's fate is counted, a failure is recorded as a failure with its limit,
takes that split into modes are shown as modes, the files have their columns
and the committed ones say what the slides say.  No timing is asserted: the
figures come from `make bench`.
"""
import csv
import errno
import gc
import os
import platform
import re
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from _support import SHORT_TIMEOUT, wait_until
from slides.tools.bench import check, client, config, records, report, run, sampler, sweep, system, text, versions
from snippets import bench_models
from snippets._demo_server import demo_body
from snippets._http import split_response
from snippets.http_blocking import http_get

ROOT = Path(__file__).resolve().parent.parent


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
    listener.settimeout(SHORT_TIMEOUT)
    count = 6

    def serve():
        conns = []
        try:
            while len(conns) < count:
                conn, _ = listener.accept()
                conn.settimeout(SHORT_TIMEOUT)
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
    thread.join(SHORT_TIMEOUT + 5)


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
            wait_until(lambda: nginx.connections() == 3, what='3 requests in flight at nginx')
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
    take = run.measure(model, bench_models.MODELS[model], 5, 1, fd_limit)
    assert take.ok, take
    assert take.outcomes == {'answered': 5} and take.failures == {} and not take.error
    assert take.ratio >= 1                                 # never faster than the server
    assert take.cpu > 0 and 0 <= take.gc <= take.cpu + 0.01 and take.server_cpu >= 0
    assert take.peak_mib > 5                               # at least one interpreter
    assert take.peak_processes >= (6 if model == 'processes' else 1)
    assert take.peak_threads >= (6 if model == 'threads' else 1)
    assert take.in_flight == 5                             # all at once, seen by nginx
    assert (take.collector, take.python) == ('default', platform.python_version())
    assert 0 <= take.steal <= 1 and 0 <= take.others <= 1
    # The busy flag is decided once, from the shares as measured, and kept: never recomputed
    # from a rounded figure (a run 5.4% busy is busy, whatever a file rounds it to).
    assert take.busy == (max(take.others, take.steal) > config.BUSY_SHARE)


def test_the_busy_flag_is_kept_as_recorded_not_recomputed(tmp_path):
    edge = records.Take('asyncio', 10, wall=1.0, cpu=0.01, outcomes={'answered': 10},
                        others=0.0504, steal=0.0, busy=True)
    calm = records.Take('asyncio', 10, wall=1.0, cpu=0.01, outcomes={'answered': 10},
                        others=0.0496, steal=0.0, busy=False)
    records.write_takes([edge, calm], tmp_path / 't.csv')
    assert [t.busy for t in records.read_takes(tmp_path / 't.csv')] == [True, False]
    assert records.read_takes(tmp_path / 't.csv') == [edge, calm]        # every field, typed


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
    take = run.measure('asyncio', bench_models.with_threads, 5, 1, fd_limit)   # named asyncio, runs threads
    assert take.ok, take
    assert take.peak_threads >= 6


@pytest.mark.parametrize('model', ['threads', 'asyncio'])
def test_a_failure_is_recorded_as_a_failure_with_its_limit(model, nginx_echo, fd_limit):
    # Clients allowed 40 open files cannot hold 60 connections at once.
    take = run.measure(model, bench_models.MODELS[model], 60, 2, fd_limit,   # 2 s: all 60 overlap
                       client_nofile=40)
    assert not take.ok and take.failed > 0, take
    assert take.failures.get('EMFILE', 0) > 0                                 # failures as data
    assert take.limit == 'open files per process: 40'
    assert take.answered + sum(take.failures.values()) == 60


def test_a_run_past_its_time_is_killed_with_its_workers_and_recorded(nginx_echo, fd_limit):
    before = set(system.descendants([os.getpid()]))
    take = run.measure('processes', bench_models.with_processes, 3, 5, fd_limit, timeout=1)
    assert take.error == 'timed out after 1 s' and take.limit == 'this harness: 1 s per run', take
    assert take.wall is None and take.answered == 0 and not take.ok
    assert set(system.descendants([os.getpid()])) <= before    # no client, worker or nginx left


def test_the_event_loops_share_large_n_among_processes_and_ports():
    assert run.plan('asyncio', 10, 20_000) == (1, 1, max(2, os.cpu_count()))
    clients, ports, workers = run.plan('uvloop', 100_000, 20_000)
    assert clients * (20_000 - run.FD_MARGIN) > 100_000 and clients > 1
    assert ports > 100_000 / 28_232                        # each port's ephemeral range suffices
    assert workers * 20_000 > 100_000                      # and each nginx worker's open files
    assert run.plan('threads', 100_000, 20_000)[0] == 1  # one process: that is the model


def take(model='asyncio', n=10_000, ratio=2.5, cpu_us=160, rnd=0, collector='default', **more):
    """A synthetic Take: ``ratio`` × d of 1 s, ``cpu_us`` of CPU per request."""
    fields = {'wall': ratio, 'cpu': cpu_us * n / 1e6, 'gc': 0.0, 'outcomes': {'answered': n},
              'in_flight': n, 'peak_mib': 100.0, 'others': 0.0, 'steal': 0.0, 'python': '3.14.10', **more}
    return records.Take(model, n, collector, round=rnd, **fields)


def test_takes_that_split_into_modes_show_every_mode():
    # Threads as 3.14 ran them: four takes near 3 × d, two near 30 (a gap over MODE_GAP = 2 ×).
    ratios = [3.01, 29.5, 2.98, 3.05, 31.0, 3.00]
    point, = records.points([take('threads', ratio=r, rnd=i // 2 + 1) for i, r in enumerate(ratios)])
    assert point.modes == [[2.98, 3.00, 3.01, 3.05], [29.5, 31.0]]
    assert text.ratio(point) == '3.00 or 30.25 × d (4 and 2 of 6 takes)'
    assert text.ratio(point, short=True) == '3.00 or 30.25 × d'          # no median of all six
    assert text.cell(point) == '3.00 or 30.25 (4+2 takes)'
    assert records.split_modes([1.81, 1.85, 1.90, 4.0]) == [[1.81, 1.85, 1.90], [4.0]]
    assert records.split_modes([3.84, 3.97, 4.01, 6.35, 7.93]) == [[3.84, 3.97, 4.01, 6.35, 7.93]]
    one, = records.points([take(ratio=r) for r in (2.50, 2.56, 2.41)])
    assert text.ratio(one) == '2.50 × d (2.41–2.56)'


def test_every_derived_figure_uses_all_the_takes():
    fast = [take('threads', ratio=3.0, cpu_us=300) for _ in range(4)]
    slow = [take('threads', ratio=30.0, cpu_us=5000) for _ in range(2)]
    point, = records.points(fast + slow)
    assert point.cpu_us == pytest.approx((4 * 300 + 2 * 5000) / 6)       # not the fast mode's 300
    assert text.cpu(point, spread=True) == '1,867 µs (300–5,000)'


def test_the_order_says_less_only_where_every_take_is_apart():
    uvloop = [take('uvloop', ratio=r) for r in (1.80, 1.85, 1.90)]
    asyncio = [take('asyncio', ratio=r) for r in (2.40, 2.50, 2.60)]
    threads = [take('threads', ratio=r) for r in (2.55, 3.0, 30.0)]
    assert text.order(records.points(uvloop + asyncio + threads)) == 'uvloop < asyncio ≈ threads'
    threads = [take('threads', ratio=r) for r in (2.65, 3.0, 30.0)]
    assert text.order(records.points(uvloop + asyncio + threads)) == 'uvloop < asyncio < threads'
    # Wall time counts every take that ran, one without a CPU time too.
    untimed = records.Take('threads', 10_000, wall=2.0, outcomes={'answered': 10_000})
    threads = [take('threads', ratio=r) for r in (3.0, 3.1)] + [untimed]
    assert text.order(records.points(uvloop + asyncio + threads)) == 'uvloop < asyncio ≈ threads'
    by_cpu = [take('uvloop', cpu_us=100), take('asyncio', cpu_us=90), take('asyncio', cpu_us=120)]
    assert text.order(records.points(by_cpu), value=lambda t: t.cpu_us) == 'uvloop ≈ asyncio'


def test_drift_between_rounds_is_reported_beside_the_spread_within_them():
    # Round 2 ran 10% slower for every model: the drift is between the rounds, not within.
    takes = [take(m, ratio=base * (1.1 if rnd == 2 else 1.0) * (1 + k / 100), rnd=rnd)
             for m, base in (('asyncio', 2.5), ('uvloop', 1.8)) for rnd in (1, 2, 3) for k in (0, 1)]
    found = records.points(takes)
    between, within = found[0].drift()
    assert between == pytest.approx(0.1 * 2.525 / 2.525, abs=0.01) and within == pytest.approx(0.01, abs=0.001)
    assert text.drift(found) in [f"the rounds' medians up to 10% apart ({m}); two takes of one round up to 1%"
                                 for m in ('asyncio', 'uvloop')]          # both drifted 10%: the larger
    assert text.drift(records.points([take(ratio=2.5)])) == ''


def test_less_than_is_said_only_beyond_the_drift_between_rounds():
    # Every take of uvloop below every take of asyncio, 11% apart; but the machine drifted 30%
    # between rounds (threads, one mode, ran 30% slower in round 2): that cannot order them.
    def rounds(model, base, drift):
        return [take(model, ratio=base * (1 + drift * (r == 2)), rnd=r) for r in (1, 2, 3)]
    calm = rounds('uvloop', 2.2, 0.05) + rounds('asyncio', 2.45, 0.05)
    assert text.order(records.points(calm)) == 'uvloop < asyncio'
    assert text.machine_drift(records.points(calm)) == pytest.approx(0.05)
    drifting = calm + rounds('threads', 10.0, 0.3)
    assert text.machine_drift(records.points(drifting)) == pytest.approx(0.3)
    assert text.order(records.points(drifting)) == 'uvloop ≈ asyncio < threads'
    # A second mode is no drift: threads at 3 or 30 × d leave the machine's drift at 5%.
    modes = calm + [take('threads', ratio=r, rnd=k) for k, r in ((1, 3.0), (2, 30.0), (3, 3.1))]
    assert text.machine_drift(records.points(modes)) == pytest.approx(0.05)


def test_the_versions_slide_says_where_each_python_came_from():
    takes = [take(python='3.12.1', build='pyenv'), take(python='3.11.7', build='pyenv'),
             take(python='3.13.18', build='Debian forky/sid 3.13.18-1'),
             take(python='3.14.10', build='Debian forky/sid 3.14.10-1')]
    assert versions.sources(takes) == ('3.11.7 and 3.12.1: pyenv; 3.13.18 and 3.14.10: Debian forky/sid '
                                       '(packages 3.13.18-1, 3.14.10-1)')
    assert versions.limit(takes) == ("3.11.7 and 3.12.1: pyenv's newest here, older than upstream's; "
                                     'no Debian suite on this mirror has newer')
    assert versions.short('Debian forky/sid') == 'sid' and versions.short('pyenv') == 'pyenv'
    assert versions.limit(takes[2:]).startswith('Each the newest patch release of its line that Debian')
    assert system.python_build() in ('pyenv', os.path.realpath(sys.base_prefix)) or \
        system.python_build().startswith('Debian ')


def test_a_change_between_pythons_is_called_faster_only_past_the_takes_spread():
    old = records.Point('asyncio', 10_000, 'default', [take(ratio=r) for r in (3.2, 3.3, 3.4)])
    new = records.Point('asyncio', 10_000, 'default', [take(ratio=r) for r in (2.7, 2.8, 2.9)])
    assert text.change(old, new, ('3.11', '3.14')).endswith('faster: every take below every one on 3.11')
    near = records.Point('asyncio', 10_000, 'default', [take(ratio=r) for r in (3.0, 3.1, 3.25)])
    said = text.change(old, near, ('3.11', '3.14'))
    assert said == '3.30 × d on 3.11, 3.10 × d on 3.14 (-6%): ≈, the takes overlap'


def test_rounds_interleave_the_models_and_turn_each_round():
    plan = list(sweep.rounds([('a', 'default'), ('b', 'default'), ('c', 'default')], 100, 3, per_round=2))
    assert [(m, r) for m, _, _, r in plan] == [
        ('a', 1), ('b', 1), ('c', 1), ('c', 1), ('b', 1), ('a', 1),
        ('b', 2), ('c', 2), ('a', 2), ('a', 2), ('c', 2), ('b', 2),
        ('c', 3), ('a', 3), ('b', 3), ('b', 3), ('a', 3), ('c', 3)]
    whole = list(sweep.schedule(['threads', 'asyncio'], [10, 100, 1000], compared=100,
                                collectors=['freeze'], count=2, per_round=1))
    assert whole[:2] == [('threads', 10, 'default', 0), ('asyncio', 10, 'default', 0)]
    assert ('asyncio', 100, 'freeze', 1) in whole and ('asyncio', 100, 'freeze', 2) in whole
    assert whole[-2:] == [('asyncio', 1000, 'default', 0), ('threads', 1000, 'default', 0)]  # loops first


def test_a_model_that_failed_is_not_run_at_larger_n():
    failed = records.points([records.Take('threads', 30_000, outcomes={'answered': 10}, wall=50.0, cpu=1.0)])
    assert sweep.skip_reason('threads', 100_000, failed, 1) == 'failed at N = 30,000'
    slow = records.points([take('processes', 10_000, ratio=40, cpu_us=3400),
                           take('processes', 10_000, ratio=40, cpu_us=2000)])
    assert sweep.skip_reason('processes', 30_000, slow, 1).startswith(
        'time budget: ~103 s expected for 1 take (3,400 µs of CPU per request at N = 10,000, its slowest')
    assert sweep.skip_reason('processes', 15_000, slow, 1) == ''
    assert sweep.skip_reason('processes', 15_000, slow, 1, takes=5).startswith('time budget: ~260 s')
    skipped = slow + records.points([records.Take('processes', 30_000, skipped='time budget: …')])
    assert sweep.skip_reason('processes', 100_000, skipped, 1) == 'not measured at N = 30,000 either'
    assert sweep.skip_reason('asyncio', 10, [], 1) == ''
    loop = records.points([take('asyncio', 10_000, cpu_us=3400)])
    assert sweep.skip_reason('asyncio', 100_000, loop, 1) == ''      # the loops always run


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


def small_sweep():
    return [take('threads', 10, ratio=1.01, cpu_us=900, peak_mib=20.0, peak_threads=11),
            records.Take('threads', 100, wall=1.1, cpu=0.01, outcomes={'answered': 60, 'EMFILE': 40},
                         limit='open files per process: 64', in_flight=64, peak_mib=22.0),
            take('asyncio', 10, ratio=1.00, cpu_us=700, peak_mib=19.0),
            take('asyncio', 100, ratio=1.02, cpu_us=300, peak_mib=20.0, in_flight=98)]


def test_the_table_shows_a_failure_as_a_failure(tmp_path):
    report.write_table(small_sweep(), tmp_path / 't.csv', [10, 100])
    with open(tmp_path / 't.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table == [['model', 'N = 10 (one take): × d', 'CPU µs', 'MiB', 'in flight',
                      'N = 100 (one take): × d', 'CPU µs', 'MiB', 'in flight'],
                     ['threads', '1.01', '900', '20', '10', 'failed', '—', '—', '—'],
                     ['asyncio', '1.00', '700', '19', '10', '1.02', '300', '20', '98']]
    found = records.points(small_sweep())
    assert report.stop(found, 'threads') == (
        'N = 100: 40 of 100 failed (EMFILE), open files per process: 64')
    assert report.stop(found, 'threads', short=True) == '100: EMFILE'
    assert report.stop(found, 'asyncio') == 'all answered up to N = 100'
    skipped = records.points([small_sweep()[0], records.Take('threads', 100, skipped='time budget: ~260 s')])
    assert report.stop(skipped, 'threads', short=True) == '100: not measured (time budget)'


def test_memory_per_worker_counts_the_workers_that_held_the_peak():
    def point(n, mib, held):
        return take('processes', n, peak_mib=float(mib), processes_at_peak=held, peak_processes=held + 40)
    found = records.points([point(10, 150, 13), point(100, 550, 63)])
    assert report.memory_per_unit(found, 'processes') == (400 * 1024 / 50, 10, 100)
    assert report.kib(report.memory_per_unit(found, 'processes')) == '8.0 MiB'


def test_the_verdicts_on_the_2015_claims_follow_the_points():
    threads = [take('threads', 1_000, ratio=1.2, cpu_us=350, in_flight=1_000),
               take('threads', 10_000, ratio=3.0, cpu_us=300, in_flight=5_566),
               take('threads', 30_000, ratio=105.5, cpu_us=6504, in_flight=6_399)]
    assert report.threads_claim(records.points(threads)) == (
        'refuted at N = 1,000 and 10,000 (1,000 and 5,566 threads in flight at once, every request '
        'answered); at N = 30,000 (one take), a cliff: 105.50 × d, 6,504 µs of CPU per request '
        'against 300 µs at 10,000')
    steady = threads[:2] + [take('threads', 30_000, ratio=4.0, cpu_us=400, in_flight=6_399)]
    assert 'cliff' not in report.threads_claim(records.points(steady))     # said only where it is one
    assert report.threads_claim(records.points([take('threads', 300, in_flight=300)])).startswith(
        'not refuted here: ')
    loops = records.points([take('asyncio', 100_000, ratio=14.47), take('uvloop', 100_000, ratio=9.24)])
    said = report.loops_claim(loops, fd_limit=20_000)
    assert said.startswith('not tested past N = 100,000: 100,000 requests, all answered and all in '
                           'flight at once (asyncio 14.47 × d, uvloop 9.24 × d, one take, in 6 processes')
    assert 'held' not in said                       # 100,000 is not "hundreds of thousands"
    more = records.points([take('asyncio', 200_000, ratio=20.0)])
    assert report.loops_claim(more, fd_limit=20_000).startswith('held: 200,000 requests')


def test_the_collector_s_share_is_reported_beside_what_changing_it_did_to_all_the_cpu():
    # Threshold 50,000 cut the collector's time by nearly half, but all the CPU only ~2%: the
    # share is not the cost; freezing took more of both.
    def takes(collector, cpus, gc_seconds):
        return [take(collector=collector, cpu_us=c, gc=gc_seconds, rnd=k + 1) for k, c in enumerate(cpus)]
    found = records.points(takes('default', (162, 163, 164), 0.34) + takes('threshold', (159, 160, 161), 0.19)
                           + takes('freeze', (172, 174, 176), 0.44))
    effect = report.collectors_effect(found)
    assert effect.startswith('gc.freeze() after start-up took the collector from 0.34 to 0.44 s a take, '
                             'and all the CPU from 1.63 to 1.74 s (+7%: more CPU)')
    assert effect.endswith(f'gc.set_threshold({client.THRESHOLD:,}) took the collector from 0.34 to 0.19 s '
                           'a take, and all the CPU from 1.63 to 1.60 s (-2%: less CPU)')
    overlapping = records.points(takes('default', (162, 163, 164), 0.34) + takes('threshold', (161, 163, 165), 0.19))
    assert report.collectors_effect(overlapping).endswith(
        "(+0%: ≈ the same CPU, within the takes' spread and the drift)")
    assert report.spreads(found[:1]) == 'at most 1% (asyncio)'
    two_modes = records.points(takes('default', (256, 262, 5657), 0.3))
    assert report.spreads(two_modes) == 'up to 22-fold (asyncio)'      # not 'at most 2131%'


def test_the_check_compares_a_rerun_with_the_published_spread():
    published = [take(ratio=r, rnd=i + 1) for i, r in enumerate((2.41, 2.50, 2.56))]
    inside = [take(ratio=r) for r in (2.45, 2.49, 2.70)]
    lines = check.compare(inside, published)
    assert lines == ['asyncio at N = 10,000: inside the published spread: 2.49 × d, the median of '
                     '2.49 × d (2.45–2.70) on Python 3.14.10 (1 of 3 takes outside); published '
                     '2.50 × d (2.41–2.56) on Python 3.14.10 (3 takes in 3 rounds); CPU per request '
                     '160 µs, published 160 µs (160–160)']
    assert check.inside(lines) and check.verdict(lines) == 'bench-check: every model inside the published spread'
    outside = check.compare([take(ratio=r) for r in (2.80, 2.85, 2.90)], published)
    assert outside[0].startswith('asyncio at N = 10,000: OUTSIDE the published spread by +11%: ')
    assert not check.inside(outside)
    assert check.verdict(outside) == 'bench-check: OUTSIDE the published spread: asyncio'
    assert check.compare(inside, [])[0].startswith('nothing to compare')
    assert not check.inside(check.compare(inside, []))
    # Threads in two modes: the published spread is every take's, both modes; not a fixed ±15%.
    modes = [take('threads', ratio=r, rnd=i // 2 + 1) for i, r in enumerate((3.0, 3.1, 29.0, 3.05, 31.0, 2.95))]
    assert check.inside(check.compare([take('threads', ratio=r) for r in (3.0, 25.0, 30.0)], modes))
    assert not check.inside(check.compare([take('threads', ratio=r) for r in (40.0, 41.0, 3.0)], modes))


def test_versions_figures_compare_the_oldest_python_with_the_headline_one(tmp_path):
    takes = [take(python=python, ratio=r, rnd=k + 1) for python, rs in
             (('3.11.7', (3.2, 3.3, 3.4)), ('3.14.10', (2.7, 2.8, 2.9)), ('3.15.2', (2.75, 2.8, 2.85)))
             for k, r in enumerate(rs)]
    figures = versions.figures(takes)
    assert figures['versions pythons'] == '3.11.7, 3.14.10, 3.15.2'
    assert figures['versions takes'] == '3 takes in 3 rounds'
    assert figures['asyncio versions change'].endswith(
        'faster: every take below every one on 3.11, by more than the drift (7%)')
    assert figures['asyncio versions order'] == '3.14.10 ≈ 3.15.2 < 3.11.7'
    assert figures['versions collector'] == '3.14.10 and 3.15.2 run the generational one'
    assert versions.collector(['3.14.4', '3.14.5']) == '3.14.5 runs the generational one; 3.14.4 runs the incremental one'
    versions.write_outputs(takes, tmp_path)
    assert records.read_takes(tmp_path / 'versions.csv')[0].python == '3.11.7'
    lines = versions.take_lines(takes[:2])
    assert versions.read_take_lines('progress\n' + '\n'.join(lines)) == takes[:2]


def test_versions_runs_every_python_in_turn_round_after_round_within_its_budget(monkeypatch):
    calls = []

    def call(python, args, timeout=None):              # what .ci/bench PYTHON -- ARGS would print
        calls.append((python, *args[:3]))
        lines = versions.take_lines([take(python=python, rnd=int(args[2]))]) if args[0] == 'takes' else ['3.14']
        return subprocess.CompletedProcess(args, 0, '\n'.join(lines))
    monkeypatch.setattr(versions, 'call', call)
    takes = versions.measure(['3.11', '3.14'], 3, ['asyncio'], say=lambda line: None)
    assert calls[:2] == [('3.11', 'where'), ('3.14', 'where')]              # all ready first
    assert [(python, number) for python, _, _, number in calls[2:]] == [
        ('3.11', '1'), ('3.14', '1'), ('3.14', '2'), ('3.11', '2'), ('3.11', '3'), ('3.14', '3')]
    assert [t.round for t in takes] == [1, 1, 2, 2, 3, 3]
    calls.clear()
    assert len(versions.measure(['3.11', '3.14'], 3, ['asyncio'], say=lambda line: None, budget=0)) == 2
    assert len(calls) == 4                             # one whole round: the next would pass the budget


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


def test_the_lesson_does_not_import_the_harness():
    source = (ROOT / 'snippets' / 'bench_models.py').read_text()
    assert not re.search(r'^\s*(from|import) slides', source, re.M)


def bench_command(out, *extra):
    return [sys.executable, '-W', 'error', '-m', 'slides.tools.bench', 'sweep', '--counts', '2', '4',
            '--compared', '4', '--delay', '0.2', '--models', 'threads', 'asyncio', '--rounds', '2',
            '--per-round', '1', '--collectors', '--out', str(out), *extra]


def test_the_command_line_writes_every_file_with_its_columns(tmp_path, nginx_echo):
    result = subprocess.run(bench_command(tmp_path, '--keep-busy'),
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert 'stolen by the hypervisor' in result.stderr
    assert '] threads at N = 4, round 2, take 2 of 2' in result.stderr       # progress as it goes
    takes = records.read_takes(tmp_path / 'bench.csv')
    assert [(t.model, t.n, t.round, t.ok) for t in takes] == [
        ('threads', 2, 0, True), ('asyncio', 2, 0, True),
        ('threads', 4, 1, True), ('asyncio', 4, 1, True), ('asyncio', 4, 2, True), ('threads', 4, 2, True)]
    with open(tmp_path / 'bench_table.csv', newline='') as f:
        assert next(csv.reader(f)) == ['model', 'N = 2 (one take): × d', 'CPU µs', 'MiB', 'in flight',
                                       'N = 4 (2 takes in 2 rounds): × d', 'CPU µs', 'MiB', 'in flight']
    with open(tmp_path / 'stops.csv', newline='') as f:
        assert next(csv.reader(f)) == ['model', 'all answered up to N', 'in flight at once',
                                       'memory each', 'from N', 'failed or not measured at N']
    figures = (tmp_path / 'figures.txt').read_text()
    assert '.. |asyncio 4 ratio| replace:: ' in figures and '.. |d| replace:: 0.2 s' in figures
    assert f'.. |python| replace:: {platform.python_version()}' in figures
    assert '.. |compared| replace:: 4' in figures
    drift = re.search(r'^\.\. \|compared drift\| replace:: (.*)$', figures, re.M).group(1)
    # Reported whatever the load: as measured, or why not (on a loaded machine takes split into modes).
    assert drift.startswith("the rounds' medians up to ") or drift == (
        'not measured: the takes of every model in rounds split into modes'), drift
    assert (tmp_path / 'bench.svg').read_text().startswith('<?xml')
    machine = (tmp_path / 'machine.txt').read_text()
    assert machine.startswith('``python -m slides.tools.bench sweep --counts 2 4')
    assert 'busy before' in machine and 'steal' in machine and 'the sweep took' in machine
    assert 'nginx/' in machine and f'Python {platform.python_version()}' in machine


def test_a_busy_machine_writes_and_prints_nothing_and_fails_unless_kept(tmp_path, nginx_echo):
    spinner = subprocess.Popen([sys.executable, '-c', 'while True: pass'])   # one core: > 5% up to 20
    try:
        result = subprocess.run(bench_command(tmp_path / 'out'), cwd=ROOT, capture_output=True,
                                text=True, timeout=180)
    finally:
        spinner.kill()
        spinner.wait(10)
    assert result.returncode == 1, result.stderr
    assert 'BUSY' in result.stderr and 'nothing written or printed' in result.stderr
    assert result.stdout == '' and not (tmp_path / 'out').exists()


def committed():
    out = ROOT / 'slides' / 'bench'
    return (records.read_takes(out / 'bench.csv'), records.read_takes(out / 'versions.csv'),
            (out / 'figures.txt').read_text(), (out / 'versions.txt').read_text())


def test_the_committed_files_say_what_their_takes_say():
    takes, versions_takes, figures, versions_text = committed()
    found = records.points(takes)
    for model in ('threads', 'asyncio', 'uvloop'):
        point = records.find(found, model, config.COMPARED)
        assert f'.. |{model} compared range| replace:: {text.ratio(point)}\n' in figures
        assert f'.. |{model} compared cpu| replace:: {text.cpu(point)}\n' in figures
    at = [records.find(found, m, config.COMPARED) for m in ('processes', 'threads', 'asyncio', 'uvloop')]
    assert f'.. |wall verdict| replace:: {text.order(at)}\n' in figures
    assert '|loops claim| replace:: held' not in figures or max(t.n for t in takes if t.ok) > 100_000
    assert f'.. |versions pythons| replace:: {versions.figures(versions_takes)["versions pythons"]}\n' in versions_text
    # The versions table's column widths (set so that it fits its slide) match its columns.
    widths = re.search(r'versions_table\.csv\n(?:   :.*\n)*?   :widths: ([\d ]+)\n',
                       (ROOT / 'slides' / 'measured.rst').read_text()).group(1).split()
    with open(ROOT / 'slides' / 'bench' / 'versions_table.csv', newline='') as f:
        assert len(widths) == len(next(csv.reader(f)))
    # Nothing on the measured slides quotes a figure the files do not define.
    names = set(re.findall(r'^\.\. \|([^|]+)\| replace::', figures + versions_text, re.M))
    for page in ('measured.rst', 'blocking.rst'):
        used = {' '.join(u.split()) for u in
                re.findall(r'(?<![|\w])\|(\w[^|`]*?\w)\|(?![|\w])', (ROOT / 'slides' / page).read_text())}
        assert used <= names, (page, used - names)
