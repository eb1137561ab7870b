"""The serving adapters over the catalog, the watch history and the accounts, in memory or on
PostgreSQL, for the contract suites both pass."""

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
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.recommendations.in_memory_item_catalog import InMemoryItemCatalog
from adapters.recommendations.in_memory_popular_titles import InMemoryPopularTitles
from adapters.recommendations.in_memory_viewer_directory import InMemoryViewerDirectory
from adapters.recommendations.postgres_item_catalog import PostgresItemCatalog
from adapters.recommendations.postgres_popular_titles import PostgresPopularTitles
from adapters.recommendations.postgres_viewer_directory import PostgresViewerDirectory
from adapters.shared.manual_clock import ManualClock
from application.playback.progress_archive_ports import ProgressSnapshot
from domain.catalog.content import Content
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import WatchProgress

BACKENDS = ["in-memory", "postgres"]
NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)


@attrs.define
class ServingAdapters:
    clock: ManualClock
    catalog: Any
    archive: Any
    identity: Any
    items: Any
    popular: Any
    viewers: Any
    _order: int = 0

    async def viewer(self) -> uuid.UUID:
        user_id = uuid.uuid4()
        async with self.identity() as uow:
            await uow.users.add(User(user_id, EmailAddress.parse(f"{user_id}@example.com"), "V", "$argon2id$x", NOW))
            await uow.commit()
        return user_id

    async def finished(self, item: Content, viewers: int, days_ago: float = 1, completed: bool = True) -> None:
        snapshots = []
        for _ in range(viewers):
            self._order += 1
            user_id = await self.viewer()
            progress = WatchProgress(
                user_id=user_id,
                content_id=item.id,
                position_seconds=60,
                duration_seconds=120,
                device_id="tv",
                session_id="s",
                sequence=1,
                server_order=self._order,
                updated_at=self.clock.now() - timedelta(days=days_ago),
                completed=completed,
            )
            snapshots.append(ProgressSnapshot(user_id, item.id, progress, {"s": 1}))
        await self.archive.write(snapshots, [])


def serving_adapters(request: pytest.FixtureRequest) -> ServingAdapters:
    """The adapters ``request.param`` names (sync: the async ``engine`` fixture is asked for here)."""
    clock = ManualClock(NOW)
    if request.param == "in-memory":
        catalog, archive, identity = InMemoryCatalog(), InMemoryProgressArchive(), InMemoryIdentityStore()
        return ServingAdapters(
            clock,
            catalog,
            archive,
            identity,
            InMemoryItemCatalog(catalog, clock),
            InMemoryPopularTitles(archive, catalog, clock, days=30),
            InMemoryViewerDirectory(identity),
        )
    engine = request.getfixturevalue("engine")
    return ServingAdapters(
        clock,
        PostgresContentRepository(engine),
        PostgresProgressArchive(engine),
        PostgresIdentityUnitOfWorkFactory(engine),
        PostgresItemCatalog(engine, clock),
        PostgresPopularTitles(engine, clock, days=30, cache_seconds=0),
        PostgresViewerDirectory(engine),
    )
