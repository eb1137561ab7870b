"""The client instrumentations the tracing setup turns on, for a test that looks at their spans.

Instrumentors are process-wide: each is turned on for the test and off after it, unless
something else in the process had turned it on already (then it stays as it was)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import create_engine


@pytest.fixture
def redis_instrumented() -> Iterator[None]:
    instrumentor = RedisInstrumentor()
    already = instrumentor.is_instrumented_by_opentelemetry
    if not already:
        instrumentor.instrument()
    yield
    if not already:
        instrumentor.uninstrument()


@asynccontextmanager
async def traced_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of its own whose statements are spans (the SQLAlchemy instrumentation on this
    engine only; its listeners go with it)."""
    engine = create_engine(database_url, pool_size=2)
    # What SQLAlchemyInstrumentor().instrument(engine=...) builds, without patching create_engine
    # for the whole process (and it would do nothing at all if something had instrumented it).
    connections = metrics.get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, connections)
    try:
        yield engine
    finally:
        await engine.dispose()
