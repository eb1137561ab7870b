"""One contract for the live progress store and its journal: the in-memory fake and Redis (in
front of the PostgreSQL archive) both pass it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.postgres_continue_watching import PostgresContinueWatching
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.playback.progress_entries import journal_fields
from adapters.playback.redis_progress_codec import STREAM
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker, RedisSyncBroker
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from application.playback.ports.progress_archive import ProgressSnapshot
from application.playback.ports.progress_journal import DeadLetter
from application.playback.ports.sync_broker import SyncEvent
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress, next_episode_entry
from tests.support.catalog_fixtures import movie, series_with_episodes

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
DUNE, MATRIX = movie("Dune"), movie("The Matrix")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)


@attrs.define
class Live:
    store: Any
    archive: Any
    broker: Any
    user_id: uuid.UUID
    catalog: Any = None
    identity: Any = None
    history: Any = None  # the archive's watch history, for a viewer
    journal_entry: Any = None  # appends raw fields to the journal, as any writer of the stream could


@pytest.fixture(params=["in-memory", "redis"])
def adapters(request: pytest.FixtureRequest) -> Live:
    if request.param == "in-memory":
        catalog: Any = InMemoryCatalog()
        identity: Any = InMemoryIdentityStore()
        archive: Any = InMemoryProgressArchive()
        broker: Any = InMemorySyncBroker()
        store: Any = InMemoryProgressStore(archive, broker, claim_after_seconds=0.2)
        history = InMemoryContinueWatching(archive, catalog).history
        journal_entry = _sync_to_async(store.journal_entry)
    else:
        engine, redis = request.getfixturevalue("engine"), request.getfixturevalue("redis")
        catalog, identity = PostgresContentRepository(engine), PostgresIdentityUnitOfWorkFactory(engine)
        archive, broker = PostgresProgressArchive(engine), RedisSyncBroker(redis)
        store = RedisProgressStore(redis, archive, claim_after=timedelta(seconds=0.2))
        history = PostgresContinueWatching(engine).history

        async def journal_entry(fields: dict[str, str]) -> str:
            return (await redis.xadd(STREAM, fields)).decode()  # type: ignore[no-any-return]

    return Live(store, archive, broker, uuid.uuid4(), catalog, identity, history, journal_entry)


def _sync_to_async(function: Any) -> Any:
    async def call(*args: Any) -> Any:
        return function(*args)

    return call


@pytest.fixture
async def live(adapters: Live) -> Live:
    await adapters.catalog.upsert_many([DUNE, MATRIX, SERIES, EP1, EP2, EP3])
    async with adapters.identity() as uow:
        user = User(adapters.user_id, EmailAddress.parse("ana@example.com"), "Ana", "$argon2id$x", NOW)
        await uow.users.add(user)
        await uow.commit()
    return adapters


def update(live: Live, content: Any, position: float, sequence: int, session: str = "tv-1") -> ProgressUpdate:
    return ProgressUpdate.create(
        user_id=live.user_id,
        content_id=content.id,
        position_seconds=position,
        duration_seconds=content.runtime_seconds,
        device_id=session.split("-")[0],
        session_id=session,
        sequence=sequence,
    )


async def record(live: Live, content: Any, position: float, sequence: int, **kwargs: Any) -> Any:
    minutes = kwargs.pop("minutes", sequence)
    completed = position >= 0.95 * content.runtime_seconds
    return await live.store.record(
        update(live, content, position, sequence, **kwargs), completed=completed, now=NOW + timedelta(minutes=minutes)
    )


async def test_an_accepted_update_is_the_state_every_device_reads(live: Live) -> None:
    recorded = await record(live, DUNE, 600.5, 1)
    assert recorded.verdict is Verdict.ACCEPT and not recorded.was_completed
    state = recorded.state
    assert (state.position_seconds, state.device_id, state.session_id, state.sequence) == (600.5, "tv", "tv-1", 1)
    assert state.updated_at == NOW + timedelta(minutes=1) and not state.completed
    assert await live.store.current(live.user_id, DUNE.id) == state
    assert await live.store.current(live.user_id, MATRIX.id) is None


async def test_server_orders_increase_with_every_write_to_a_title(live: Live) -> None:
    orders = [(await record(live, DUNE, 100 * n, n)).state.server_order for n in range(1, 5)]
    assert orders == sorted(orders) and len(set(orders)) == 4


async def test_within_a_session_a_repeat_is_a_duplicate_and_a_lower_sequence_is_stale(live: Live) -> None:
    standing = (await record(live, DUNE, 900, 5)).state
    duplicate = await record(live, DUNE, 900, 5)
    assert duplicate.verdict is Verdict.DUPLICATE and duplicate.state == standing
    stale = await record(live, DUNE, 300, 4)
    assert stale.verdict is Verdict.STALE and stale.state == standing
    assert await live.store.current(live.user_id, DUNE.id) == standing


async def test_a_new_session_may_move_backwards_and_an_old_session_stays_judged(live: Live) -> None:
    await record(live, DUNE, 900, 5, session="tv-1")
    rewatch = await record(live, DUNE, 60, 1, session="phone-1")
    assert rewatch.verdict is Verdict.ACCEPT and rewatch.state.position_seconds == 60
    late = await record(live, DUNE, 800, 4, session="tv-1")
    assert late.verdict is Verdict.STALE and late.state == rewatch.state


async def test_the_previous_completion_is_reported(live: Live) -> None:
    finished = await record(live, DUNE, 7000, 1)
    assert finished.state.completed and not finished.was_completed
    again = await record(live, DUNE, 7100, 2)
    assert again.was_completed


async def test_a_title_only_the_archive_knows_is_judged_by_the_archived_sessions(live: Live) -> None:
    archived = WatchProgress(
        user_id=live.user_id,
        content_id=DUNE.id,
        position_seconds=1500,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=9,
        server_order=41,
        updated_at=NOW,
    )
    await live.archive.write([ProgressSnapshot(live.user_id, DUNE.id, archived, {"tv-1": 9})], [])
    assert await live.store.current(live.user_id, DUNE.id) == archived
    stale = await record(live, DUNE, 1200, 8)
    assert stale.verdict is Verdict.STALE and stale.state == archived
    accepted = await record(live, DUNE, 1600, 10)
    assert accepted.verdict is Verdict.ACCEPT and accepted.state.server_order > 41


async def test_a_next_episode_is_queued_only_where_nothing_is_stored(live: Live) -> None:
    queued = await live.store.queue_next_episode(next_episode_entry(live.user_id, EP2.id, 2700, NOW))
    assert queued is not None and queued.position_seconds == 0 and queued.server_order > 0
    assert await live.store.current(live.user_id, EP2.id) == queued
    await record(live, EP3, 600, 1)
    assert await live.store.queue_next_episode(next_episode_entry(live.user_id, EP3.id, 2700, NOW)) is None
    assert (await live.store.current(live.user_id, EP3.id)).position_seconds == 600


async def test_dismissing_hides_the_title_until_new_progress_arrives(live: Live) -> None:
    assert await live.store.dismiss(live.user_id, DUNE.id, NOW) is None
    await record(live, DUNE, 600, 1)
    hidden = await live.store.dismiss(live.user_id, DUNE.id, NOW + timedelta(hours=1))
    assert hidden is not None and hidden.dismissed and hidden.updated_at == NOW + timedelta(hours=1)
    assert await live.store.dismiss(live.user_id, DUNE.id, NOW + timedelta(hours=2)) == hidden
    back = await record(live, DUNE, 700, 2)
    assert not back.state.dismissed


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


async def test_every_write_is_announced_to_the_viewers_devices(live: Live) -> None:
    events = await live.broker.subscribe(live.user_id)
    received: list[SyncEvent] = []

    async def listen() -> None:
        async for event in events:
            received.append(event)
            if len(received) == 4:
                return

    listener = asyncio.ensure_future(listen())
    await record(live, EP1, 600, 1)  # at once: the subscription is in place when subscribe returns
    finished = (await record(live, EP1, 2650, 2)).state
    await live.store.queue_next_episode(next_episode_entry(live.user_id, EP2.id, 2700, NOW))
    await live.store.dismiss(live.user_id, EP1.id, NOW + timedelta(hours=1))
    await asyncio.wait_for(listener, 5)
    await events.aclose()
    assert [(e.kind, e.content_id) for e in received] == [
        ("progress", EP1.id),
        ("completed", EP1.id),
        ("next_episode", EP2.id),
        ("dismissed", EP1.id),
    ]
    completed = received[1]
    assert (completed.position_seconds, completed.progress_percent, completed.completed) == (
        2650,
        finished.progress_percent,
        True,
    )
    assert completed.server_order == finished.server_order and completed.occurred_at == finished.updated_at
    assert completed.device_id == "tv" and completed.user_id == live.user_id


async def test_changes_a_consumer_took_and_never_acknowledged_go_to_another(live: Live) -> None:
    await record(live, DUNE, 600, 1)
    taken = await live.store.changes("worker-that-dies", 10, 0.5)
    assert len(taken.ids) == 1
    assert (await live.store.changes("worker-2", 10, 0.05)).ids == ()  # not yet: it may still finish
    await asyncio.sleep(0.3)
    again = await live.store.changes("worker-2", 10, 0.05)
    assert again.ids == taken.ids and again.snapshots == taken.snapshots


async def another_viewer(live: Live, name: str) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with live.identity() as uow:
        await uow.users.add(User(user_id, EmailAddress.parse(f"{name}@example.com"), name, "$argon2id$x", NOW))
        await uow.commit()
    return user_id


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

    archived = await ArchiveProgressChanges(live.store, live.archive)(ArchiveProgressChangesCommand("worker-1", 0.5))

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

    archived = await ArchiveProgressChanges(live.store, live.archive)(ArchiveProgressChangesCommand("worker-1", 0.5))

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
    assert await ArchiveProgressChanges(live.store, live.archive)(ArchiveProgressChangesCommand("worker-1", 0.5)) == 1
    assert (await live.archive.load(live.user_id, DUNE.id)).progress.position_seconds == 600
    assert [e.position_seconds for e in await live.history(live.user_id)] == [600]
