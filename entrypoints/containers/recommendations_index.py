"""The recommendations' vector index: Qdrant's engine in-process under MG_DATA_DIR (the embedded
default), or a Qdrant server at MG_QDRANT_URL through its circuit breaker."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from application.shared.circuit_breaker_ports import CircuitBreaker
from domain.operations.breakers import BreakerPolicy
from entrypoints.config import Settings

# The breaker every call to a Qdrant server goes through (operations gathers each context's).
# Queries answer in milliseconds: slow means over 0.5 s; the client gives up at
# MG_QDRANT_TIMEOUT_SECONDS and this timeout is the backstop above it.
BREAKER_POLICIES: tuple[BreakerPolicy, ...] = (
    BreakerPolicy("qdrant", slow_call_seconds=0.5, timeout_seconds=10.0, wait_seconds=15.0),
)


def make_vector_index(settings: Settings, connections: Any, breakers: CircuitBreaker) -> Any:
    """The server adapter when MG_QDRANT_URL is set, else the embedded engine. Imported here, not at
    the top: qdrant-client costs a second to import, and only one of the two is ever used."""
    if settings.qdrant_url:
        from qdrant_client import AsyncQdrantClient

        from adapters.recommendations.qdrant_server_vector_index import QdrantServerVectorIndex

        timeout = settings.recommendations.qdrant_timeout_seconds
        client = AsyncQdrantClient(
            url=settings.qdrant_url,
            api_key=settings.recommendations.qdrant_api_key,
            timeout=max(1, round(timeout)),
            # its version check is a blocking request at construction, outside the breaker: a
            # server that is down would stall the event loop and warn on every start
            check_compatibility=False,
        )
        return QdrantServerVectorIndex(client, breakers, timeout_seconds=timeout)
    from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex

    return QdrantEdgeVectorIndex(Path(settings.data_dir) / "vectors", connections.redis)


class OpenedIndex:
    """The process's vector index, made on first use (a command that never reads vectors opens no
    shard and copies no replica) and closed once, by ``lifecycle.close_connections``."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    @cached_property
    def index(self) -> Any:
        return self._make()

    async def aclose(self) -> None:
        if "index" in self.__dict__:
            await self.__dict__.pop("index").close()


class RecommendationIndex(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    breakers = providers.Dependency()  # operations' circuit breakers: a Qdrant server is called through `qdrant`

    opened = providers.Singleton(
        OpenedIndex, providers.Factory(make_vector_index, settings, shared.connections, breakers).provider
    )
    vector_index = providers.Callable(attrgetter("index"), opened)
