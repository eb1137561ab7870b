"""A database error is logged with what went wrong, never with the parameters of its statement."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client
from redis.asyncio import Redis
from sqlalchemy import Integer, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import create_engine, ensure_database, migrate
from entrypoints.logging_setup import JsonFormatter
from tests.support.apps import real_container, running
from tests.support.catalog_fixtures import small_catalog
from tests.support.servers import drop_database, fresh_database_url

pytestmark = pytest.mark.integration
SEARCH_TEXT = "zanzibar umbrella 7731"


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """The records as pytest shows them and as the service writes them (JSON lines)."""
    return caplog.text + "\n".join(JsonFormatter().format(record) for record in caplog.records)


@pytest.fixture
async def broken_catalog(postgres_url: str, redis_url: str, redis: Redis, tmp_path: Path) -> AsyncIterator[Client]:
    """The service on a database of its own whose catalog table has gone missing."""
    url = fresh_database_url(postgres_url)
    await ensure_database(url)
    engine = create_engine(url, pool_size=1)
    await migrate(engine)
    container = real_container(tmp_path, url, redis_url)
    try:
        async with running(container) as (_, client):
            await container.catalog.import_catalog()(small_catalog())
            async with engine.begin() as conn:
                await conn.execute(text("ALTER TABLE content RENAME TO content_gone"))
            yield client
    finally:
        await engine.dispose()
        await asyncio.to_thread(drop_database, url)


async def test_a_failed_search_is_logged_without_the_search_text(
    broken_catalog: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await broken_catalog.get("/api/v1/search", query_string={"q": SEARCH_TEXT})
    assert response.status_code == 500
    logged = everything_logged(caplog)
    assert "UndefinedTableError" in logged and "content" in logged  # the error itself is logged
    assert SEARCH_TEXT not in logged


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        # asyncpg refuses to encode the value and quotes it: "invalid input for query argument $1: '...'"
        (text("SELECT :q + 1").bindparams(bindparam("q", type_=Integer)), "DataError"),
        # PostgreSQL refuses it and quotes it: 'invalid input syntax for type integer: "..."'
        (text("SELECT CAST(CAST(:q AS text) AS integer)"), "InvalidTextRepresentationError (SQLSTATE 22P02)"),
    ],
    ids=["driver-data-error", "server-data-error"],
)
async def test_data_errors_that_quote_a_value_are_logged_without_it(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture, statement: object, error: str
) -> None:
    log = logging.getLogger("media_gateway.test")
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError) as raised:
            await conn.execute(statement, {"q": SEARCH_TEXT})  # type: ignore[call-overload]
    log.error("unhandled error", exc_info=raised.value)
    written = JsonFormatter().format(caplog.records[-1])
    assert error in written and "[SQL: SELECT" in written
    assert SEARCH_TEXT not in written
