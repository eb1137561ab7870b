"""What every context shares: time, ids and randomness, and the connections to the servers."""

from __future__ import annotations

from operator import attrgetter

from dependency_injector import containers, providers

from adapters.postgres.database import read_only
from adapters.shared.system import SystemClock, UrandomSecretGenerator, Uuid4Generator
from entrypoints.config import Settings
from entrypoints.lifecycle import ServerConnections


class SharedResources(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid4Generator)
    secrets = providers.Singleton(UrandomSecretGenerator)

    connections = providers.Singleton(ServerConnections, settings.provided.database_url, settings.provided.redis_url)
    engine = providers.Callable(attrgetter("engine"), connections)
    reads = providers.Singleton(read_only, engine)
    redis = providers.Callable(attrgetter("redis"), connections)
