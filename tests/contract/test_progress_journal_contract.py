"""One contract for the live store's journal (what the worker archives from, and its dead
letters): the in-memory fake and Redis (in front of the PostgreSQL archive) both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import attrs
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import NonRecordingSpan
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.playback.progress_entries import journal_fields
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from application.playback.progress_journal_ports import DeadLetter, JournalBacklog
from domain.playback.progress import WatchProgress
from tests.support.live_progress import (
    BACKENDS,
    DUNE,
    MATRIX,
    NOW,
    Live,
    another_viewer,
    live_adapters,
    record,
    with_viewer_and_catalog,
)


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> Live:
    return live_adapters(request)


@pytest.fixture
async def live(adapters: Live) -> Live:
    return await with_viewer_and_catalog(adapters)


async def test_unarchived_titles_are_pending_until_settled(live: Live) -> None:
    await record(live, DUNE, 600, 1)
    await record(live, DUNE, 700, 2)
    await record(live, MATRIX, 100, 1)
    pending = await live.store.pending(live.user_id)
    assert {(s.content_id, s.progress.position_seconds) for s in pending} == {(DUNE.id, 700), (MATRIX.id, 100)}
    assert dict(next(s for s in pending if s.content_id == DUNE.id).high_water) == {"tv-1": 2}
    await record(live, MATRIX, 200, 2)  # arrives after the snapshot was taken
    await live.archive.write(pending, [])
    await live.store.settle(pending)
    assert [(s.content_id, s.progress.position_seconds) for s in await live.store.pending(live.user_id)] == [
        (MATRIX.id, 200)
    ]


async def test_the_journal_hands_out_each_change_until_it_is_acknowledged(live: Live) -> None:
    await record(live, DUNE, 600, 1)
    await record(live, DUNE, 700, 2)
    await live.store.dismiss(live.user_id, DUNE.id, NOW + timedelta(hours=1))
    batch = await live.store.changes("worker-1", 10, 0.5)
    assert len(batch.ids) == 3
    (latest,) = batch.snapshots
    assert latest.progress.dismissed and latest.progress.position_seconds == 700
    assert [(e.position_seconds, e.device_id) for e in batch.events] == [(600, "tv"), (700, "tv")]
    assert len({e.change_id for e in batch.events}) == 2 and all(e.change_id for e in batch.events)
    await live.store.acknowledge(batch.ids)
    assert (await live.store.changes("worker-1", 10, 0.05)).ids == ()


async def test_waiting_for_changes_returns_when_one_arrives(live: Live) -> None:
    await live.store.changes("worker-1", 10, 0)  # the group exists from here on
    waiting = asyncio.ensure_future(live.store.changes("worker-1", 10, 5))
    await asyncio.sleep(0.1)
    await record(live, DUNE, 600, 1)
    batch = await asyncio.wait_for(waiting, 3)
    assert len(batch.ids) == 1


async def test_changes_a_consumer_took_and_never_acknowledged_go_to_another(live: Live) -> None:
    await record(live, DUNE, 600, 1)
    taken = await live.store.changes("worker-that-dies", 10, 0.5)
    assert len(taken.ids) == 1
    assert (await live.store.changes("worker-2", 10, 0.05)).ids == ()  # not yet: it may still finish
    await asyncio.sleep(0.3)
    again = await live.store.changes("worker-2", 10, 0.05)
    assert again.ids == taken.ids and again.snapshots == taken.snapshots


async def test_the_backlog_counts_what_the_archive_has_not_taken_and_ages_the_oldest(live: Live) -> None:
    assert await live.store.backlog() == JournalBacklog(pending=0, oldest_age_seconds=0.0)
    await record(live, DUNE, 600, 1)
    await asyncio.sleep(0.5)
    await record(live, DUNE, 700, 2)
    await record(live, MATRIX, 100, 1)
    backlog = await live.store.backlog()
    assert backlog.pending == 3 and 0.5 <= backlog.oldest_age_seconds < 30
    first = await live.store.changes("worker-1", 1, 0.5)
    assert (await live.store.backlog()).pending == 3  # handed out is not archived
    await live.store.acknowledge(first.ids)
    after = await live.store.backlog()
    assert after.pending == 2 and after.oldest_age_seconds < backlog.oldest_age_seconds  # the next is younger
    rest = await live.store.changes("worker-1", 10, 0.5)
    await live.store.acknowledge(rest.ids[:1])
    await live.store.dead_letter([DeadLetter(rest.changes[1].id, rest.changes[1].fields, "set aside")])
    assert await live.store.backlog() == JournalBacklog(pending=0, oldest_age_seconds=0.0)


def journalled(user_id: uuid.UUID, content: Any, **state: Any) -> dict[str, str]:
    """A journal entry as the store writes it, with ``state`` replacing parts of its state."""
    progress = WatchProgress(
        user_id=user_id,
        content_id=content.id,
        position_seconds=100,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=1,
        server_order=1,
        updated_at=NOW,
    )
    return journal_fields(attrs.evolve(progress, **state), history=True)


async def archive_next_batch(live: Live) -> int:
    return await ArchiveProgressChanges(live.store, live.archive, InMemoryWorkTracing())(
        ArchiveProgressChangesCommand("worker-1", 0.5)
    )


async def assert_nothing_left_pending(live: Live) -> None:
    await asyncio.sleep(0.3)  # past claim_after: anything unacknowledged would be handed out again
    assert (await live.store.changes("worker-2", 10, 0.05)).ids == ()


async def test_an_unreadable_entry_is_set_aside_and_the_other_viewers_changes_are_archived(live: Live) -> None:
    ben = await another_viewer(live, "ben")
    await record(live, DUNE, 600, 1)
    poisoned = journalled(ben, MATRIX)  # what a "NaN" position was journalled as before it was refused
    poisoned["s"] = poisoned["s"].replace('"pos":100', '"pos":null')
    bad_ids = [await live.journal_entry(poisoned), await live.journal_entry({"e": "1", "s": "{not json"})]
    await record(live, MATRIX, 300, 1)

    archived = await archive_next_batch(live)

    assert archived == 4
    assert (await live.archive.load(live.user_id, DUNE.id)).progress.position_seconds == 600
    assert (await live.archive.load(live.user_id, MATRIX.id)).progress.position_seconds == 300
    assert [e.position_seconds for e in await live.history(live.user_id)] == [600, 300]
    assert (await live.archive.load(ben, MATRIX.id)).progress is None
    letters = await live.store.dead_letters(10)
    assert [letter.change_id for letter in letters] == bad_ids
    assert dict(letters[0].fields) == poisoned and "'pos' is None" in letters[0].error
    assert dict(letters[1].fields) == {"e": "1", "s": "{not json"}
    await assert_nothing_left_pending(live)


async def test_an_entry_the_archive_refuses_is_set_aside_and_the_rest_of_its_batch_is_archived(live: Live) -> None:
    ben = await another_viewer(live, "ben")
    for sequence in range(1, 4):
        await record(live, DUNE, 600 * sequence, sequence)
    # Readable, but text PostgreSQL cannot store (NUL), as an older release could have journalled.
    refused_id = await live.journal_entry(journalled(ben, MATRIX, device_id="tv\x00"))
    for sequence in range(1, 4):
        await record(live, MATRIX, 100 * sequence, sequence)

    archived = await archive_next_batch(live)

    assert archived == 7
    assert (await live.archive.load(live.user_id, DUNE.id)).progress.position_seconds == 1800
    assert (await live.archive.load(live.user_id, MATRIX.id)).progress.position_seconds == 300
    assert len(await live.history(live.user_id)) == 6
    assert (await live.archive.load(ben, MATRIX.id)).progress is None and await live.history(ben) == []
    (letter,) = await live.store.dead_letters(10)
    assert letter.change_id == refused_id and "refused" in letter.error and "0x00" in letter.error
    assert (await live.store.pending(live.user_id)) == []  # the good titles are settled
    await assert_nothing_left_pending(live)


async def test_dead_letters_replayed_once_their_cause_is_fixed_are_archived(live: Live) -> None:
    await record(live, DUNE, 600, 1)
    (change,) = (await live.store.changes("worker-1", 10, 0.5)).changes
    # Say the archive refused it while a migration was missing; an operator set it aside.
    await live.store.dead_letter([DeadLetter(change.id, change.fields, "the archive refused it: no such column")])
    await assert_nothing_left_pending(live)

    assert await live.store.replay_dead_letters() == 1
    assert await live.store.dead_letters(10) == [] and await live.store.replay_dead_letters() == 0
    assert await archive_next_batch(live) == 1
    assert (await live.archive.load(live.user_id, DUNE.id)).progress.position_seconds == 600
    assert [e.position_seconds for e in await live.history(live.user_id)] == [600]


W3C = TraceContextTextMapPropagator()
CALLER = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "mg=1,vendor=x"}


async def test_a_change_comes_back_with_the_trace_context_of_the_span_it_was_recorded_in(
    live: Live, recorded_spans: list[ReadableSpan]
) -> None:
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span("POST /api/v1/playback/progress", context=W3C.extract(CALLER)) as request:
        await record(live, DUNE, 600, 1)
    await record(live, DUNE, 700, 2)  # outside any span

    traced, untraced = (await live.store.changes("worker-1", 10, 0.5)).changes

    made_in = request.get_span_context()
    assert traced.trace_context == {
        "traceparent": f"00-{made_in.trace_id:032x}-{made_in.span_id:016x}-01",
        "tracestate": CALLER["tracestate"],  # the caller's, which the request's span carries on
    }
    assert untraced.trace_context == {}
    assert request.get_span_context() in [span.get_span_context() for span in recorded_spans]


async def test_a_dead_letter_replayed_keeps_its_trace_context(live: Live) -> None:
    with trace.use_span(NonRecordingSpan(trace.get_current_span(W3C.extract(CALLER)).get_span_context())):
        await record(live, DUNE, 600, 1)
    (change,) = (await live.store.changes("worker-1", 10, 0.5)).changes
    await live.store.dead_letter([DeadLetter(change.id, change.fields, "the archive refused it: no such column")])
    assert await live.store.replay_dead_letters() == 1
    (replayed,) = (await live.store.changes("worker-1", 10, 0.5)).changes
    assert replayed.trace_context == CALLER and replayed.id != change.id


async def test_an_entry_with_no_or_a_malformed_trace_context_is_archived_untraced(live: Live) -> None:
    await live.journal_entry(journalled(live.user_id, DUNE))  # as written before entries carried one
    await live.journal_entry({**journalled(live.user_id, MATRIX), "tp": "00-not-a-traceparent", "ts": "?"})
    tracing = InMemoryWorkTracing()

    archiving = ArchiveProgressChanges(live.store, live.archive, tracing)
    assert await archiving(ArchiveProgressChangesCommand("worker-1", 0.5)) == 2

    assert await live.store.dead_letters(10) == []
    assert len(await live.history(live.user_id)) == 2
    (work,) = tracing.work
    assert work.continues.parent is None and work.continues.links == ()
