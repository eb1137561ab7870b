"""Opening and closing what a process shares: the database engine and the Redis client.

Every entrypoint (`serve`, the worker, each CLI command, the benchmarks, the test fixtures) goes
through `opened`, or through the app's serving hooks that call `close_connections`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import create_engine, ensure_database, migrate
from entrypoints.config import Settings, with_servers

if TYPE_CHECKING:
    from entrypoints.container import Container


class ServerConnections:
    """The process's pool to PostgreSQL and client for Redis: made on first use, closed once."""

    def __init__(self, database_url: str | None, redis_url: str | None) -> None:
        self._database_url = database_url
        self._redis_url = redis_url

    @cached_property
    def engine(self) -> AsyncEngine:
        assert self._database_url, "no database URL: start the servers first (entrypoints.config.with_servers)"
        return create_engine(self._database_url)

    @cached_property
    def redis(self) -> Redis:
        assert self._redis_url, "no Redis URL: start the servers first (entrypoints.config.with_servers)"
        return Redis.from_url(self._redis_url)

    async def aclose(self) -> None:
        # Only what was made: a command that never touched Redis opens no connection to close it.
        if "engine" in self.__dict__:
            await self.__dict__.pop("engine").dispose()
        if "redis" in self.__dict__:
            await self.__dict__.pop("redis").aclose()


async def close_connections(container: Container) -> None:
    await container.recommendation_index.opened().aclose()  # the vector index's shards, before Redis
    await container.shared.connections().aclose()
    await container.identity_providers.clients().aclose()  # the identity providers' HTTP clients


@asynccontextmanager
async def opened(container: Container) -> AsyncIterator[Container]:
    """The container, with its shared connections closed on the way out whatever happens."""
    try:
        yield container
    finally:
        await close_connections(container)


async def prepare_servers(settings: Settings, *, migrated: bool = True) -> Settings:
    """The servers found or started (embedded ones under MG_DATA_DIR when no URL is set), the
    database created and migrated: what every entrypoint does before it builds its container."""
    settings = with_servers(settings)
    if migrated:
        await migrate_database(settings)
    return settings


async def migrate_database(settings: Settings) -> None:
    assert settings.database_url is not None
    await ensure_database(settings.database_url)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
