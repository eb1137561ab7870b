"""The catalog context: titles, their availability, search."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.catalog.cached_content_lookup import CachedContentLookup
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.catalog.postgres_next_episode_finder import PostgresNextEpisodeFinder
from application.catalog.get_content import GetContent
from application.catalog.import_catalog import ImportCatalog
from application.catalog.search_catalog import SearchCatalog


class CatalogAdapters(containers.DeclarativeContainer):
    shared = providers.DependenciesContainer()

    content_repository = providers.Singleton(PostgresContentRepository, shared.engine)
    content_search = providers.Singleton(PostgresContentSearch, shared.reads)
    next_episode_finder = providers.Singleton(PostgresNextEpisodeFinder, shared.engine)


class Catalog(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    content_lookup = providers.Singleton(CachedContentLookup, adapters.content_repository)
    get_content = providers.Singleton(GetContent, adapters.content_repository)
    search_catalog = providers.Singleton(SearchCatalog, adapters.content_search)
    import_catalog = providers.Singleton(ImportCatalog, adapters.content_repository)
    next_episode_finder = adapters.next_episode_finder
