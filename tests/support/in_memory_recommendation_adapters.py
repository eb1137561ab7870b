"""In-memory twins of the recommendations context's adapter sets, provider for provider the names
of ``entrypoints/containers/recommendations.py`` (RecommendationsAdapters) and
``recommendations_index.py`` (the vector index)."""

from __future__ import annotations

from operator import attrgetter

from dependency_injector import containers, providers

from adapters.recommendations.in_memory_interaction_history import InMemoryInteractionHistory
from adapters.recommendations.in_memory_item_catalog import InMemoryItemCatalog
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.in_memory_popular_titles import InMemoryPopularTitles
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from adapters.recommendations.in_memory_viewer_directory import InMemoryViewerDirectory
from entrypoints.config import Settings
from entrypoints.containers.recommendations_index import OpenedIndex


class InMemoryRecommendationsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    catalog_adapters = providers.DependenciesContainer()  # the in-memory catalog
    playback_adapters = providers.DependenciesContainer()  # the in-memory archive (watch history)
    identity_adapters = providers.DependenciesContainer()  # the in-memory accounts (viewer directory)

    # h14-train: ratings, interaction_history, registry
    ratings = providers.Singleton(InMemoryRatingRepository)

    interaction_history = providers.Singleton(
        InMemoryInteractionHistory, playback_adapters.progress_archive, ratings, catalog_adapters.content_repository
    )

    registry = providers.Singleton(InMemoryModelRegistry)

    # h14-serve: item_catalog, popular_titles, viewer_directory
    item_catalog = providers.Singleton(InMemoryItemCatalog, catalog_adapters.content_repository, shared.clock)

    popular_titles = providers.Singleton(
        InMemoryPopularTitles,
        playback_adapters.progress_archive,
        catalog_adapters.content_repository,
        shared.clock,
        days=settings.provided.recommendations.popular_days,
    )

    viewer_directory = providers.Singleton(InMemoryViewerDirectory, identity_adapters.uow)


class InMemoryRecommendationIndex(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    breakers = providers.Dependency()

    opened = providers.Singleton(OpenedIndex, providers.Singleton(InMemoryVectorIndex).provider)
    vector_index = providers.Callable(attrgetter("index"), opened)
