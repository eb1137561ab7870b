"""The composition root: one container per bounded context, and the edges between them.

A context's adapters (`<context>_adapters`) are a separate slot from its use cases, so a test swaps
the whole set for in-memory ones in one line (`tests/support/in_memory_adapters.py`)."""

from __future__ import annotations

from dependency_injector import containers, providers

from entrypoints.config import Settings
from entrypoints.containers.catalog import Catalog, CatalogAdapters
from entrypoints.containers.identity import Identity, IdentityAdapters
from entrypoints.containers.identity_mail import IdentityMail
from entrypoints.containers.identity_providers import IdentityProviders
from entrypoints.containers.ingestion import Ingestion, IngestionAdapters
from entrypoints.containers.ingestion_processing import IngestionProcessing
from entrypoints.containers.operations import Health, HealthAdapters, Operations, OperationsAdapters
from entrypoints.containers.playback import Playback, PlaybackAdapters
from entrypoints.containers.recommendations import Recommendations, RecommendationsAdapters
from entrypoints.containers.recommendations_index import RecommendationIndex
from entrypoints.containers.recommendations_training import RecommendationTraining
from entrypoints.containers.search_analytics import SearchAnalytics, SearchAnalyticsAdapters
from entrypoints.containers.shared import SharedResources


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.Container(SharedResources, settings=settings)

    # Search analytics: what people search for and click; catalog's search tells it of every answer.
    search_analytics_adapters = providers.Container(SearchAnalyticsAdapters, settings=settings, shared=shared)
    search_analytics = providers.Container(
        SearchAnalytics, settings=settings, shared=shared, adapters=search_analytics_adapters
    )

    catalog_adapters = providers.Container(CatalogAdapters, settings=settings, shared=shared)
    catalog = providers.Container(
        Catalog,
        settings=settings,
        shared=shared,
        adapters=catalog_adapters,
        search_observer=search_analytics.search_observer,
    )

    identity_adapters = providers.Container(IdentityAdapters, settings=settings, shared=shared)
    identity_mail = providers.Container(
        IdentityMail, settings=settings, shared=shared, identity_adapters=identity_adapters
    )

    playback_adapters = providers.Container(PlaybackAdapters, shared=shared)
    playback = providers.Container(
        Playback,
        settings=settings,
        shared=shared,
        adapters=playback_adapters,
        contents=catalog.content_lookup,
        next_episodes=catalog.next_episode_finder,
    )

    # The circuit breakers (operations.circuit_breaker), for every context that calls out.
    operations_adapters = providers.Container(OperationsAdapters, shared=shared)
    operations = providers.Container(
        Operations, shared=shared, adapters=operations_adapters, identity_uow=identity_adapters.uow
    )

    # Platform webhooks: registrations and receiving; the worker's processing applies changes to the catalog.
    ingestion_adapters = providers.Container(
        IngestionAdapters, settings=settings, shared=shared, identity_adapters=identity_adapters
    )
    ingestion = providers.Container(
        Ingestion, settings=settings, shared=shared, adapters=ingestion_adapters, identity_uow=identity_adapters.uow
    )
    ingestion_processing = providers.Container(
        IngestionProcessing,
        settings=settings,
        shared=shared,
        ingestion_adapters=ingestion_adapters,
        identity_uow=identity_adapters.uow,
        apply_change=catalog.apply_catalog_change,
    )

    # Recommendations: one vector index (through operations' breakers when it is a server), the
    # training that writes it, and serving that reads it; interactions are playback's history.
    recommendation_index = providers.Container(
        RecommendationIndex, settings=settings, shared=shared, breakers=operations.circuit_breaker
    )
    recommendations_adapters = providers.Container(RecommendationsAdapters, settings=settings, shared=shared)
    recommendation_training = providers.Container(
        RecommendationTraining,
        settings=settings,
        shared=shared,
        adapters=recommendations_adapters,
        index=recommendation_index.vector_index,
        journal_backlog=playback_adapters.journal_backlog,
    )
    recommendations = providers.Container(
        Recommendations,
        settings=settings,
        shared=shared,
        adapters=recommendations_adapters,
        index=recommendation_index.vector_index,
        refresh_viewers=recommendation_training.refresh_viewers,
    )

    # The operations context's health checks and heartbeats; the archive backlog is playback's,
    # the mail backlog identity mail's, the breakers' states the breakers' own.
    health_adapters = providers.Container(HealthAdapters, settings=settings, shared=shared)
    health = providers.Container(
        Health,
        settings=settings,
        shared=shared,
        adapters=health_adapters,
        journal_backlog=playback_adapters.journal_backlog,
        mail_backlog=identity_mail.adapters.mail_backlog,
        breakers=operations.breaker_reader,
        ingestion_stream=ingestion_processing.adapters.stream,
        search_index_lag=catalog.search_index_lag,
    )

    # Sign-in with external identity providers: GitHub and Google, as configured, through their breakers.
    identity_providers = providers.Container(IdentityProviders, settings=settings, breakers=operations.circuit_breaker)
    # Identity's use cases come last: they sign people in with the providers, which call out
    # through operations' breakers, which write overrides through identity's adapters.
    identity = providers.Container(
        Identity,
        settings=settings,
        shared=shared,
        adapters=identity_adapters,
        identity_providers=identity_providers.configured,
    )
