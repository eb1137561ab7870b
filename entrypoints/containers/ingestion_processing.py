"""The ingestion context's processing side: the worker's consumer of the stream (retries, dead
letters, replay) and the catalog's ApplyCatalogChange it applies through."""

from __future__ import annotations

from dependency_injector import containers, providers

from entrypoints.config import Settings


class IngestionProcessingAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    ingestion_adapters = providers.DependenciesContainer()

    # the stream's consumer side (Redis), and what health and /metrics read


class IngestionProcessing(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    ingestion_adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: replays and discards are written in the administrator's security log.
    identity_uow = providers.Dependency()

    adapters = providers.Container(
        IngestionProcessingAdapters, settings=settings, shared=shared, ingestion_adapters=ingestion_adapters
    )

    # the worker's use case, the dead-letter use cases
