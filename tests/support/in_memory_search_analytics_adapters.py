"""In-memory twins of the search analytics context's adapters, provider for provider the names of
``entrypoints/containers/search_analytics.py`` (SearchAnalyticsAdapters)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_storage import InMemorySearchStorage
from adapters.search_analytics.in_memory_viewer_hasher import InMemoryViewerHasher
from entrypoints.config import Settings


class InMemorySearchAnalyticsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    catalog_adapters = providers.DependenciesContainer()  # the in-memory catalog (closest titles)

    event_store = providers.Singleton(InMemorySearchEventStore)
    viewer_hasher = providers.Singleton(InMemoryViewerHasher)
    # h15-aggregates: rollups, reader, closest_titles (the in-memory rollups read event_store)
    rollups = providers.Object(None)
    reader = providers.Object(None)
    closest_titles = providers.Object(None)
    storage = providers.Singleton(InMemorySearchStorage, event_store)
