"""asyncio apps: aiohttp, psycopg 3 and redis.asyncio against real local servers.

HTTP: an aiohttp.web server started here.  PostgreSQL and Redis: throwaway servers
started by the ``postgres`` and ``redis_server`` fixtures in conftest.py.
"""
import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as redis
from aiohttp import web
from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo

from snippets import app_aiohttp, app_postgres, app_redis

ROOT = Path(__file__).resolve().parent.parent
PAGES = {'/a': 'alpha\n', '/b': 'bravo\n' * 10_000, '/c': 'charlie \N{SNOWMAN}\n'}
TOGETHER = 3            # requests the /together/ page waits for, all in flight at once
TOGETHER_WAIT = 2       # seconds it waits for them before it answers 'alone'


def run_snippet(module, *args, env=None):
    """``python -W error -m snippets.MODULE``: its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, '-W', 'error', '-m', f'snippets.{module}', *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        timeout=60)


# -- HTTP: aiohttp ------------------------------------------------------------------------------

@pytest_asyncio.fixture
async def pages_server():
    """Base URL of an aiohttp.web server on 127.0.0.1: known pages, a 503, a meeting point."""
    arrived = 0
    everyone_here = asyncio.Event()

    async def page(request):
        return web.Response(text=PAGES[request.path])

    async def broken(request):
        return web.Response(status=503, text='try again later')

    async def together(request):
        """Answers 'together' only if TOGETHER requests are being served at the same time."""
        nonlocal arrived
        arrived += 1
        if arrived == TOGETHER:
            everyone_here.set()
        try:
            await asyncio.wait_for(everyone_here.wait(), TOGETHER_WAIT)
        except TimeoutError:
            return web.Response(text='alone')
        return web.Response(text='together')

    app = web.Application()
    app.add_routes([*(web.get(path, page) for path in PAGES), web.get('/broken', broken),
                    web.get('/together/{n}', together)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, '127.0.0.1', 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f'http://{host}:{port}'
    await runner.cleanup()


@pytest.mark.asyncio
async def test_aiohttp_fetches_every_page_in_order(pages_server):
    results = await app_aiohttp.fetch_all(pages_server, ['/b', '/a', '/c', '/a'])
    assert results == [PAGES['/b'], PAGES['/a'], PAGES['/c'], PAGES['/a']]


@pytest.mark.asyncio
async def test_aiohttp_reports_a_non_200_answer_and_keeps_the_others(pages_server):
    results = await app_aiohttp.fetch_all(pages_server, ['/a', '/broken', '/c'])
    assert results[0] == PAGES['/a'] and results[2] == PAGES['/c']
    assert isinstance(results[1], aiohttp.ClientResponseError)
    assert str(results[1]) == f"503, message='Service Unavailable', url='{pages_server}/broken'"


@pytest.mark.asyncio
async def test_aiohttp_requests_are_in_flight_at_the_same_time(pages_server):
    """The server answers 'together' only while all the requests wait on it at once."""
    paths = [f'/together/{n}' for n in range(TOGETHER)]
    assert await app_aiohttp.fetch_all(pages_server, paths) == ['together'] * TOGETHER


@pytest.mark.asyncio
async def test_aiohttp_session_is_closed_when_fetch_all_returns(pages_server, monkeypatch):
    """``async with session``: its connections are closed by the time the results are back."""
    sessions, real = [], aiohttp.ClientSession

    def client_session(*args, **kwargs):
        sessions.append(real(*args, **kwargs))
        return sessions[-1]

    monkeypatch.setattr(aiohttp, 'ClientSession', client_session)
    assert await app_aiohttp.fetch_all(pages_server, ['/a', '/c']) == [PAGES['/a'], PAGES['/c']]
    [session] = sessions
    closed = session.closed
    if not closed:
        await session.close()        # not to leak it into the next test
    assert closed


@pytest.mark.asyncio
async def test_aiohttp_refused_connection_is_reported(refused_port):
    [error] = await app_aiohttp.fetch_all(f'http://127.0.0.1:{refused_port}', ['/'])
    assert isinstance(error, aiohttp.ClientConnectorError)
    assert f'Cannot connect to host 127.0.0.1:{refused_port}' in str(error)


@pytest.mark.asyncio
async def test_aiohttp_main_prints_each_page(pages_server, capsys):
    failed = await app_aiohttp.main(pages_server, ['/a', '/broken'])
    lines = capsys.readouterr().out.splitlines()
    assert failed == 1
    assert lines[0] == '/a: 6 characters'
    assert lines[1] == (f"/broken: failed: 503, message='Service Unavailable', "
                        f"url='{pages_server}/broken'")


def test_aiohttp_standalone_uses_the_demo_server():
    result = run_snippet('app_aiohttp')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith('(no host given: using the local demo server at 127.0.0.1:')
    assert lines[1:3] == ['/?size=100&delay=0.5: 100 characters',
                          '/?size=2000&delay=0.5: 2000 characters']
    assert lines[3].startswith("/?status=404: failed: 404, message='Not Found', url='http://")
    assert lines[3].endswith("/?status=404'")
    assert lines[4].startswith('3 pages in ')


def test_aiohttp_standalone_with_a_url(http_server):
    host, port = http_server
    result = run_snippet('app_aiohttp', f'http://{host}:{port}/')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ['/: 1024 characters', '/no-such-page: 1024 characters']


# -- SQL: psycopg 3 -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_postgres_rows_written_concurrently_are_read_back(postgres):
    rows = await app_postgres.write_and_read(postgres, writers=5, count=7)
    assert rows == [(writer, n) for writer in range(5) for n in range(7)]
    async with await AsyncConnection.connect(postgres) as conn:   # really stored
        cursor = await conn.execute('SELECT count(*), count(DISTINCT writer) FROM talk_demo')
        assert await cursor.fetchone() == (35, 5)


@pytest.mark.asyncio
async def test_postgres_writers_are_all_at_work_at_once(postgres, monkeypatch):
    """The writers are tasks of one TaskGroup: all of them are writing at the same time."""
    real, now, peak = app_postgres.insert_rows, 0, 0

    async def insert_rows(*args):
        nonlocal now, peak
        now += 1
        peak = max(peak, now)
        try:
            return await real(*args)
        finally:
            now -= 1

    monkeypatch.setattr(app_postgres, 'insert_rows', insert_rows)
    async with asyncio.timeout(30):
        rows = await app_postgres.write_and_read(postgres, writers=4, count=3)
    assert rows == [(writer, n) for writer in range(4) for n in range(3)]
    assert peak == 4


@pytest.mark.asyncio
async def test_postgres_main_prints_the_rows(postgres, capsys):
    assert await app_postgres.main(postgres, writers=2, count=3) == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert capsys.readouterr().out.splitlines() == [
        '2 writers wrote 3 rows each, at the same time; read back:',
        '  writer 0: n = [0, 1, 2]',
        '  writer 1: n = [0, 1, 2]']


@pytest.mark.asyncio
async def test_postgres_refused_connection_says_what_to_start(refused_port):
    dsn = f'host=127.0.0.1 port={refused_port} dbname=postgres user=talk'
    with pytest.raises(app_postgres.DatabaseUnavailable) as caught:
        await app_postgres.main(dsn)
    message = str(caught.value)
    assert message.startswith(f'cannot reach PostgreSQL at 127.0.0.1:{refused_port}: ')
    assert 'Connection refused' in message
    assert 'apt-get install postgresql' in message and '$ASYNCIO_TALK_PG_DSN' in message


@pytest.mark.asyncio
async def test_postgres_wrong_password_says_what_to_check(postgres):
    with pytest.raises(app_postgres.DatabaseUnavailable) as caught:
        await app_postgres.main(make_conninfo(postgres, password='not-the-password'))
    message = str(caught.value)
    assert "refused the password of user 'talk'" in message
    assert 'password authentication failed for user "talk"' in message
    assert '~/.pgpass' in message and 'not-the-password' not in message


def test_postgres_standalone_reads_the_dsn_from_the_environment(postgres):
    result = run_snippet('app_postgres', env={'ASYNCIO_TALK_PG_DSN': postgres})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        '3 writers wrote 4 rows each, at the same time; read back:',
        *(f'  writer {w}: n = [0, 1, 2, 3]' for w in range(3))]


@pytest.mark.parametrize('fault', ['refused', 'password'])
def test_postgres_standalone_fault_exits_nonzero_with_advice(fault, postgres, refused_port):
    dsn = (f'host=127.0.0.1 port={refused_port}' if fault == 'refused'
           else make_conninfo(postgres, password='wrong'))
    result = run_snippet('app_postgres', env={'ASYNCIO_TALK_PG_DSN': dsn})
    assert result.returncode == 1
    assert result.stdout == '' and 'Traceback' not in result.stderr
    expected = {'refused': f'cannot reach PostgreSQL at 127.0.0.1:{refused_port}: ',
                'password': "PostgreSQL at 127.0.0.1:"}[fault]
    assert result.stderr.startswith(f'error: {expected}')
    assert {'refused': 'Start a server', 'password': 'refused the password'}[fault] in result.stderr


def test_postgres_dsn_on_the_slide_has_no_password():
    source = Path(app_postgres.__file__).read_text()
    dsn_part = source.split('# -- slide: dsn')[1].split('# -- end: dsn')[0]
    assert 'ASYNCIO_TALK_PG_DSN' in dsn_part and 'password' not in dsn_part.lower()


# -- Redis: redis.asyncio -----------------------------------------------------------------------

@pytest.mark.asyncio
async def test_redis_set_get(redis_server):
    assert await app_redis.set_get(redis_server) == 'hello, asyncio'


@pytest.mark.asyncio
async def test_redis_pipeline_answers_every_command(redis_server):
    assert await app_redis.pipeline(redis_server) == [True, 1, 42]
    assert await app_redis.pipeline(redis_server) == [True, 1, 42]   # SET resets the counter


@pytest.mark.asyncio
async def test_redis_pipeline_runs_as_one_transaction(redis_server):
    """transaction=True: the server runs the three commands as one MULTI/EXEC."""
    async def transactions(client):
        stats = await client.info('commandstats')
        return stats.get('cmdstat_exec', {}).get('calls', 0)

    async with redis.from_url(redis_server) as client:
        before = await transactions(client)
        await app_redis.pipeline(redis_server)
        assert await transactions(client) == before + 1


@pytest.mark.asyncio
async def test_redis_pubsub_round_trip_keeps_order(redis_server):
    messages = [f'message {n}' for n in range(20)]
    assert await app_redis.publish_and_listen(redis_server, 'talk', messages) == messages


@pytest.mark.asyncio
async def test_redis_refused_connection_says_what_to_start(refused_port):
    url = f'redis://127.0.0.1:{refused_port}/0'
    with pytest.raises(app_redis.RedisUnavailable) as caught:
        await app_redis.main(url)
    message = str(caught.value)
    assert message.startswith(f'cannot reach Redis at 127.0.0.1:{refused_port}: ')
    assert 'apt-get install redis-server' in message and '$ASYNCIO_TALK_REDIS_URL' in message


def test_redis_standalone_reads_the_url_from_the_environment(redis_server):
    result = run_snippet('app_redis', env={'ASYNCIO_TALK_REDIS_URL': redis_server})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'set/get: hello, asyncio', 'pipeline: [True, 1, 42]', "pub/sub: ['one', 'two']"]


@pytest.mark.parametrize('credentials', ['', ':hunter2-secret@', 'talk:hunter2-secret@'])
def test_redis_standalone_refused_exits_nonzero_with_advice(refused_port, credentials):
    """It names the server by host and port: a URL's password never reaches the screen (issue 33)."""
    url = f'redis://{credentials}127.0.0.1:{refused_port}/0'
    result = run_snippet('app_redis', env={'ASYNCIO_TALK_REDIS_URL': url})
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert result.stderr.startswith(f'error: cannot reach Redis at 127.0.0.1:{refused_port}: ')
    assert 'hunter2' not in result.stdout + result.stderr


@pytest.mark.parametrize('url, where', [
    ('redis://:pw@redis.example:6380/1', 'redis.example:6380'),
    ('rediss://user:pw@[::1]/0', '[::1]:6379'),
    ('unix:///run/redis/redis.sock?db=0', '/run/redis/redis.sock'),
])
def test_redis_where_names_host_and_port_only(url, where):
    assert app_redis.where(url) == where
