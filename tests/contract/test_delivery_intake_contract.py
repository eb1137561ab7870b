"""The receiver's intake (``DeliveryIntake``): back-pressure, both levels of deduplication and
the append, one atomic step. The in-memory stream and Redis both pass it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from redis.asyncio import Redis

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from adapters.ingestion.redis_delivery_intake import RedisDeliveryIntake
from adapters.ingestion.redis_ingestion_codec import STREAM, delivery_key, read_entry, text, title_key
from adapters.shared.manual_clock import ManualClock
from application.ingestion.ingested_change import IngestedChange
from application.ingestion.stream_ports import Accepted, Busy, DeliveryIntake, Duplicate
from domain.catalog.catalog_change import CatalogChange

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
HORIZON = timedelta(hours=72)


@attrs.frozen
class Intake:
    intake: DeliveryIntake
    appended: Callable[[], Awaitable[list[IngestedChange]]]  # what reached the stream, oldest first


@pytest.fixture(params=["in-memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Intake:
    if request.param == "in-memory":
        stream = InMemoryIngestionStream(ManualClock(NOW))

        async def handed_out() -> list[IngestedChange]:
            return await stream.read("test", 1000, 0)

        return Intake(stream, handed_out)
    redis: Redis = request.getfixturevalue("redis")

    async def in_redis() -> list[IngestedChange]:
        return [read_entry(text(entry_id), fields) for entry_id, fields in await redis.xrange(STREAM)]

    return Intake(RedisDeliveryIntake(redis), in_redis)


def removal(content_id: str = "81234567", at: datetime = NOW) -> CatalogChange:
    return CatalogChange.removed("netflix", content_id, at)


def an_entry(change: CatalogChange, delivery_id: str = "msg_1", platform: str = "netflix") -> IngestedChange:
    return IngestedChange(
        event_id=str(uuid.uuid4()),
        platform=platform,
        delivery_id=delivery_id,
        fingerprint=change.fingerprint(),
        change=change,
        received_at=NOW,
    )


async def accept(intake: Intake, entry: IngestedChange, backlog_limit: int = 100) -> object:
    return await intake.intake.accept(entry, backlog_limit=backlog_limit, horizon=HORIZON)


async def test_a_new_delivery_is_appended_as_sent(backend: Intake) -> None:
    entry = an_entry(removal())
    assert await accept(backend, entry) == Accepted(entry.event_id)
    [appended] = await backend.appended()
    assert (appended.event_id, appended.platform, appended.delivery_id) == (entry.event_id, "netflix", "msg_1")
    assert appended.change == entry.change and appended.fingerprint == entry.fingerprint
    assert appended.received_at == NOW and appended.attempts == () and appended.id


async def test_the_same_delivery_id_again_is_a_delivery_duplicate_of_the_first_event(backend: Intake) -> None:
    first = an_entry(removal())
    await accept(backend, first)
    again = an_entry(removal("another-title"), delivery_id="msg_1")
    assert await accept(backend, again) == Duplicate(first.event_id, "delivery")
    assert len(await backend.appended()) == 1


async def test_the_same_change_under_a_new_id_is_a_change_duplicate(backend: Intake) -> None:
    first = an_entry(removal())
    await accept(backend, first)
    resent = an_entry(removal(at=NOW + timedelta(minutes=3)), delivery_id="msg_2")  # occurred_at is not compared
    assert await accept(backend, resent) == Duplicate(first.event_id, "change")
    assert len(await backend.appended()) == 1


async def test_only_the_titles_latest_change_is_compared_so_a_back_and_forth_is_applied(backend: Intake) -> None:
    details = CatalogChange.availability_changed("netflix", "81234567", NOW, [])
    outcomes = [
        await accept(backend, an_entry(change, delivery_id=f"msg_{n}"))
        for n, change in enumerate([removal(), details, removal()])
    ]
    assert all(isinstance(outcome, Accepted) for outcome in outcomes)
    assert len(await backend.appended()) == 3


async def test_delivery_ids_and_titles_are_per_platform(backend: Intake) -> None:
    await accept(backend, an_entry(removal()))
    other = an_entry(CatalogChange.removed("youtube", "81234567", NOW), platform="youtube")
    assert isinstance(await accept(backend, other), Accepted)


async def test_past_the_backlog_bound_nothing_is_appended_and_nothing_is_remembered(backend: Intake) -> None:
    for n in range(3):
        await accept(backend, an_entry(removal(f"title-{n}"), delivery_id=f"msg_{n}"), backlog_limit=3)
    refused = an_entry(removal("title-late"), delivery_id="msg_late")
    assert await accept(backend, refused, backlog_limit=3) == Busy(3)
    assert len(await backend.appended()) == 3
    assert isinstance(await accept(backend, refused, backlog_limit=4), Accepted)  # the sender's retry


async def test_racing_copies_of_one_delivery_are_appended_once(backend: Intake) -> None:
    entries = [an_entry(removal()) for _ in range(10)]
    outcomes = await asyncio.gather(*(accept(backend, entry) for entry in entries))
    assert sum(isinstance(outcome, Accepted) for outcome in outcomes) == 1
    assert len(await backend.appended()) == 1


async def test_redis_keeps_the_dedup_keys_for_the_horizon_and_carries_the_trace(redis: Redis) -> None:
    intake = RedisDeliveryIntake(redis)
    tracer = TracerProvider().get_tracer("test")
    entry = an_entry(removal())
    with tracer.start_as_current_span("POST /api/v1/webhooks/{platform}") as span:
        await intake.accept(entry, backlog_limit=100, horizon=HORIZON)
    for key in (delivery_key("netflix", "msg_1"), title_key("netflix", "81234567")):
        assert HORIZON.total_seconds() * 1000 - 5000 < await redis.pttl(key) <= HORIZON.total_seconds() * 1000
    [(_, fields)] = await redis.xrange(STREAM)
    traceparent = text(fields[b"tp"])
    assert traceparent.split("-")[1] == format(span.get_span_context().trace_id, "032x")
    assert trace.get_current_span().get_span_context().is_valid is False
