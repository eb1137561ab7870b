"""The catalog context: titles, their availability, search."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.catalog.cached_content_lookup import CachedContentLookup
from adapters.catalog.postgres_catalog_changes import PostgresCatalogChanges
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.catalog.postgres_next_episode_finder import PostgresNextEpisodeFinder
from application.catalog.apply_catalog_change import ApplyCatalogChange
from application.catalog.forget_applied_changes import ForgetAppliedChanges
from application.catalog.get_content import GetContent
from application.catalog.import_catalog import ImportCatalog
from application.catalog.search_catalog import SearchCatalog
from entrypoints.config import Settings


class CatalogAdapters(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()

    content_repository = providers.Singleton(PostgresContentRepository, shared.engine)
    content_search = providers.Singleton(PostgresContentSearch, shared.reads)
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
    forget_applied_changes = providers.Singleton(
        ForgetAppliedChanges,
        adapters.catalog_changes,
        shared.clock,
        providers.Factory(timedelta, hours=settings.provided.ingestion.dedup_horizon_hours),
    )
