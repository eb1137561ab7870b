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
    return os.environ.get("MG_TEST_REDIS_URL") or start_embedded_redis(scratch)


# The service processes started by tests get a logical database of their own on a shared Redis:
# the suite's own keys (db 0) and an earlier run's leftovers must not look like their data.
SERVICE_REDIS_DB = 15


def fresh_redis_url(server_url: str) -> str:
    """Database 15 of the same Redis server, emptied (a service started by a test starts from nothing)."""
    from urllib.parse import urlsplit, urlunsplit

    import redis

    fresh = urlunsplit(urlsplit(server_url)._replace(path=f"/{SERVICE_REDIS_DB}"))
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
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def drop() -> None:
        parsed = make_url(async_url(url))
        admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    asyncio.run(drop())


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
