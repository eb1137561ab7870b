"""One trace across the journal, in one process on the real servers: the request's span, its
write to Redis, and the worker's archive span with its PostgreSQL and Redis calls under it; the
worker's polls are not traced. (The same across real processes, exported over OTLP, is the
tracing setup's end-to-end test.)"""

from __future__ import annotations

import uuid

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.playback.redis_progress_codec import GROUP, STREAM
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import RedisSyncBroker
from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from entrypoints.worker_loops.playback import archive_batch
from tests.support.instrumented import redis_instrumented, traced_engine  # noqa: F401  (a fixture)
from tests.support.live_progress import DUNE, Live, record, with_viewer_and_catalog
from tests.support.recorded_spans import named

pytestmark = pytest.mark.integration


def is_database(span: ReadableSpan) -> bool:
    attributes = span.attributes or {}
    return "postgresql" in (attributes.get("db.system"), attributes.get("db.system.name"))


@pytest.mark.usefixtures("redis_instrumented")
async def test_a_request_and_the_archive_write_it_led_to_are_one_trace(
    engine: AsyncEngine, postgres_url: str, redis: Redis, recorded_spans: list[ReadableSpan]
) -> None:
    async with traced_engine(postgres_url) as database:
        archive = PostgresProgressArchive(database)
        store = RedisProgressStore(redis, archive)
        live = Live(
            store, archive, RedisSyncBroker(redis), uuid.uuid4(),
            PostgresContentRepository(database), PostgresIdentityUnitOfWorkFactory(database),
        )  # fmt: skip
        await with_viewer_and_catalog(live)
        with trace.get_tracer(__name__).start_as_current_span("POST /api/v1/playback/progress") as request:
            await record(live, DUNE, 600, 1)
        tracing = OpenTelemetryWorkTracing(system="redis", destination=STREAM, consumer_group=GROUP)
        archiving = ArchiveProgressChanges(store, archive, tracing)

        assert await archive_batch(archiving, ArchiveProgressChangesCommand("worker-1", 0.5)) == 1
        assert await archive_batch(archiving, ArchiveProgressChangesCommand("worker-1", 0.05)) == 0
        assert (await archive.load(live.user_id, DUNE.id)).progress is not None

    def children(parent: trace.SpanContext) -> list[ReadableSpan]:
        return [s for s in recorded_spans if s.parent is not None and s.parent.span_id == parent.span_id]

    (archived,) = named(recorded_spans, f"archive {STREAM}")
    assert archived.context.trace_id == request.get_span_context().trace_id
    assert archived in children(request.get_span_context())
    assert "EVALSHA progress_write" in {s.name for s in children(request.get_span_context())}
    inside = children(archived.context)
    assert any(is_database(s) for s in inside)  # the archive's statements
    assert "EVALSHA settle" in {s.name for s in inside}
    assert any("XACK" in s.name for s in inside)  # the acknowledgement's pipeline
    polls = [s.name for s in recorded_spans if any(c in s.name for c in ("XREADGROUP", "XAUTOCLAIM", "XGROUP"))]
    assert polls == []
