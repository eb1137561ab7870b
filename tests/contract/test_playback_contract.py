"""One contract for the playback archive (what PostgreSQL keeps behind the live store), its
Continue Watching query and the next-episode finder: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.playback.in_memory_playback import InMemoryPlayback
from adapters.playback.postgres_playback import (
    PostgresContinueWatching,
    PostgresNextEpisodeFinder,
    PostgresProgressArchive,
)
from application.playback.ports import ProgressSnapshot, WatchEvent
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import Reason, WatchProgress
from tests.support.catalog_fixtures import movie, series_with_episodes

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
DUNE, MATRIX = movie("Dune"), movie("The Matrix")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)


@attrs.define
class Playback:
    archive: Any
    query: Any
    finder: Any
    user_id: uuid.UUID


@attrs.define
class Adapters:
    playback: Playback
    catalog: Any
    identity: Any


@pytest.fixture(params=["in-memory", "postgres"])
def adapters(request: pytest.FixtureRequest) -> Adapters:
    user_id = uuid.uuid4()
    if request.param == "in-memory":
        catalog = InMemoryCatalog()
        store = InMemoryPlayback(catalog)
        return Adapters(Playback(store, store, store, user_id), catalog, InMemoryIdentityStore())
    engine = request.getfixturevalue("engine")
    return Adapters(
        Playback(
            PostgresProgressArchive(engine),
            PostgresContinueWatching(engine),
            PostgresNextEpisodeFinder(engine),
            user_id,
        ),
        PostgresContentRepository(engine),
        PostgresIdentityUnitOfWorkFactory(engine),
    )


@pytest.fixture
async def playback(adapters: Adapters) -> Playback:
    await adapters.catalog.upsert_many([DUNE, MATRIX, SERIES, EP1, EP2, EP3])
    user = User(adapters.playback.user_id, EmailAddress.parse("ana@example.com"), "Ana", "$argon2id$x", NOW)
    async with adapters.identity() as uow:
        await uow.users.add(user)
        await uow.commit()
    return adapters.playback


def state(p: Playback, content: Any, position: float, minutes: int = 0, **changes: Any) -> WatchProgress:
    base = WatchProgress(
        user_id=p.user_id,
        content_id=content.id,
        position_seconds=position,
        duration_seconds=content.runtime_seconds or 1,
        device_id="tv",
        session_id="s1",
        sequence=1,
        server_order=minutes + 1,
        updated_at=NOW + timedelta(minutes=minutes),
    )
    return attrs.evolve(base, **changes)


def snapshot(progress: WatchProgress, **high_water: int) -> ProgressSnapshot:
    marks = high_water or {progress.session_id: progress.sequence}
    return ProgressSnapshot(progress.user_id, progress.content_id, progress, marks)


async def save(p: Playback, *states: WatchProgress) -> None:
    await p.archive.write([snapshot(s) for s in states], [])


def event(p: Playback, content: Any, change_id: str) -> WatchEvent:
    return WatchEvent(p.user_id, content.id, 600, 8.33, False, "tv", NOW, change_id)


async def test_a_written_snapshot_loads_back(playback: Playback) -> None:
    await playback.archive.write([snapshot(state(playback, DUNE, 600, sequence=7), s1=7, s0=3)], [])
    loaded = await playback.archive.load(playback.user_id, DUNE.id)
    assert loaded.progress == state(playback, DUNE, 600, sequence=7)
    assert dict(loaded.high_water) == {"s1": 7, "s0": 3}
    nothing = await playback.archive.load(playback.user_id, MATRIX.id)
    assert nothing.progress is None and dict(nothing.high_water) == {}


async def test_an_older_change_never_replaces_a_newer_one_and_high_water_never_falls(playback: Playback) -> None:
    newer = state(playback, DUNE, 900, sequence=7, server_order=5)
    await playback.archive.write([snapshot(newer)], [])
    await playback.archive.write([snapshot(state(playback, DUNE, 500, sequence=3, server_order=4))], [])
    loaded = await playback.archive.load(playback.user_id, DUNE.id)
    assert loaded.progress == newer and dict(loaded.high_water) == {"s1": 7}


async def test_an_event_archived_twice_is_kept_once(playback: Playback) -> None:
    await playback.archive.write([], [event(playback, DUNE, "1-0"), event(playback, MATRIX, "2-0")])
    await playback.archive.write([], [event(playback, MATRIX, "2-0")])
    history = await playback.query.history(playback.user_id)
    assert [(e.content_id, e.change_id) for e in history] == [(DUNE.id, "1-0"), (MATRIX.id, "2-0")]


async def test_the_list_shows_unfinished_titles_one_per_series_newest_first(playback: Playback) -> None:
    await save(
        playback,
        state(playback, DUNE, 600, minutes=1),
        state(playback, EP1, 900, minutes=2),
        state(playback, EP2, 100, minutes=3),
        state(playback, MATRIX, 20, minutes=4),  # under 30 s
    )
    page = await playback.query.page(playback.user_id, 10, None)
    assert [e.content.title for e in page.items] == ["Stranger Signals: Chapter 2", "Dune"]
    assert page.items[1].content.availability and page.next_cursor is None


async def test_completed_and_dismissed_titles_leave_the_list_but_next_episodes_show_at_zero(
    playback: Playback,
) -> None:
    await save(
        playback,
        state(playback, DUNE, 7000, completed=True),
        state(playback, MATRIX, 900, minutes=1, dismissed=True),
        state(playback, EP2, 0, minutes=2, reason=Reason.NEXT_EPISODE, session_id=""),
    )
    page = await playback.query.page(playback.user_id, 10, None)
    assert [(e.content.id, e.progress.reason) for e in page.items] == [(EP2.id, Reason.NEXT_EPISODE)]


async def test_the_cursor_walks_every_entry_once(playback: Playback) -> None:
    await save(
        playback,
        state(playback, DUNE, 600, minutes=1),
        state(playback, MATRIX, 600, minutes=1),  # same time: ties break by id
        state(playback, EP1, 600, minutes=2),
    )
    seen, cursor = [], None
    for _ in range(3):
        page = await playback.query.page(playback.user_id, 1, cursor)
        seen += [e.content.id for e in page.items]
        cursor = page.next_cursor
    assert cursor is None and sorted(seen) == sorted([DUNE.id, MATRIX.id, EP1.id]) and seen[0] == EP1.id


async def test_stale_entries_are_removed_with_their_sessions_and_history_stays(playback: Playback) -> None:
    await save(playback, state(playback, DUNE, 600), state(playback, MATRIX, 600, minutes=60 * 24 * 40))
    await playback.archive.write([], [event(playback, DUNE, "1-0")])
    assert await playback.archive.remove_stale(NOW + timedelta(days=30)) == 1
    gone = await playback.archive.load(playback.user_id, DUNE.id)
    assert gone.progress is None and dict(gone.high_water) == {}
    assert (await playback.archive.load(playback.user_id, MATRIX.id)).progress is not None
    assert [e.content_id for e in await playback.query.history(playback.user_id)] == [DUNE.id]


async def test_the_next_episode_follows_in_season_order(playback: Playback) -> None:
    assert (await playback.finder.next_episode(EP1)).id == EP2.id
    assert (await playback.finder.next_episode(EP2)).id == EP3.id
    assert await playback.finder.next_episode(EP3) is None
    assert await playback.finder.next_episode(DUNE) is None
