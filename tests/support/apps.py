"""Apps for HTTP and BDD tests: the real composition root, with fakes swapped in where asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import attrs
from dependency_injector import providers
from quart import Quart
from quart.typing import TestClientProtocol

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_next_episode_finder import InMemoryNextEpisodeFinder
from adapters.identity.argon2_password_hasher import fast_test_hasher
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_limits import (
    InMemoryApiKeyRateLimiter,
    InMemoryApiKeyUsageRecorder,
    InMemoryClientRateLimiter,
    InMemoryFactorAttemptGuard,
    InMemoryRegistrationLimiter,
)
from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.in_memory_revoked_sessions import InMemoryRevokedSessions
from adapters.playback.in_memory_continue_watching import InMemoryContinueWatching
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker
from adapters.shared.manual_clock import ManualClock
from application.playback.archive_progress import ArchiveProgressChangesCommand
from application.playback.progress_archive_ports import WatchEvent
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.http.app import create_app

# Never connected to: the fakes below stand in for everything that would use them.
UNUSED_DATABASE = "postgresql://unused@127.0.0.1:1/unused"
UNUSED_REDIS = "redis://127.0.0.1:1/0"


@attrs.define
class FakeWorld:
    clock: ManualClock
    identity: InMemoryIdentityStore
    catalog: InMemoryCatalog
    container: Container
    playback: InMemoryContinueWatching

    async def archive_all(self) -> None:
        """What the worker does continuously: archive every change the live store journalled."""
        archive = self.container.archive_progress_changes()
        while await archive(ArchiveProgressChangesCommand("worker", wait_seconds=0)):
            pass

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        await self.archive_all()
        return await self.playback.history(user_id)


def fake_container(data_dir: Path, **overrides: object) -> FakeWorld:
    settings = attrs.evolve(
        Settings(data_dir=data_dir, database_url=UNUSED_DATABASE, redis_url=UNUSED_REDIS), **overrides
    )
    container = Container(settings=settings)
    clock = ManualClock()
    identity = InMemoryIdentityStore()
    catalog = InMemoryCatalog()
    container.clock.override(providers.Object(clock))
    container.identity_uow.override(providers.Object(identity))
    container.api_key_lookup.override(providers.Object(identity))
    container.password_hasher.override(providers.Object(fast_test_hasher()))
    container.login_throttle.override(
        providers.Object(
            InMemoryLoginThrottle(
                clock,
                account_limit=settings.login_failures_per_account,
                account_ip_limit=settings.login_failures_per_account_and_ip,
                ip_limit=settings.login_failures_per_ip,
                window_seconds=settings.login_failure_window_seconds,
            )
        )
    )
    container.backup_code_hasher.override(providers.Object(fast_test_hasher()))
    container.factor_attempt_guard.override(
        providers.Object(
            InMemoryFactorAttemptGuard(
                clock,
                per_account=settings.mfa_attempts_per_account,
                per_ip_and_account=settings.mfa_attempts_per_ip,
                per_ip=settings.mfa_attempts_per_ip_all_accounts,
            )
        )
    )
    container.registration_limiter.override(
        providers.Object(
            InMemoryRegistrationLimiter(
                clock,
                per_ip=settings.registrations_per_ip,
                ip_window_seconds=settings.registration_ip_window_seconds,
                per_minute=settings.registrations_per_minute,
            )
        )
    )
    container.api_key_rate_limiter.override(providers.Object(InMemoryApiKeyRateLimiter(clock)))
    container.api_key_usage.override(providers.Object(InMemoryApiKeyUsageRecorder(clock)))
    container.leak_report_limiter.override(
        providers.Object(InMemoryClientRateLimiter(clock, limit=settings.leaked_key_reports_per_ip))
    )
    container.invalid_api_key_throttle.override(
        providers.Object(
            InMemoryLoginThrottle(clock, account_limit=20, account_ip_limit=20, ip_limit=20, window_seconds=60)
        )
    )
    container.revoked_sessions.override(
        providers.Object(
            InMemoryRevokedSessions(clock, remember_for=timedelta(seconds=settings.access_token_ttl_seconds + 60))
        )
    )
    container.content_repository.override(providers.Object(catalog))
    container.content_search.override(providers.Object(catalog))
    archive = InMemoryProgressArchive()
    playback = InMemoryContinueWatching(archive, catalog)
    broker = InMemorySyncBroker()
    container.progress_archive.override(providers.Object(archive))
    container.progress_store.override(providers.Object(InMemoryProgressStore(archive, broker)))
    container.continue_watching_query.override(providers.Object(playback))
    container.next_episode_finder.override(providers.Object(InMemoryNextEpisodeFinder(catalog)))
    container.sync_broker.override(providers.Object(broker))
    return FakeWorld(clock=clock, identity=identity, catalog=catalog, container=container, playback=playback)


def real_container(data_dir: Path, database_url: str, redis_url: str, **overrides: object) -> Container:
    settings = attrs.evolve(Settings(data_dir=data_dir, database_url=database_url, redis_url=redis_url), **overrides)
    container = Container(settings=settings)
    container.password_hasher.override(providers.Object(fast_test_hasher()))
    container.backup_code_hasher.override(providers.Object(fast_test_hasher()))
    return container


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[tuple[Quart, TestClientProtocol]]:
    app = create_app(container)
    async with app.test_app() as test_app:
        yield app, test_app.test_client()
