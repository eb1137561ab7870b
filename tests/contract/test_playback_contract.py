"""One contract for the playback ports (unit of work, list query, next-episode finder):
the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
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
    PostgresPlaybackUnitOfWorkFactory,
)
from application.playback.ports import WatchEvent
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import Reason, WatchProgress
from tests.support.catalog_fixtures import movie, series_with_episodes

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
DUNE, MATRIX = movie("Dune"), movie("The Matrix")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)


@attrs.define
class Playback:
    uow: Any
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
            PostgresPlaybackUnitOfWorkFactory(engine),
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


async def save(p: Playback, *states: WatchProgress) -> None:
    async with p.uow() as uow:
        for s in states:
            await uow.progress.save(s)
        await uow.commit()


async def test_saved_state_reads_back_and_raises_the_session_high_water(playback: Playback) -> None:
    await save(playback, state(playback, DUNE, 600, sequence=7))
    async with playback.uow() as uow:
        current = await uow.progress.lock(playback.user_id, DUNE.id)
        assert current == state(playback, DUNE, 600, sequence=7)
        assert await uow.progress.session_high_water(playback.user_id, DUNE.id, "s1") == 7
        assert await uow.progress.session_high_water(playback.user_id, DUNE.id, "other") is None
    assert await playback.query.current(playback.user_id, DUNE.id) == current


async def test_the_high_water_never_goes_down(playback: Playback) -> None:
    await save(playback, state(playback, DUNE, 600, sequence=7))
    await save(playback, state(playback, DUNE, 500, sequence=3))
    async with playback.uow() as uow:
        assert await uow.progress.session_high_water(playback.user_id, DUNE.id, "s1") == 7


async def test_uncommitted_work_is_rolled_back(playback: Playback) -> None:
    async with playback.uow() as uow:
        await uow.progress.save(state(playback, DUNE, 600))
    assert await playback.query.current(playback.user_id, DUNE.id) is None


async def test_server_order_only_increases(playback: Playback) -> None:
    async with playback.uow() as uow:
        orders = [await uow.progress.next_server_order() for _ in range(5)]
    assert orders == sorted(orders) and len(set(orders)) == 5


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


async def test_stale_entries_are_removed_and_history_stays(playback: Playback) -> None:
    await save(playback, state(playback, DUNE, 600), state(playback, MATRIX, 600, minutes=60 * 24 * 40))
    async with playback.uow() as uow:
        await uow.progress.append_history(WatchEvent(playback.user_id, DUNE.id, 600, 8.33, False, "tv", NOW))
        assert await uow.progress.remove_stale(NOW + timedelta(days=30)) == 1
        await uow.commit()
    assert await playback.query.current(playback.user_id, DUNE.id) is None
    assert await playback.query.current(playback.user_id, MATRIX.id) is not None
    assert [e.content_id for e in await playback.query.history(playback.user_id)] == [DUNE.id]


async def test_the_next_episode_follows_in_season_order(playback: Playback) -> None:
    assert (await playback.finder.next_episode(EP1)).id == EP2.id
    assert (await playback.finder.next_episode(EP2)).id == EP3.id
    assert await playback.finder.next_episode(EP3) is None
    assert await playback.finder.next_episode(DUNE) is None


async def test_concurrent_writers_to_one_title_queue_behind_each_other(playback: Playback) -> None:
    log: list[str] = []

    def writer(name: str, position: float) -> Callable[[], Any]:
        async def run() -> None:
            async with playback.uow() as uow:
                await uow.progress.lock(playback.user_id, DUNE.id)
                log.append(f"{name} in")
                await asyncio.sleep(0.02)
                await uow.progress.save(state(playback, DUNE, position, device_id=name))
                log.append(f"{name} out")
                await uow.commit()

        return run

    await asyncio.gather(writer("tv", 100)(), writer("phone", 200)())
    assert log in (["tv in", "tv out", "phone in", "phone out"], ["phone in", "phone out", "tv in", "tv out"])
