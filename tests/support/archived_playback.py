"""The progress archive and the Continue Watching query read from it, in memory or on
PostgreSQL, for the contract suites both pass; with a viewer and a small catalog in place."""

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
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.postgres_continue_watching import PostgresContinueWatching
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from application.playback.progress_archive_ports import ProgressSnapshot, WatchEvent
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import WatchProgress
from tests.support.catalog_fixtures import movie, series_with_episodes

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
DUNE, MATRIX = movie("Dune"), movie("The Matrix")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)
BACKENDS = ["in-memory", "postgres"]


@attrs.define
class ArchivedPlayback:
    archive: Any
    query: Any
    user_id: uuid.UUID
    catalog: Any
    identity: Any


def archived_playback(request: pytest.FixtureRequest) -> ArchivedPlayback:
    """The adapters ``request.param`` names (a sync fixture's work: asking for the async
    ``engine`` from inside an async fixture does not work)."""
    user_id = uuid.uuid4()
    if request.param == "in-memory":
        catalog = InMemoryCatalog()
        archive = InMemoryProgressArchive()
        query = InMemoryContinueWatching(archive, catalog)
        return ArchivedPlayback(archive, query, user_id, catalog, InMemoryIdentityStore())
    engine = request.getfixturevalue("engine")
    return ArchivedPlayback(
        PostgresProgressArchive(engine),
        PostgresContinueWatching(engine),
        user_id,
        PostgresContentRepository(engine),
        PostgresIdentityUnitOfWorkFactory(engine),
    )


async def with_viewer_and_catalog(p: ArchivedPlayback) -> ArchivedPlayback:
    """``p`` with the catalog above and its viewer stored."""
    await p.catalog.upsert_many([DUNE, MATRIX, SERIES, EP1, EP2, EP3])
    async with p.identity() as uow:
        await uow.users.add(User(p.user_id, EmailAddress.parse("ana@example.com"), "Ana", "$argon2id$x", NOW))
        await uow.commit()
    return p


def state(p: ArchivedPlayback, content: Any, position: float, minutes: int = 0, **changes: Any) -> WatchProgress:
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


async def save(p: ArchivedPlayback, *states: WatchProgress) -> None:
    await p.archive.write([snapshot(s) for s in states], [])


def event(p: ArchivedPlayback, content: Any, change_id: str) -> WatchEvent:
    return WatchEvent(p.user_id, content.id, 600, 8.33, False, "tv", NOW, change_id)
