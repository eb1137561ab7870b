"""Real PostgreSQL and Redis for the test suite.

By default the embedded servers (the same code the service uses); MG_TEST_DATABASE_URL and
MG_TEST_REDIS_URL point the suite at other servers instead. A server that cannot be reached
fails the run: integration tests are never skipped for want of a server.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from adapters.embedded.embedded_postgres import start_embedded_postgres
from adapters.embedded.embedded_redis import start_embedded_redis
from adapters.postgres.database import async_url


def postgres_server_url(scratch: Path) -> str:
    configured = os.environ.get("MG_TEST_DATABASE_URL")
    return async_url(configured) if configured else start_embedded_postgres(scratch)


def redis_server_url(scratch: Path) -> str:
    """The suite's Redis: on a configured server, the configured database moved up by the pytest-xdist
    worker's number (workers share that server); an embedded one is each worker's own."""
    configured = os.environ.get("MG_TEST_REDIS_URL")
    if not configured:
        return start_embedded_redis(scratch)
    return redis_database_url(configured, redis_database(configured) + xdist_worker())


# pytest-xdist runs the suite in several processes (gw0, gw1, ...), each with its own databases on a
# shared server: the suite's Redis keys in db 0 + N, the services' in db 15 - N, for N < MAX_WORKERS.
MAX_WORKERS = 8


def xdist_worker() -> int:
    """This process's pytest-xdist worker number (gw3 -> 3); 0 when the suite runs in one process."""
    number = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    assert workers <= MAX_WORKERS, f"{workers} xdist workers: at most {MAX_WORKERS} have Redis databases of their own"
    return number


def redis_database(url: str) -> int:
    """The logical database a Redis URL names (``redis://host/3``, ``unix:///path?db=3``; 0 if none)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        return int(parse_qs(parts.query).get("db", ["0"])[0])
    return int(parts.path.strip("/") or 0)


def redis_database_url(url: str, database: int) -> str:
    """The same Redis server, logical database ``database``."""
    from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = urlencode({**parse_qs(parts.query), "db": [str(database)]}, doseq=True)
        return f"unix://{parts.netloc}{parts.path}?{query}"  # urlunsplit would drop the empty netloc's //
    return urlunsplit(parts._replace(path=f"/{database}"))


# The service processes started by tests get a logical database of their own on a shared Redis:
# the suite's own keys (db 0) and an earlier run's leftovers must not look like their data.
SERVICE_REDIS_DB = 15


def service_redis_db() -> int:
    """This worker's database for the services it starts (15 on one process, 15 - N on worker N)."""
    return SERVICE_REDIS_DB - xdist_worker()


def fresh_redis_url(server_url: str) -> str:
    """The services' database of the same Redis server, emptied (a service started by a test starts from nothing)."""
    import redis

    fresh = redis_database_url(server_url, service_redis_db())
    client = redis.Redis.from_url(fresh)
    try:
        client.flushdb()
    finally:
        client.close()
    return fresh


def fresh_database_url(server_url: str) -> str:
    """A new, uniquely named database on the same server, so tests never touch existing data."""
    url = make_url(server_url)
    name = f"{url.database or 'mg'}_mgtest_{uuid.uuid4().hex[:10]}"
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a database made by ``fresh_database_url`` (from synchronous code)."""
    administer(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def administer(url: str, statement: str) -> None:
    """Run ``statement`` (CREATE/DROP DATABASE) on the server of ``url``, outside a transaction."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def run() -> None:
        admin = create_async_engine(make_url(async_url(url)).set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await admin.dispose()

    asyncio.run(run())


def query(url: str, sql: str, **params: object) -> tuple[object, ...]:
    """The one row of a query, from synchronous code (process-level tests)."""
    (row,) = query_all(url, sql, **params)
    return row


def query_all(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Every row of a query, from synchronous code (process-level tests); a write is committed."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def rows() -> list[tuple[object, ...]]:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.begin() as conn:
                return [tuple(row) for row in (await conn.execute(text(sql), params))]
        finally:
            await engine.dispose()

    return asyncio.run(rows())
