"""Archiving progress when the archive refuses an entry, or cannot be reached at all (on fakes)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from application.playback.archive_progress import (
    ArchiveProgressChanges,
    ArchiveProgressChangesCommand,
    ArchiveViewerProgress,
)
from application.playback.continue_watching import ListContinueWatching
from application.playback.progress_archive_ports import ProgressSnapshot, WatchEvent
from domain.playback.progress import ProgressUpdate
from tests.support.catalog_fixtures import movie

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
FILMS = [movie(f"Film {n}") for n in range(12)]


class FlakyArchive(InMemoryProgressArchive):
    """The in-memory archive, unreachable while ``down`` (as PostgreSQL restarting would be)."""

    down = False

    async def write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        if self.down:
            raise ConnectionError("connection refused")
        await super().write(snapshots, events)


World = tuple[InMemoryProgressStore, FlakyArchive, InMemoryContinueWatching]


@pytest.fixture
async def world() -> World:
    catalog = InMemoryCatalog()
    await catalog.upsert_many(FILMS)
    archive = FlakyArchive()
    store = InMemoryProgressStore(archive, InMemorySyncBroker(), claim_after_seconds=0.1)
    return store, archive, InMemoryContinueWatching(archive, catalog)


async def record(store: InMemoryProgressStore, user_id: uuid.UUID, film: int, device: str = "tv") -> None:
    update = ProgressUpdate.create(
        user_id=user_id,
        content_id=FILMS[film].id,
        position_seconds=600,
        duration_seconds=7200,
        device_id=device,
        session_id="s-1",
        sequence=1,
    )
    await store.record(update, completed=False, now=NOW + timedelta(minutes=film))


async def archive_next_batch(store: InMemoryProgressStore, archive: FlakyArchive, consumer: str) -> int:
    archiving = ArchiveProgressChanges(store, archive, InMemoryWorkTracing())
    return await archiving(ArchiveProgressChangesCommand(consumer, 0))


async def test_an_unreachable_archive_sets_nothing_aside_and_the_batch_comes_back(
    world: World,
) -> None:
    store, archive, query = world
    ana = uuid.uuid4()
    await record(store, ana, 0)
    await record(store, ana, 1, device="tv\x00")  # refused once the archive answers
    archive.down = True
    with pytest.raises(ConnectionError):
        await archive_next_batch(store, archive, "worker-1")
    assert await store.dead_letters(10) == []
    await asyncio.sleep(0.15)
    archive.down = False
    assert await archive_next_batch(store, archive, "worker-2") == 2
    assert len(await store.dead_letters(10)) == 1
    assert [e.content_id for e in await query.history(ana)] == [FILMS[0].id]


async def test_every_refused_entry_of_a_large_batch_is_found_and_only_those(
    world: World,
) -> None:
    store, archive, query = world
    ana, ben = uuid.uuid4(), uuid.uuid4()
    for film in range(12):
        await record(store, ben if film in (3, 8) else ana, film, device="tv\x00" if film in (3, 8) else "tv")
    assert await archive_next_batch(store, archive, "worker-1") == 12
    assert len(await query.history(ana)) == 10 and await query.history(ben) == []
    letters = await store.dead_letters(10)
    assert len(letters) == 2 and all("0x00" in letter.error for letter in letters)


async def test_a_title_the_archive_refuses_does_not_hide_the_viewers_other_titles(
    world: World,
) -> None:
    store, archive, query = world
    ana = uuid.uuid4()
    await record(store, ana, 0)
    await record(store, ana, 1, device="tv\x00")
    await record(store, ana, 2)
    listing = ListContinueWatching(query, ArchiveViewerProgress(store, archive))
    page = await listing(ana)
    assert [e.content.title for e in page.items] == ["Film 2", "Film 0"]
    assert [s.content_id for s in await store.pending(ana)] == [FILMS[1].id]  # left for a later write
