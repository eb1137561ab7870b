"""The catalog context: titles, their availability, search."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.catalog.cached_content_lookup import CachedContentLookup
from adapters.catalog.postgres_catalog_change_feed import PostgresCatalogChangeFeed
from adapters.catalog.postgres_catalog_changes import PostgresCatalogChanges
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.catalog.postgres_next_episode_finder import PostgresNextEpisodeFinder
from adapters.catalog.tantivy_index_directory import TantivyIndexDirectory
from adapters.catalog.tantivy_live_content_search import TantivyLiveContentSearch
from adapters.catalog.tantivy_search_index import TantivySearchIndex
from application.catalog.apply_catalog_change import ApplyCatalogChange
from application.catalog.forget_applied_changes import ForgetAppliedChanges
from application.catalog.get_content import GetContent
from application.catalog.import_catalog import ImportCatalog
from application.catalog.ports import ContentSearch
from application.catalog.search_catalog import SearchCatalog
from application.catalog.search_index_ports import CatalogChangeFeed, SearchIndexMarks
from application.catalog.sync_search_index import (
    NeedsRebuild,
    ReadSearchIndexLag,
    RebuildSearchIndex,
    SyncSearchIndex,
)
from application.shared.ports import Clock
from entrypoints.config import Settings


def content_search(settings: Settings, postgres: ContentSearch) -> ContentSearch:
    """MG_SEARCH_ENGINE: the Tantivy index (PostgreSQL while it is not built yet), or PostgreSQL."""
    if settings.catalog_search.engine == "tantivy":
        return TantivyLiveContentSearch(
            TantivyIndexDirectory(settings.search_index_dir),
            fallback=postgres,
            cache_pages=settings.catalog_search.cache_pages,
        )
    return postgres


def search_index(settings: Settings) -> TantivySearchIndex:
    return TantivySearchIndex(TantivyIndexDirectory(settings.search_index_dir))


def search_index_lag(
    settings: Settings, feed: CatalogChangeFeed, marks: SearchIndexMarks, clock: Clock
) -> ReadSearchIndexLag | None:
    """What /health/aggregate reports of the index: nothing when search does not use it."""
    return ReadSearchIndexLag(feed, marks, clock) if settings.catalog_search.engine == "tantivy" else None


class CatalogAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    content_repository = providers.Singleton(PostgresContentRepository, shared.engine)
    content_search = providers.Singleton(
        content_search, settings, providers.Singleton(PostgresContentSearch, shared.reads)
    )
    # the search index: the feed of the catalog's changes, and the index the worker writes from it
    change_feed = providers.Singleton(PostgresCatalogChangeFeed, shared.engine)
    search_index = providers.Singleton(search_index, settings)
    next_episode_finder = providers.Singleton(PostgresNextEpisodeFinder, shared.engine)
    # platform webhooks: applying a platform's change, one transaction per change
    catalog_changes = providers.Singleton(PostgresCatalogChanges, shared.engine)


class Catalog(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    # search analytics' recorder (or nothing, when analytics is off): told of every search
    search_observer = providers.Dependency()

    content_lookup = providers.Singleton(CachedContentLookup, adapters.content_repository)
    get_content = providers.Singleton(GetContent, adapters.content_repository, shared.clock)
    search_catalog = providers.Singleton(
        SearchCatalog, adapters.content_search, shared.clock, search_observer, shared.secrets
    )
    import_catalog = providers.Singleton(ImportCatalog, adapters.content_repository)
    next_episode_finder = adapters.next_episode_finder
    # platform webhooks: the ingestion worker applies changes through this; housekeeping forgets old change ids
    apply_catalog_change = providers.Singleton(ApplyCatalogChange, adapters.catalog_changes, shared.ids, shared.clock)
    # the search index: the worker syncs (and rebuilds when needed), `media-gateway reindex`
    # rebuilds, health reads the lag
    sync_search_index = providers.Singleton(SyncSearchIndex, adapters.change_feed, adapters.search_index)
    rebuild_search_index = providers.Singleton(RebuildSearchIndex, adapters.change_feed, adapters.search_index)
    search_index_needs_rebuild = providers.Singleton(NeedsRebuild, adapters.change_feed, adapters.search_index)
    search_index_lag = providers.Singleton(
        search_index_lag, settings, adapters.change_feed, adapters.search_index, shared.clock
    )
    forget_applied_changes = providers.Singleton(
        ForgetAppliedChanges,
        adapters.catalog_changes,
        shared.clock,
        providers.Factory(timedelta, hours=settings.provided.ingestion.dedup_horizon_hours),
    )
