"""In-memory twins of the search analytics context's adapters, provider for provider the names of
``entrypoints/containers/search_analytics.py`` (SearchAnalyticsAdapters)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.search_analytics.in_memory_closest_titles import InMemoryClosestTitles
from adapters.search_analytics.in_memory_search_analytics_reader import InMemorySearchAnalyticsReader
from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups
from adapters.search_analytics.in_memory_search_storage import InMemorySearchStorage
from adapters.search_analytics.in_memory_viewer_hasher import InMemoryViewerHasher
from entrypoints.config import Settings


class InMemorySearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    catalog_adapters = providers.DependenciesContainer()  # the in-memory catalog (closest titles)

    event_store = providers.Singleton(InMemorySearchEventStore)
    viewer_hasher = providers.Singleton(InMemoryViewerHasher)
    # the in-memory rollups read event_store; the reader reads what they rolled up
    rollups = providers.Singleton(InMemorySearchRollups, event_store)
    reader = providers.Singleton(InMemorySearchAnalyticsReader, rollups)
    closest_titles = providers.Singleton(InMemoryClosestTitles, catalog_adapters.content_repository)
    # upkeep: drops old raw searches from event_store and old rolled-up hours from rollups
    storage = providers.Singleton(InMemorySearchStorage, event_store, rollups)
