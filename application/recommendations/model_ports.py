"""Trained model versions: the registry of what was trained and which version is in use, and the
factoriser that fits ALS and folds a viewer into a fitted model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.recommendations.models import AlsParameters, ModelVersion


class ModelRegistry(Protocol):
    async def begin(self, parameters: AlsParameters, started_at: datetime) -> ModelVersion:
        """A new version (the next number), TRAINING."""

    async def finish(self, version: ModelVersion, artifact: bytes) -> None:
        """Store the fitted model (what folding a viewer in needs) and mark the version READY and
        in use, in one transaction: the previous READY versions become RETIRED."""

    async def fail(self, version: int) -> None: ...

    async def in_use(self) -> ModelVersion | None:
        """The newest READY version, or None before the first training."""

    async def versions(self, limit: int) -> list[ModelVersion]:
        """Newest first."""

    async def artifact(self, version: int) -> bytes | None: ...

    async def forget(self, versions: Sequence[int]) -> None:
        """Delete these versions' artifacts (their vectors are the index's to drop)."""


@frozen
class VectorBatch:
    ids: Sequence[UUID]
    vectors: Sequence[Sequence[float]]


class FittedModel(Protocol):
    @property
    def dimensions(self) -> int: ...

    @property
    def viewer_count(self) -> int: ...

    @property
    def item_count(self) -> int: ...

    def viewer_batches(self, size: int) -> Iterator[VectorBatch]: ...

    def item_batches(self, size: int) -> Iterator[VectorBatch]: ...

    def artifact(self) -> bytes:
        """What ``ViewerFolding`` needs later: the item factors, their ids and the parameters."""


@frozen
class TrainingMatrix:
    """Strengths per (viewer, item), columnar: the factoriser builds its sparse matrix from it."""

    user_ids: Sequence[UUID]
    item_ids: Sequence[UUID]
    strengths: Sequence[float]


class Factoriser(Protocol):
    async def fit(self, matrix: TrainingMatrix, parameters: AlsParameters) -> FittedModel:
        """Implicit-feedback ALS (off the event loop)."""


class ViewerFolding(Protocol):
    async def fold_in(self, version: int, strengths: Sequence[tuple[UUID, float]]) -> Sequence[float] | None:
        """The viewer's vector from their whole history against the version's item factors
        (without refitting anything); None when the version knows none of the items."""
