"""The search analytics context: raw searches and clicks, their hourly rollups and the report,
on PostgreSQL (the viewer hash's daily salt in Redis); the capture buffer, the rollup and the
report's use cases."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from application.catalog.search_observer_ports import NoSearchObserver
from entrypoints.config import Settings


class SearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    event_store = providers.Singleton(PostgresSearchEventStore, shared.engine)
    # h15-capture: viewer_hasher (Redis daily salt)
    viewer_hasher = providers.Object(None)
    # h15-aggregates: rollups, reader, closest_titles, storage
    rollups = providers.Object(None)
    reader = providers.Object(None)
    closest_titles = providers.Object(None)
    storage = providers.Object(None)


class SearchAnalytics(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    # h15-capture: search_event_buffer, search_observer (the buffer, or NoSearchObserver when off),
    # flush_search_events, record_click
    search_observer = providers.Singleton(NoSearchObserver)

    # h15-aggregates: roll_up_searches, maintain_search_storage, get_search_analytics
