"""asyncio apps: SQL.  psycopg 3 on asyncio: concurrent writers, then read back.

The DSN comes from $ASYNCIO_TALK_PG_DSN (default: localhost, database postgres);
libpq fills in what it leaves out from PGUSER, PGPORT, PGPASSWORD or ~/.pgpass.
The demo (re)creates the table ``talk_demo`` in that database.
"""
import asyncio
import os

from psycopg import AsyncConnection, OperationalError

# -- slide: dsn
DSN = os.environ.get('ASYNCIO_TALK_PG_DSN',
                     'host=localhost dbname=postgres')
# -- end: dsn


async def write_and_read(dsn, writers=3, count=4):
    conn = await AsyncConnection.connect(dsn, autocommit=True)
    async with conn:
        await conn.execute('DROP TABLE IF EXISTS talk_demo')
        await conn.execute('CREATE TABLE talk_demo (writer int, n int)')
        async with asyncio.TaskGroup() as tasks:      # all at once
            for writer in range(writers):
                tasks.create_task(insert_rows(dsn, writer, count))
        cursor = await conn.execute(
            'SELECT writer, n FROM talk_demo ORDER BY writer, n')
        return await cursor.fetchall()


async def insert_rows(dsn, writer, count):
    async with await AsyncConnection.connect(dsn) as conn:
        for n in range(count):
            await conn.execute('INSERT INTO talk_demo VALUES (%s, %s)',
                               (writer, n))


class DatabaseUnavailable(ConnectionError):
    """PostgreSQL did not answer, or did not let us in; the message says what to do."""


def advice(error):
    """A message for a failed connection: what went wrong and what to start or check."""
    conn = error.pgconn              # libpq's view: the host, port and user it really used
    where = f'{conn.host.decode()}:{conn.port.decode()}' if conn else 'the DSN host'
    user = conn.user.decode() if conn else 'the DSN user'
    reason = str(error).removeprefix('connection failed: ')
    if 'password' in reason:
        return (f'PostgreSQL at {where} refused the password of user {user!r}: {reason}\n'
                'Check the user and password: set them in $ASYNCIO_TALK_PG_DSN, '
                '$PGUSER/$PGPASSWORD or ~/.pgpass (never on a slide).')
    if 'FATAL' in reason:
        return (f'PostgreSQL at {where} answered but refused us: {reason}\n'
                'Check user and dbname in $ASYNCIO_TALK_PG_DSN (or $PGUSER, $PGDATABASE)'
                ' and that the server\'s pg_hba.conf lets that user in from here.')
    return (f'cannot reach PostgreSQL at {where}: {reason}\n'
            'Start a server (Debian: `apt-get install postgresql`, then '
            '`systemctl start postgresql`), or point $ASYNCIO_TALK_PG_DSN at a running one.')


async def main(dsn, writers=3, count=4):
    """Run the demo and print the rows; raise DatabaseUnavailable with advice on failure."""
    try:
        rows = await write_and_read(dsn, writers, count)
    except OperationalError as error:
        raise DatabaseUnavailable(advice(error)) from error
    print(f'{writers} writers wrote {count} rows each, at the same time; read back:')
    for writer in range(writers):
        print(f'  writer {writer}: n = {[n for w, n in rows if w == writer]}')
    return rows


# -- run: python -m snippets.app_postgres   (DSN: $ASYNCIO_TALK_PG_DSN)
if __name__ == '__main__':
    from snippets._run import run_service_demo
    run_service_demo(__doc__, lambda: main(DSN), DatabaseUnavailable)
