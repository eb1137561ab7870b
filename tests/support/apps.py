"""Apps for HTTP, BDD and use-case tests: the real composition root, with each context's adapter
set swapped for its in-memory twin (fake_container) or kept on real servers (real_container)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NoReturn
from uuid import UUID

import attrs
from dependency_injector import providers
from quart import Quart
from quart.typing import TestClientProtocol

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.identity.argon2_password_hasher import fast_test_hasher
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.shared.in_memory_mailer import InMemoryMailer
from adapters.shared.manual_clock import ManualClock
from application.ingestion.process_ingested_changes import ProcessIngestedChangesCommand
from application.playback.archive_progress import ArchiveProgressChangesCommand
from application.playback.progress_archive_ports import WatchEvent
from application.shared.mail_ports import MailMessage
from entrypoints.catalog_search_config import CatalogSearchSettings
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.support.in_memory_adapters import (
    InMemoryCatalogAdapters,
    InMemoryHealthAdapters,
    InMemoryIdentityAdapters,
    InMemoryOperationsAdapters,
    InMemoryPlaybackAdapters,
    swap,
)
from tests.support.in_memory_ingestion_adapters import (
    InMemoryIngestionAdapters,
    InMemoryIngestionProcessingAdapters,
)
from tests.support.in_memory_mail_adapters import InMemoryIdentityMailAdapters
from tests.support.in_memory_recommendation_adapters import (
    InMemoryRecommendationIndex,
    InMemoryRecommendationsAdapters,
)
from tests.support.in_memory_search_analytics_adapters import InMemorySearchAnalyticsAdapters


class NoServers:
    """The fake world's connections: anything that reaches for a real server fails, loudly."""

    @property
    def engine(self) -> NoReturn:
        raise AssertionError("an adapter in the fake world asked for PostgreSQL: give it an in-memory twin")

    @property
    def redis(self) -> NoReturn:
        raise AssertionError("an adapter in the fake world asked for Redis: give it an in-memory twin")

    async def aclose(self) -> None:
        pass


@attrs.define
class FakeWorld:
    clock: ManualClock
    identity: InMemoryIdentityStore
    catalog: InMemoryCatalog
    container: Container
    playback: InMemoryContinueWatching

    async def archive_all(self) -> None:
        """What the worker does continuously: archive every change the live store journalled."""
        archive = self.container.playback.archive_progress_changes()
        while await archive(ArchiveProgressChangesCommand("worker", wait_seconds=0)):
            pass

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        await self.archive_all()
        return await self.playback.history(user_id)

    # outgoing mail
    async def refresh_recommendations(self) -> int:
        """One look of the worker's incremental refresh (viewers whose history changed since the
        last look get new vectors); returns how many were refreshed."""
        return int(await self.container.recommendation_training.refresh_changed_viewers()())

    async def deliver_mail(self) -> list[MailMessage]:
        """What the worker does continuously: send all the mail that is due; returns every
        message delivered so far, oldest first."""
        deliver = self.container.identity_mail.deliver_queued_mail()
        while await deliver():
            pass
        return self.mailbox.sent

    @property
    def mailbox(self) -> InMemoryMailer:
        mailer = self.container.identity_mail.adapters.mailer()
        assert isinstance(mailer, InMemoryMailer)
        return mailer

    # platform webhooks: processing
    async def process_ingested(self) -> int:
        """What the worker does continuously: apply every accepted delivery that is due (retries
        due by the fake clock included); returns how many entries were read."""
        process = self.container.ingestion_processing.process_ingested_changes()
        command = ProcessIngestedChangesCommand(consumer="worker", wait_seconds=0)
        total = 0
        while read := await process(command):
            total += read
        return total


def fake_container(data_dir: Path, **overrides: object) -> FakeWorld:
    # The fake world searches its in-memory twin: no search index to keep or report on, unless a
    # test asks for one (catalog_search=CatalogSearchSettings(engine="tantivy")).
    fake_search = CatalogSearchSettings(engine="postgres")
    settings = attrs.evolve(Settings(data_dir=data_dir, catalog_search=fake_search), **overrides)
    container = Container(settings=settings)
    clock = ManualClock()
    container.shared.clock.override(providers.Object(clock))
    container.shared.connections.override(providers.Object(NoServers()))
    shared = container.shared
    swap(container.catalog_adapters, catalog := InMemoryCatalogAdapters(shared=shared))
    swap(container.identity_adapters, identity := InMemoryIdentityAdapters(settings=container.settings, shared=shared))
    swap(
        container.playback_adapters,
        playback := InMemoryPlaybackAdapters(shared=shared, catalog=container.catalog_adapters),
    )
    swap(container.operations_adapters, InMemoryOperationsAdapters(shared=shared))
    swap(container.health_adapters, InMemoryHealthAdapters(settings=container.settings, shared=shared))
    # outgoing mail
    swap(
        container.identity_mail.adapters,
        InMemoryIdentityMailAdapters(
            settings=container.settings, shared=shared, identity_adapters=container.identity_adapters
        ),
    )
    # platform webhooks: one in-memory stream behind the intake and the worker's side
    ingestion = InMemoryIngestionAdapters(
        settings=container.settings, shared=shared, identity_adapters=container.identity_adapters
    )
    swap(container.ingestion_adapters, ingestion)
    swap(
        container.ingestion_processing.adapters,
        InMemoryIngestionProcessingAdapters(settings=container.settings, shared=shared, ingestion_adapters=ingestion),
    )
    # recommendations: the in-memory index, ratings, registry; interactions from the in-memory history
    swap(
        container.recommendations_adapters,
        InMemoryRecommendationsAdapters(
            settings=container.settings,
            shared=shared,
            catalog_adapters=container.catalog_adapters,
            playback_adapters=container.playback_adapters,
            identity_adapters=container.identity_adapters,
        ),
    )
    swap(
        container.recommendation_index,
        InMemoryRecommendationIndex(
            settings=container.settings, shared=shared, breakers=container.operations.circuit_breaker
        ),
    )
    # search analytics: raw events, rollups and the report in memory
    swap(
        container.search_analytics_adapters,
        InMemorySearchAnalyticsAdapters(
            settings=container.settings, shared=shared, catalog_adapters=container.catalog_adapters
        ),
    )
    return FakeWorld(
        clock=clock,
        identity=identity.store(),
        catalog=catalog.catalog(),
        container=container,
        playback=playback.continue_watching_query(),
    )


def real_container(data_dir: Path, database_url: str, redis_url: str, **overrides: object) -> Container:
    """Pointed at servers by URL, as in external mode: searches go to PostgreSQL (there is no index
    unless a test builds one and asks for it with ``catalog_search``)."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        catalog_search=CatalogSearchSettings(engine="postgres"),
    )
    settings = attrs.evolve(settings, **overrides)
    container = Container(settings=settings)
    container.identity_adapters.password_hasher.override(providers.Object(fast_test_hasher()))
    container.identity_adapters.backup_code_hasher.override(providers.Object(fast_test_hasher()))
    return container


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[tuple[Quart, TestClientProtocol]]:
    app = create_app(container)
    async with app.test_app() as test_app:
        yield app, test_app.test_client()
