"""In-memory twins of the ingestion context's adapter sets, provider for provider the names of
``entrypoints/containers/ingestion.py`` and ``ingestion_processing.py``. The intake and the
worker's stream are one in-memory stream, as they are one Redis stream."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from adapters.ingestion.in_memory_webhook_registrations import InMemoryRegistrationStore
from adapters.ingestion.infrastructure_failure_classifier import InfrastructureFailureClassifier
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from entrypoints.config import Settings


class InMemoryIngestionAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    identity_adapters = providers.DependenciesContainer()

    # receiving: the in-memory stream is also the worker's (InMemoryIngestionProcessingAdapters.stream)
    intake = providers.Singleton(InMemoryIngestionStream, shared.clock)
    # registrations: committed with the in-memory identity store's security log
    registrations = providers.Singleton(InMemoryRegistrationStore, identity_adapters.uow)
    registration_lookup = registrations
    secret_box = identity_adapters.secret_box


class InMemoryIngestionProcessingAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    ingestion_adapters = providers.DependenciesContainer()

    # processing: the intake's stream
    stream = ingestion_adapters.intake
    stream_tracing = providers.Singleton(InMemoryWorkTracing)
    failure_classifier = providers.Singleton(InfrastructureFailureClassifier)  # pure: the real one
