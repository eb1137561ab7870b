"""The search analytics context: raw searches and clicks, their hourly rollups and the report,
on PostgreSQL (the viewer hash's daily salt in Redis); the capture buffer, the rollup and the
report's use cases."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.search_analytics.postgres_closest_titles import PostgresClosestTitles
from adapters.search_analytics.postgres_search_analytics_reader import PostgresSearchAnalyticsReader
from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from adapters.search_analytics.postgres_search_rollups import PostgresSearchRollups
from application.catalog.search_observer_ports import NoSearchObserver
from application.search_analytics.get_search_analytics import GetSearchAnalytics
from application.search_analytics.roll_up_searches import RollUpSearches
from entrypoints.config import Settings


class SearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    event_store = providers.Singleton(PostgresSearchEventStore, shared.engine)
    # h15-capture: viewer_hasher (Redis daily salt)
    viewer_hasher = providers.Object(None)
    rollups = providers.Singleton(PostgresSearchRollups, shared.engine)
    reader = providers.Singleton(PostgresSearchAnalyticsReader, shared.engine)
    closest_titles = providers.Singleton(PostgresClosestTitles, shared.engine)
    # h15-aggregates: storage
    storage = providers.Object(None)


class SearchAnalytics(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    # h15-capture: search_event_buffer, search_observer (the buffer, or NoSearchObserver when off),
    # flush_search_events, record_click
    search_observer = providers.Singleton(NoSearchObserver)

    roll_up_searches = providers.Factory(
        RollUpSearches,
        adapters.rollups,
        shared.clock,
        settings.provided.search_analytics.raw_retention_days,
    )
    get_search_analytics = providers.Factory(
        GetSearchAnalytics,
        adapters.reader,
        adapters.closest_titles,
        shared.clock,
        settings.provided.search_analytics.min_viewers,
        settings.provided.search_analytics.closest_titles,
    )
    # h15-aggregates: maintain_search_storage
