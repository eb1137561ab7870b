"""One contract for the worker's and operators' side of the ingestion stream: the in-memory
stream and Redis both pass it (reading, claiming a dead worker's entries, retries, dead letters,
replay through deduplication, discarding, the backlog)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from redis.asyncio import Redis

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from adapters.ingestion.redis_delivery_intake import RedisDeliveryIntake
from adapters.ingestion.redis_ingestion_codec import DEAD_LETTERS, STREAM
from adapters.ingestion.redis_ingestion_stream import RedisIngestionStream
from adapters.shared.system import SystemClock
from application.ingestion.ingested_change import Attempt, IngestedChange
from application.ingestion.stream_ports import Accepted, DeadLetterFilter, Duplicate
from tests.support.ingested_changes import ingested

HORIZON = timedelta(hours=72)
CLAIM_AFTER = timedelta(seconds=0.2)


@attrs.define
class Stream:
    stream: Any
    accept: Callable[[IngestedChange], Awaitable[Any]]


@pytest.fixture(params=["in-memory", "redis"])
def stream(request: pytest.FixtureRequest) -> Stream:
    if request.param == "in-memory":
        memory = InMemoryIngestionStream(SystemClock(), claim_after=CLAIM_AFTER)
        return Stream(memory, lambda entry: memory.accept(entry, backlog_limit=1000, horizon=HORIZON))
    redis: Redis = request.getfixturevalue("redis")
    return Stream(
        RedisIngestionStream(redis, claim_after=CLAIM_AFTER),
        lambda entry: RedisDeliveryIntake(redis).accept(entry, backlog_limit=1000, horizon=HORIZON),
    )


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def failed(error: str = "OperationalError", failure_class: str = "transient", consumer: str = "w1") -> Attempt:
    return Attempt(error=error, failure_class=failure_class, at=now(), consumer=consumer, detail="it broke")


async def accepted(s: Stream, *entries: IngestedChange) -> list[IngestedChange]:
    for entry in entries:
        assert isinstance(await s.accept(entry), Accepted)
    return list(entries)


async def test_entries_come_back_as_accepted_until_acknowledged(stream: Stream) -> None:
    trace = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    first, second = await accepted(stream, ingested("dune", trace_context=trace), ingested("matrix"))
    read = await stream.stream.read("w1", 10, 0.1)
    assert [(e.event_id, e.change, e.delivery_id, e.fingerprint) for e in read] == [
        (e.event_id, e.change, e.delivery_id, e.fingerprint) for e in (first, second)
    ]
    assert read[0].trace_context == trace and dict(read[1].trace_context) == {}
    assert all(e.id and e.attempts == () and not e.unreadable for e in read)
    assert abs((read[0].received_at - first.received_at).total_seconds()) < 0.01
    assert await stream.stream.read("w1", 10, 0) == []  # handed out, not again
    await stream.stream.acknowledge(read)
    backlog = await stream.stream.backlog()
    assert (backlog.waiting, backlog.retrying, backlog.dead_letters, backlog.oldest_age_seconds) == (0, 0, 0, 0.0)


async def test_a_read_is_bounded_and_waits_for_an_entry(stream: Stream) -> None:
    await accepted(stream, ingested("a"), ingested("b"), ingested("c"))
    assert len(await stream.stream.read("w1", 2, 0)) == 2
    assert len(await stream.stream.read("w1", 2, 0)) == 1
    waiting = asyncio.ensure_future(stream.stream.read("w1", 10, 5))
    await asyncio.sleep(0.1)
    (late,) = await accepted(stream, ingested("d"))
    assert [e.event_id for e in await asyncio.wait_for(waiting, 3)] == [late.event_id]


async def test_a_dead_workers_entries_go_to_another_after_the_claim_time(stream: Stream) -> None:
    (entry,) = await accepted(stream, ingested("dune"))
    assert len(await stream.stream.read("dead-worker", 10, 0)) == 1
    assert await stream.stream.read("w2", 10, 0) == []  # not yet idle long enough
    await asyncio.sleep(CLAIM_AFTER.total_seconds() + 0.1)
    (claimed,) = await stream.stream.read("w2", 10, 0)
    assert claimed.event_id == entry.event_id
    await stream.stream.acknowledge([claimed])
    assert (await stream.stream.backlog()).waiting == 0


async def test_a_retry_leaves_the_stream_and_comes_back_when_due_with_its_history(stream: Stream) -> None:
    await accepted(stream, ingested("dune"))
    (entry,) = await stream.stream.read("w1", 10, 0)
    attempt = failed()
    due = now() + timedelta(seconds=30)
    await stream.stream.retry_later(entry, attempt, due)
    backlog = await stream.stream.backlog()
    assert (backlog.waiting, backlog.retrying) == (0, 1)
    assert await stream.stream.promote_due(due - timedelta(seconds=1), 10) == 0
    assert await stream.stream.promote_due(due, 10) == 1
    (again,) = await stream.stream.read("w1", 10, 0)
    assert (again.event_id, again.change, again.attempts) == (entry.event_id, entry.change, (attempt,))
    assert again.id != entry.id
    backlog = await stream.stream.backlog()
    assert (backlog.waiting, backlog.retrying) == (1, 0)


async def test_promoting_is_bounded_and_oldest_due_first(stream: Stream) -> None:
    await accepted(stream, ingested("a"), ingested("b"), ingested("c"))
    entries = await stream.stream.read("w1", 10, 0)
    base = now()
    for offset, entry in zip((3, 1, 2), entries, strict=True):
        await stream.stream.retry_later(entry, failed(), base + timedelta(seconds=offset))
    assert await stream.stream.promote_due(base + timedelta(seconds=5), 2) == 2
    assert {e.event_id for e in await stream.stream.read("w1", 10, 0)} == {entries[1].event_id, entries[2].event_id}
    assert (await stream.stream.backlog()).retrying == 1


async def test_a_dead_letter_holds_the_whole_history_and_is_set_aside_once(stream: Stream) -> None:
    await accepted(stream, ingested("dune", platform="netflix"))
    (entry,) = await stream.stream.read("w1", 10, 0)
    first = failed()
    await stream.stream.retry_later(entry, first, now())
    await stream.stream.promote_due(now() + timedelta(seconds=1), 10)
    (again,) = await stream.stream.read("w1", 10, 0)
    last = failed("OperationalError", "transient", "w2")
    await stream.stream.dead_letter(again, last)
    await stream.stream.dead_letter(again, last)  # another consumer settling it too: not twice
    (letter,) = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    assert (letter.error, letter.failure_class, letter.detail, letter.failed_at) == (
        "OperationalError",
        "transient",
        "it broke",
        last.at,
    )
    assert letter.entry.attempts == (first, last)
    assert (letter.entry.event_id, letter.entry.change) == (entry.event_id, entry.change)
    assert await stream.stream.find_dead_letter(letter.id) == letter
    backlog = await stream.stream.backlog()
    assert (backlog.waiting, backlog.retrying, backlog.dead_letters) == (0, 0, 1)


async def test_an_acknowledged_entry_is_not_set_aside_nor_retried(stream: Stream) -> None:
    await accepted(stream, ingested("dune"))
    (entry,) = await stream.stream.read("w1", 10, 0)
    await stream.stream.acknowledge([entry])
    await stream.stream.dead_letter(entry, failed("unknown-title", "permanent"))
    await stream.stream.retry_later(entry, failed(), now())
    backlog = await stream.stream.backlog()
    assert (backlog.waiting, backlog.retrying, backlog.dead_letters) == (0, 0, 0)


async def test_dead_letters_are_listed_oldest_first_and_filtered(stream: Stream) -> None:
    await accepted(stream, ingested("a", platform="netflix"), ingested("b", platform="youtube"), ingested("c"))
    a, b, c = await stream.stream.read("w1", 10, 0)
    early, late = now() - timedelta(hours=2), now()
    await stream.stream.dead_letter(a, attrs.evolve(failed("unknown-title", "permanent"), at=early))
    await stream.stream.dead_letter(b, attrs.evolve(failed("unknown-series", "permanent"), at=late))
    await stream.stream.dead_letter(c, attrs.evolve(failed("unknown-series", "permanent"), at=late))
    everything = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    assert [d.entry.event_id for d in everything] == [a.event_id, b.event_id, c.event_id]
    assert len(await stream.stream.dead_letters(DeadLetterFilter(), 2)) == 2

    async def ids(selection: DeadLetterFilter) -> list[str]:
        return [d.entry.event_id for d in await stream.stream.dead_letters(selection, 10)]

    assert await ids(DeadLetterFilter(platform="youtube")) == [b.event_id]
    assert await ids(DeadLetterFilter(error="unknown-series", platform="netflix")) == [c.event_id]
    assert await ids(DeadLetterFilter(since=late - timedelta(minutes=1))) == [b.event_id, c.event_id]
    assert await ids(DeadLetterFilter(until=late - timedelta(minutes=1))) == [a.event_id]


async def test_a_replayed_dead_letter_starts_again_through_deduplication(stream: Stream) -> None:
    (original,) = await accepted(stream, ingested("dune"))
    (entry,) = await stream.stream.read("w1", 10, 0)
    await stream.stream.dead_letter(entry, failed("unknown-title", "permanent"))
    (letter,) = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    outcome = await stream.stream.replay([letter.id, "1-1"], HORIZON)
    assert (outcome.requeued, outcome.duplicates) == ((letter.id,), ())
    (again,) = await stream.stream.read("w1", 10, 0)
    assert (again.event_id, again.change, again.attempts) == (original.event_id, original.change, ())
    assert await stream.stream.dead_letters(DeadLetterFilter(), 10) == []
    assert await stream.stream.find_dead_letter(letter.id) is None
    # The replayed event still owns its delivery id: the sender's retry is a duplicate of it.
    resent = attrs.evolve(ingested("dune"), delivery_id=original.delivery_id)
    assert await stream.accept(resent) == Duplicate(original.event_id, "delivery")
    assert await stream.stream.replay([letter.id], HORIZON) == type(outcome)((), ())


async def test_a_replay_is_dropped_when_another_event_carries_the_same_change(stream: Stream) -> None:
    (original,) = await accepted(stream, ingested("dune", regions=("US",)))
    (entry,) = await stream.stream.read("w1", 10, 0)
    await stream.stream.dead_letter(entry, failed("unknown-title", "permanent"))
    (letter,) = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    # The title moves on (B) and then back to the dead letter's change (A) under a new event.
    await accepted(stream, ingested("dune", regions=("GB",)), ingested("dune", regions=("US",)))
    outcome = await stream.stream.replay([letter.id], HORIZON)
    assert (outcome.requeued, outcome.duplicates) == ((), (letter.id,))
    assert await stream.stream.dead_letters(DeadLetterFilter(), 10) == []
    assert original.event_id not in {e.event_id for e in await stream.stream.read("w1", 10, 0)}


async def test_a_replay_is_requeued_when_the_title_moved_on_to_another_change(stream: Stream) -> None:
    await accepted(stream, ingested("dune", regions=("US",)))
    (entry,) = await stream.stream.read("w1", 10, 0)
    await stream.stream.dead_letter(entry, failed("unknown-title", "permanent"))
    (letter,) = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    (newer,) = await accepted(stream, ingested("dune", regions=("GB",)))
    outcome = await stream.stream.replay([letter.id], HORIZON)
    assert outcome.requeued == (letter.id,)
    # The title key still names the newer change: re-sending it is still a duplicate.
    assert await stream.accept(attrs.evolve(newer, event_id="x", delivery_id="new-id")) == Duplicate(
        newer.event_id, "change"
    )


async def test_discarding_a_dead_letter_removes_it(stream: Stream) -> None:
    await accepted(stream, ingested("dune"))
    (entry,) = await stream.stream.read("w1", 10, 0)
    await stream.stream.dead_letter(entry, failed("unknown-title", "permanent"))
    (letter,) = await stream.stream.dead_letters(DeadLetterFilter(), 10)
    assert await stream.stream.discard(letter.id) == letter
    assert await stream.stream.discard(letter.id) is None
    assert await stream.stream.discard("not-an-id") is None
    assert await stream.stream.find_dead_letter("not-an-id") is None
    assert (await stream.stream.backlog()).dead_letters == 0


async def test_the_backlog_counts_waiting_entries_handed_out_or_not_and_their_age(stream: Stream) -> None:
    await accepted(stream, ingested("a"), ingested("b"))
    await stream.stream.read("w1", 1, 0)
    await asyncio.sleep(0.3)
    backlog = await stream.stream.backlog()
    assert backlog.waiting == 2
    assert 0.25 <= backlog.oldest_age_seconds < 5


# Redis only: what only a raw stream can hold.
async def test_an_unreadable_entry_is_handed_out_as_such_and_set_aside_as_it_was(redis: Redis) -> None:
    stream = RedisIngestionStream(redis)
    await stream.read("w1", 10, 0)  # the group
    await redis.xadd(STREAM, {"event": "e-1", "platform": "netflix", "change": "{not json"})
    (entry,) = await stream.read("w1", 10, 0)
    assert entry.change is None and entry.unreadable and entry.event_id == "e-1"
    await stream.dead_letter(entry, failed("unreadable-entry", "permanent"))
    (letter,) = await stream.dead_letters(DeadLetterFilter(), 10)
    assert (letter.error, letter.entry.event_id, letter.entry.platform) == ("unreadable-entry", "e-1", "netflix")
    (raw,) = await redis.xrange(DEAD_LETTERS)
    assert raw[1][b"change"] == b"{not json" and raw[1][b"from"] == entry.id.encode()


async def test_the_group_comes_back_when_the_stream_is_deleted(redis: Redis) -> None:
    stream = RedisIngestionStream(redis)
    await stream.read("w1", 10, 0)
    await redis.delete(STREAM)
    assert await stream.read("w1", 10, 0) == []
    await RedisDeliveryIntake(redis).accept(ingested("dune"), backlog_limit=10, horizon=HORIZON)
    assert len(await stream.read("w1", 10, 0)) == 1
