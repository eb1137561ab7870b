"""The recommendations context: its PostgreSQL adapters (ratings, interactions, model versions,
items, popularity) and the serving use cases (personal picks, similar titles and viewers, ratings)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.recommendations.postgres_interaction_history import PostgresInteractionHistory
from adapters.recommendations.postgres_model_registry import PostgresModelRegistry
from adapters.recommendations.postgres_rating_repository import PostgresRatingRepository
from entrypoints.config import Settings


class RecommendationsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    # h14-train: ratings, interaction_history, registry (PostgreSQL).
    ratings = providers.Singleton(PostgresRatingRepository, shared.engine)

    interaction_history = providers.Singleton(PostgresInteractionHistory, shared.engine)

    registry = providers.Singleton(PostgresModelRegistry, shared.engine)

    # FOUNDATION PLACEHOLDERS. h14-serve: item_catalog, popular_titles, viewer_directory (PostgreSQL).
    item_catalog = providers.Object(None)

    popular_titles = providers.Object(None)

    viewer_directory = providers.Object(None)


class Recommendations(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    index = providers.Dependency()  # the vector index
    refresh_viewers = providers.Dependency()  # training's incremental update, after a rating changes

    # FOUNDATION PLACEHOLDERS. h14-serve: the serving use cases.
    model_in_use = providers.Object(None)  # the version in use, cached per process (model_cache_seconds)
    recommend_for_viewer = providers.Object(None)
    recommend_similar = providers.Object(None)
    find_similar_viewers = providers.Object(None)
    rate_title = providers.Object(None)
    remove_rating = providers.Object(None)
    list_ratings = providers.Object(None)
