"""The playback context: resume points, Continue Watching, live sync across devices."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.playback.postgres_continue_watching import PostgresContinueWatching
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.playback.redis_progress_codec import GROUP, STREAM
from adapters.playback.redis_progress_journal import RedisProgressJournal
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import RedisSyncBroker
from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveViewerProgress
from application.playback.continue_watching import (
    DismissFromContinueWatching,
    GetResumePoint,
    ListContinueWatching,
    RemoveStaleProgress,
)
from application.playback.record_progress import RecordProgress
from entrypoints.config import Settings


class PlaybackAdapters(containers.DeclarativeContainer):
    """The live store and journal in Redis, the archive and its queries in PostgreSQL, and the
    tracing that carries a trace across the journal."""

    shared = providers.DependenciesContainer()

    progress_archive = providers.Singleton(PostgresProgressArchive, shared.engine)
    progress_store = providers.Singleton(RedisProgressStore, shared.redis, progress_archive)
    continue_watching_query = providers.Singleton(PostgresContinueWatching, shared.reads)
    sync_broker = providers.Singleton(RedisSyncBroker, shared.redis)
    # The worker's archive span continues the traces of the requests whose changes it archives.
    journal_tracing = providers.Singleton(
        OpenTelemetryWorkTracing, system="redis", destination=STREAM, consumer_group=GROUP
    )
    journal_backlog = providers.Singleton(RedisProgressJournal, shared.redis)  # what /metrics reads


class Playback(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # Edges to the catalog context, given by the root: what a title is, and which episode comes next.
    contents = providers.Dependency()
    next_episodes = providers.Dependency()

    clock, store, archive = shared.clock, adapters.progress_store, adapters.progress_archive
    sync_broker = adapters.sync_broker

    record_progress = providers.Singleton(
        RecordProgress,
        store=store,
        contents=contents,
        next_episodes=next_episodes,
        clock=clock,
        completion_threshold=settings.provided.completion_threshold,
    )
    archive_viewer_progress = providers.Singleton(ArchiveViewerProgress, journal=store, archive=archive)
    archive_progress_changes = providers.Singleton(
        ArchiveProgressChanges, journal=store, archive=archive, tracing=adapters.journal_tracing
    )
    list_continue_watching = providers.Singleton(
        ListContinueWatching, adapters.continue_watching_query, archive_viewer_progress
    )
    get_resume_point = providers.Singleton(GetResumePoint, store)
    dismiss_from_continue_watching = providers.Singleton(DismissFromContinueWatching, store=store, clock=clock)
    remove_stale_progress = providers.Singleton(
        RemoveStaleProgress,
        archive=archive,
        clock=clock,
        stale_after=providers.Factory(timedelta, days=settings.provided.stale_progress_days),
    )
