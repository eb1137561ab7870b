"""The live progress store and its journal, in memory or on Redis in front of the PostgreSQL
archive, for the contract suites both pass; with a viewer and a small catalog in place."""

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
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.postgres_continue_watching import PostgresContinueWatching
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.playback.redis_progress_codec import STREAM
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker, RedisSyncBroker
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.playback.progress import ProgressUpdate
from tests.support.catalog_fixtures import movie, series_with_episodes

NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
DUNE, MATRIX = movie("Dune"), movie("The Matrix")
SERIES, EP1, EP2, EP3 = series_with_episodes("Stranger Signals", episodes=3)
BACKENDS = ["in-memory", "redis"]


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


def live_adapters(request: pytest.FixtureRequest) -> Live:
    """The adapters ``request.param`` names (a sync fixture's work: asking for the async
    ``engine`` from inside an async fixture does not work)."""
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


async def with_viewer_and_catalog(live: Live) -> Live:
    """``live`` with the catalog above and its viewer stored."""
    await live.catalog.upsert_many([DUNE, MATRIX, SERIES, EP1, EP2, EP3])
    async with live.identity() as uow:
        user = User(live.user_id, EmailAddress.parse("ana@example.com"), "Ana", "$argon2id$x", NOW)
        await uow.users.add(user)
        await uow.commit()
    return live


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


async def another_viewer(live: Live, name: str) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with live.identity() as uow:
        await uow.users.add(User(user_id, EmailAddress.parse(f"{name}@example.com"), name, "$argon2id$x", NOW))
        await uow.commit()
    return user_id
