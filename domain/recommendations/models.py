"""Trained models: each training makes a new version; serving uses one version at a time, and
switches only to a version whose vectors are all written (READY)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from attrs import frozen


class ModelState(Enum):
    TRAINING = "training"  # factors being fitted or vectors being written: never served
    READY = "ready"  # every vector written; the newest READY version is the one in use
    RETIRED = "retired"  # replaced; its vectors are deleted
    FAILED = "failed"  # training stopped; nothing of it is served


@frozen
class AlsParameters:
    """implicit's AlternatingLeastSquares hyperparameters. Defaults chosen by the offline
    evaluation on ml-100k (`python -m benchmarks.recsys --tune`: the best of a 90-point grid by
    NDCG@10 on a validation split held out of train; benchmarks/results/recsys-tune.md)."""

    factors: int = 16
    regularization: float = 0.1
    alpha: float = 4.0
    iterations: int = 15
    random_state: int = 0


@frozen
class ModelVersion:
    version: int
    state: ModelState
    parameters: AlsParameters
    started_at: datetime
    ready_at: datetime | None = None
    viewers: int = 0
    items: int = 0
    interactions: int = 0
    fit_seconds: float = 0.0  # the factorisation alone
    total_seconds: float = 0.0  # reading the history, fitting and writing every vector

    @property
    def servable(self) -> bool:
        return self.state is ModelState.READY
