"""The ingestion context's processing side: the worker's consumer of the stream (retries, dead
letters, replay) and the catalog's ApplyCatalogChange it applies through."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.ingestion.infrastructure_failure_classifier import InfrastructureFailureClassifier
from adapters.ingestion.redis_ingestion_codec import GROUP, STREAM
from adapters.ingestion.redis_ingestion_stream import RedisIngestionStream
from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from application.ingestion.dead_letters import DiscardDeadLetter, GetDeadLetter, ListDeadLetters, ReplayDeadLetters
from application.ingestion.process_ingested_changes import ProcessIngestedChanges, RetryPolicy
from entrypoints.config import Settings
from entrypoints.telemetry.ingestion_metrics import PrometheusIngestionOutcomes


class IngestionProcessingAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    ingestion_adapters = providers.DependenciesContainer()

    # the stream's consumer side (Redis), and what health and /metrics read
    stream = providers.Singleton(
        RedisIngestionStream,
        shared.redis,
        claim_after=providers.Factory(timedelta, seconds=settings.provided.ingestion.claim_after_seconds),
    )
    # The worker's span continues the traces of the requests that delivered the changes.
    stream_tracing = providers.Singleton(
        OpenTelemetryWorkTracing, system="redis", destination=STREAM, consumer_group=GROUP
    )
    failure_classifier = providers.Singleton(InfrastructureFailureClassifier)


class IngestionProcessing(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    ingestion_adapters = providers.DependenciesContainer()
    # The edge to identity, given by the root: replays and discards are written in the administrator's security log.
    identity_uow = providers.Dependency()
    # The edge to the catalog, given by the root: its ApplyCatalogChange.
    apply_change = providers.Dependency()

    adapters = providers.Container(
        IngestionProcessingAdapters, settings=settings, shared=shared, ingestion_adapters=ingestion_adapters
    )

    # the worker's use case, the dead-letter use cases
    process_ingested_changes = providers.Singleton(
        ProcessIngestedChanges,
        stream=adapters.stream,
        apply_change=apply_change,
        classifier=adapters.failure_classifier,
        tracing=adapters.stream_tracing,
        clock=shared.clock,
        retry=providers.Factory(
            RetryPolicy,
            max_attempts=settings.provided.ingestion.max_attempts,
            base_seconds=settings.provided.ingestion.retry_base_seconds,
            max_seconds=settings.provided.ingestion.retry_max_seconds,
        ),
        batch_size=settings.provided.ingestion.batch_size,
        outcomes=providers.Singleton(PrometheusIngestionOutcomes),
    )
    list_dead_letters = providers.Singleton(ListDeadLetters, adapters.stream)
    get_dead_letter = providers.Singleton(GetDeadLetter, adapters.stream)
    replay_dead_letters = providers.Singleton(
        ReplayDeadLetters,
        stream=adapters.stream,
        uow=identity_uow,
        clock=shared.clock,
        ids=shared.ids,
        horizon=providers.Factory(timedelta, hours=settings.provided.ingestion.dedup_horizon_hours),
        per_second=settings.provided.ingestion.replay_per_second,
    )
    discard_dead_letter = providers.Singleton(
        DiscardDeadLetter, stream=adapters.stream, uow=identity_uow, clock=shared.clock, ids=shared.ids
    )
