"""Training the recommendation model and keeping viewers' vectors current: the factoriser
(implicit ALS), folding a viewer in, the trainer, the incremental refresh and the schedule."""

from __future__ import annotations

from dependency_injector import containers, providers

from entrypoints.config import Settings


class RecommendationTraining(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()  # RecommendationsAdapters
    index = providers.Dependency()  # the vector index

    # FOUNDATION PLACEHOLDERS (h14-train fills them in)
    factoriser = providers.Object(None)  # ImplicitAlsFactoriser
    viewer_folding = providers.Object(None)  # ViewerFolding over the registry's artifacts
    train_model = providers.Object(None)  # TrainModel
    refresh_viewers = providers.Object(None)  # RefreshViewers (the incremental update)
    retrain_when_due = providers.Object(None)  # RetrainWhenDue (the worker's schedule)
