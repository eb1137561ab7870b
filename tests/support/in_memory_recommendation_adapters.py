"""In-memory twins of the recommendations context's adapter sets, provider for provider the names
of ``entrypoints/containers/recommendations.py`` (RecommendationsAdapters) and
``recommendations_index.py`` (the vector index)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.recommendations.in_memory_interaction_history import InMemoryInteractionHistory
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.in_memory_vector_index import InMemoryVectorIndex
from entrypoints.config import Settings


class InMemoryRecommendationsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    catalog_adapters = providers.DependenciesContainer()  # the in-memory catalog
    playback_adapters = providers.DependenciesContainer()  # the in-memory archive (watch history)

    # h14-train: ratings, interaction_history, registry
    ratings = providers.Singleton(InMemoryRatingRepository)

    interaction_history = providers.Singleton(
        InMemoryInteractionHistory, playback_adapters.progress_archive, ratings, catalog_adapters.content_repository
    )

    registry = providers.Singleton(InMemoryModelRegistry)

    # h14-serve: item_catalog, popular_titles, viewer_directory
    item_catalog = providers.Object(None)

    popular_titles = providers.Object(None)

    viewer_directory = providers.Object(None)


class InMemoryRecommendationIndex(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    breakers = providers.Dependency()

    vector_index = providers.Singleton(InMemoryVectorIndex)
