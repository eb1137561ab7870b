"""How the ingestion worker judges real failures of PostgreSQL and Redis: retry or set aside."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.ingestion.infrastructure_failure_classifier import InfrastructureFailureClassifier
from application.ingestion.processing_ports import PERMANENT, TRANSIENT, Failure

classify = InfrastructureFailureClassifier().classify


async def failure_of(engine: AsyncEngine, *statements: str, params: dict[str, object] | None = None) -> Failure:
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement), params or {})
    except Exception as error:
        return classify(error)
    raise AssertionError("the statements succeeded")


async def test_data_the_database_refuses_is_permanent_and_its_value_withheld(engine: AsyncEngine) -> None:
    failure = await failure_of(engine, "SELECT CAST(:v AS integer)", params={"v": "secret-text"})
    assert (failure.code, failure.failure_class) == ("invalid-data", PERMANENT)
    assert "secret-text" not in failure.detail
    failure = await failure_of(engine, "SELECT 1 / 0")
    assert (failure.code, failure.failure_class) == ("invalid-data", PERMANENT)


async def test_a_lock_timeout_is_transient(engine: AsyncEngine) -> None:
    async with engine.connect() as holder:
        await holder.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
        failure = await failure_of(engine, "SET LOCAL lock_timeout = '50ms'", "SELECT * FROM alembic_version")
        await holder.rollback()
    assert (failure.code, failure.failure_class) == ("LockNotAvailableError", TRANSIENT)


async def test_a_statement_timeout_is_transient(engine: AsyncEngine) -> None:
    failure = await failure_of(engine, "SET LOCAL statement_timeout = '20ms'", "SELECT pg_sleep(1)")
    assert (failure.code, failure.failure_class) == ("QueryCanceledError", TRANSIENT)


async def test_a_statement_the_server_can_never_run_is_permanent(engine: AsyncEngine) -> None:
    failure = await failure_of(engine, "SELECT * FROM no_such_table")
    assert (failure.code, failure.failure_class) == ("UndefinedTableError", PERMANENT)


async def test_servers_out_of_reach_are_transient() -> None:
    client = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    with pytest.raises(RedisConnectionError) as raised:
        await client.ping()
    await client.aclose()
    assert classify(raised.value).failure_class == TRANSIENT
    assert classify(ConnectionRefusedError("no route")).failure_class == TRANSIENT
    assert classify(TimeoutError()).failure_class == TRANSIENT
