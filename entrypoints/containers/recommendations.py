"""The recommendations context: its PostgreSQL adapters (ratings, interactions, model versions,
items, popularity) and the serving use cases (personal picks, similar titles and viewers, ratings)."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.recommendations.postgres_interaction_history import PostgresInteractionHistory
from adapters.recommendations.postgres_item_catalog import PostgresItemCatalog
from adapters.recommendations.postgres_model_registry import PostgresModelRegistry
from adapters.recommendations.postgres_popular_titles import PostgresPopularTitles
from adapters.recommendations.postgres_rating_repository import PostgresRatingRepository
from adapters.recommendations.postgres_viewer_directory import PostgresViewerDirectory
from application.recommendations.model_in_use import ModelInUse
from application.recommendations.ratings import ListRatings, RateTitle, RemoveRating
from application.recommendations.recommend_for_viewer import RecommendForViewer
from application.recommendations.recommend_similar import RecommendSimilar
from application.recommendations.similar_viewers import FindSimilarViewers
from entrypoints.config import Settings


class RecommendationsAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    # h14-train: ratings, interaction_history, registry (PostgreSQL).
    ratings = providers.Singleton(PostgresRatingRepository, shared.engine)

    interaction_history = providers.Singleton(PostgresInteractionHistory, shared.engine)

    registry = providers.Singleton(PostgresModelRegistry, shared.engine)

    # h14-serve: items as the catalog shows them, popularity from the watch history, accounts.
    item_catalog = providers.Singleton(
        PostgresItemCatalog,
        shared.engine,
        shared.clock,
        cache_seconds=settings.provided.recommendations.content_cache_seconds,
    )

    popular_titles = providers.Singleton(
        PostgresPopularTitles,
        shared.reads,
        shared.clock,
        days=settings.provided.recommendations.popular_days,
        cache_seconds=settings.provided.recommendations.popular_cache_seconds,
    )

    viewer_directory = providers.Singleton(PostgresViewerDirectory, shared.engine)


class Recommendations(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    index = providers.Dependency()  # the vector index
    refresh_viewers = providers.Dependency()  # training's incremental update, after a rating changes

    recs = settings.provided.recommendations
    model_in_use = providers.Singleton(
        ModelInUse,
        adapters.registry,
        shared.clock,
        providers.Factory(timedelta, seconds=recs.model_cache_seconds),
    )
    recommend_for_viewer = providers.Singleton(
        RecommendForViewer,
        model_in_use=model_in_use,
        index=index,
        history=adapters.interaction_history,
        catalog=adapters.item_catalog,
        popular=adapters.popular_titles,
        max_limit=recs.max_limit,
    )
    recommend_similar = providers.Singleton(
        RecommendSimilar,
        model_in_use=model_in_use,
        index=index,
        catalog=adapters.item_catalog,
        popular=adapters.popular_titles,
        max_limit=recs.max_limit,
    )
    find_similar_viewers = providers.Singleton(
        FindSimilarViewers,
        model_in_use=model_in_use,
        index=index,
        viewers=adapters.viewer_directory,
        max_limit=recs.max_limit,
    )
    rate_title = providers.Singleton(
        RateTitle,
        ratings=adapters.ratings,
        catalog=adapters.item_catalog,
        clock=shared.clock,
        refresh_viewers=refresh_viewers,
    )
    remove_rating = providers.Singleton(RemoveRating, ratings=adapters.ratings, refresh_viewers=refresh_viewers)
    list_ratings = providers.Singleton(ListRatings, adapters.ratings)
