"""The search analytics context: raw searches and clicks, their hourly rollups and the report,
on PostgreSQL (the viewer hash's daily salt in Redis); the capture buffer, the rollup and the
report's use cases."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers

from adapters.search_analytics.keyed_viewer_hash import load_or_create_viewer_key
from adapters.search_analytics.postgres_closest_titles import PostgresClosestTitles
from adapters.search_analytics.postgres_search_analytics_reader import PostgresSearchAnalyticsReader
from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from adapters.search_analytics.postgres_search_rollups import PostgresSearchRollups
from adapters.search_analytics.postgres_search_storage import PostgresSearchStorage
from adapters.search_analytics.redis_viewer_hasher import RedisViewerHasher
from application.catalog.search_observer_ports import NoSearchObserver, SearchObserver
from application.search_analytics.flush_search_events import FlushSearchEvents
from application.search_analytics.get_search_analytics import GetSearchAnalytics
from application.search_analytics.maintain_search_storage import MaintainSearchStorage
from application.search_analytics.record_click import RecordClick
from application.search_analytics.roll_up_searches import RollUpSearches
from application.search_analytics.search_event_buffer import SearchEventBuffer
from entrypoints.config import Settings


def viewer_key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / "search-viewer-key"


def _observer(enabled: bool, buffer: SearchEventBuffer) -> SearchObserver:
    return buffer if enabled else NoSearchObserver()


class SearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    event_store = providers.Singleton(PostgresSearchEventStore, shared.engine)
    # the viewer's keyed hash: the server key in a file, the day's salt in Redis
    viewer_hasher = providers.Singleton(
        RedisViewerHasher,
        shared.redis,
        providers.Callable(load_or_create_viewer_key, providers.Callable(viewer_key_path, settings)),
        shared.secrets,
    )
    rollups = providers.Singleton(PostgresSearchRollups, shared.engine, settings.provided.search_analytics.min_viewers)
    reader = providers.Singleton(PostgresSearchAnalyticsReader, shared.engine)
    closest_titles = providers.Singleton(PostgresClosestTitles, shared.engine)
    storage = providers.Singleton(PostgresSearchStorage, shared.engine)


class SearchAnalytics(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    # capture: searches wait in a bounded buffer (catalog's observer), written in batches in the
    # background (entrypoints/http/search_analytics/capture.py); with analytics off, nothing is kept
    search_event_buffer = providers.Singleton(SearchEventBuffer, settings.provided.search_analytics.buffer_limit)
    search_observer = providers.Singleton(_observer, settings.provided.search_analytics.enabled, search_event_buffer)
    flush_search_events = providers.Singleton(
        FlushSearchEvents,
        search_event_buffer,
        adapters.event_store,
        adapters.viewer_hasher,
        settings.provided.search_analytics.flush_batch,
    )
    record_click = providers.Singleton(
        RecordClick,
        store=adapters.event_store,
        buffer=search_event_buffer,
        flush=flush_search_events,
        clock=shared.clock,
        window_hours=settings.provided.search_analytics.click_window_hours,
        flush_seconds=settings.provided.search_analytics.flush_seconds,
    )

    # the worker's: rollups on a schedule, storage upkeep hourly (entrypoints/worker_loops/search_analytics.py)
    roll_up_searches = providers.Factory(
        RollUpSearches,
        adapters.rollups,
        shared.clock,
        settings.provided.search_analytics.raw_retention_days,
    )
    maintain_search_storage = providers.Singleton(
        MaintainSearchStorage,
        adapters.storage,
        shared.clock,
        settings.provided.search_analytics.partitions_ahead_days,
        settings.provided.search_analytics.raw_retention_days,
        settings.provided.search_analytics.rollup_retention_days,
    )
    # the report
    get_search_analytics = providers.Factory(
        GetSearchAnalytics,
        adapters.reader,
        adapters.closest_titles,
        shared.clock,
        settings.provided.search_analytics.min_viewers,
        settings.provided.search_analytics.closest_titles,
    )
