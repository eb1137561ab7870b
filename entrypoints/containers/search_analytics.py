"""The search analytics context: raw searches and clicks, their hourly rollups and the report,
on PostgreSQL (the viewer hash's daily salt in Redis); the capture buffer, the rollup and the
report's use cases."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from adapters.search_analytics.postgres_search_storage import PostgresSearchStorage
from application.catalog.search_observer_ports import NoSearchObserver
from application.search_analytics.maintain_search_storage import MaintainSearchStorage
from entrypoints.config import Settings


class SearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    event_store = providers.Singleton(PostgresSearchEventStore, shared.engine)
    # h15-capture: viewer_hasher (Redis daily salt)
    viewer_hasher = providers.Object(None)
    # h15-aggregates: rollups, reader, closest_titles
    rollups = providers.Object(None)
    reader = providers.Object(None)
    closest_titles = providers.Object(None)
    storage = providers.Singleton(PostgresSearchStorage, shared.engine)


class SearchAnalytics(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    # h15-capture: search_event_buffer, search_observer (the buffer, or NoSearchObserver when off),
    # flush_search_events, record_click
    search_observer = providers.Singleton(NoSearchObserver)

    # h15-aggregates: roll_up_searches, get_search_analytics
    maintain_search_storage = providers.Singleton(
        MaintainSearchStorage,
        adapters.storage,
        shared.clock,
        settings.provided.search_analytics.partitions_ahead_days,
        settings.provided.search_analytics.raw_retention_days,
        settings.provided.search_analytics.rollup_retention_days,
    )
