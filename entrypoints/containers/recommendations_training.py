"""Training the recommendation model and keeping viewers' vectors current: the factoriser
(implicit ALS), folding a viewer in, the trainer, the incremental refresh and the schedule."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.recommendations.implicit_als_factoriser import ImplicitAlsFactoriser
from adapters.recommendations.implicit_viewer_folding import ImplicitViewerFolding
from application.recommendations.refresh_changed_viewers import RefreshChangedViewers
from application.recommendations.refresh_viewers import RefreshViewers
from application.recommendations.retrain_when_due import RetrainWhenDue
from application.recommendations.train_model import TrainModel
from entrypoints.config import Settings


class RecommendationTraining(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()  # RecommendationsAdapters
    index = providers.Dependency()  # the vector index
    journal_backlog = providers.Dependency()  # playback's: how late the archive may still write a change

    # pure CPU, the same in both worlds (no fake)
    factoriser = providers.Singleton(ImplicitAlsFactoriser)
    viewer_folding = providers.Singleton(ImplicitViewerFolding, adapters.registry)
    train_model = providers.Singleton(
        TrainModel,
        registry=adapters.registry,
        history=adapters.interaction_history,
        factoriser=factoriser,
        index=index,
        items=adapters.item_catalog,
        clock=shared.clock,
        parameters=settings.provided.recommendations.als,
        batch_size=settings.provided.recommendations.write_batch_size,
    )
    refresh_viewers = providers.Singleton(
        RefreshViewers,
        registry=adapters.registry,
        history=adapters.interaction_history,
        folding=viewer_folding,
        index=index,
    )
    retrain_when_due = providers.Singleton(
        RetrainWhenDue,
        registry=adapters.registry,
        history=adapters.interaction_history,
        train=train_model,
        clock=shared.clock,
        interval_seconds=settings.provided.recommendations.retrain_interval_seconds,
        min_changes=settings.provided.recommendations.retrain_min_changes,
    )
    refresh_changed_viewers = providers.Singleton(
        RefreshChangedViewers,
        changes=adapters.interaction_history,
        journal=journal_backlog,
        refresh=refresh_viewers,
        clock=shared.clock,
    )
