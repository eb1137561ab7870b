"""The ingestion context's receiving side: platform registrations (secrets sealed with identity's
secret box), the normalisers, and the intake that deduplicates deliveries and appends them to
the stream."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.ingestion.normalisers import discovered_normalisers
from entrypoints.config import Settings


class IngestionAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()  # its secret_box seals the signing secrets

    # receiving: registrations (PostgreSQL) and the intake (Redis: dedup + back-pressure + append)


class Ingestion(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: registration changes are written in the administrator's security log.
    identity_uow = providers.Dependency()

    normalisers = providers.Singleton(discovered_normalisers)

    # registrations and receiving: use cases
