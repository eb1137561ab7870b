"""Training a new model version: read every viewer's history, fit ALS, write every vector, then
switch serving to the version (never before: a version is in use only once it is complete).

Nothing is trained when no history has a positive strength: the call returns None and no
version number is taken."""

from __future__ import annotations

import time

import attrs
from attrs import frozen

from application.recommendations.catalog_ports import ItemCatalog
from application.recommendations.interaction_ports import InteractionHistory
from application.recommendations.model_ports import Factoriser, FittedModel, ModelRegistry
from application.recommendations.training_matrix import read_training_matrix
from application.recommendations.training_progress_ports import SilentProgress, TrainingProgress
from application.recommendations.vector_index_ports import VectorIndex, VectorPoint
from application.shared.ports import Clock
from domain.recommendations.interactions import ConfidenceWeights
from domain.recommendations.models import AlsParameters, ModelState, ModelVersion

READING, FITTING, WRITING_ITEMS, WRITING_VIEWERS = "reading history", "fitting", "writing items", "writing viewers"
# Older versions than the one just replaced are dropped; the replaced one stays until the next
# training, so a reader that took it a moment ago finishes its request.
_VERSIONS_LOOKED_AT = 50


@frozen
class TrainModelCommand:
    parameters: AlsParameters | None = None  # None: the configured hyperparameters


NO_OVERRIDE = TrainModelCommand()
SILENT = SilentProgress()
DEFAULT_WEIGHTS = ConfidenceWeights()


class TrainModel:
    def __init__(
        self,
        *,
        registry: ModelRegistry,
        history: InteractionHistory,
        factoriser: Factoriser,
        index: VectorIndex,
        items: ItemCatalog,
        clock: Clock,
        parameters: AlsParameters,
        batch_size: int,
        weights: ConfidenceWeights = DEFAULT_WEIGHTS,
    ) -> None:
        self._registry = registry
        self._history = history
        self._factoriser = factoriser
        self._index = index
        self._items = items
        self._clock = clock
        self._parameters = parameters
        self._batch_size = batch_size
        self._weights = weights

    async def __call__(
        self, command: TrainModelCommand = NO_OVERRIDE, progress: TrainingProgress = SILENT
    ) -> ModelVersion | None:
        started, began = self._clock.now(), time.perf_counter()
        progress.stage(READING, None)
        matrix = await read_training_matrix(self._history, self._batch_size, progress, self._weights)
        if not matrix.strengths:
            return None
        previous = await self._registry.in_use()
        version = await self._registry.begin(command.parameters or self._parameters, started)
        try:
            progress.stage(FITTING, None)
            fit_began = time.perf_counter()
            fitted = await self._factoriser.fit(matrix, version.parameters)
            fit_seconds = time.perf_counter() - fit_began
            await self._index.prepare(version.version, fitted.dimensions)
            items = await self._write_items(version.version, fitted, progress)
            await self._write_viewers(version.version, fitted, progress)
            await self._index.seal(version.version)
            ready = attrs.evolve(
                version,
                ready_at=self._clock.now(),
                viewers=fitted.viewer_count,
                items=items,
                interactions=len(matrix.strengths),
                fit_seconds=fit_seconds,
                total_seconds=time.perf_counter() - began,
            )
            await self._registry.finish(ready, fitted.artifact())
        except BaseException:
            await self._registry.fail(version.version)
            await self._index.drop(version.version)
            raise
        await self._forget_older_than(previous)
        return attrs.evolve(ready, state=ModelState.READY)

    async def _write_items(self, version: int, fitted: FittedModel, progress: TrainingProgress) -> int:
        """Items the catalog still offers, with their payloads (withdrawn or unknown ones are not
        written: they could never be answered)."""
        progress.stage(WRITING_ITEMS, fitted.item_count)
        written = 0
        for batch in fitted.item_batches(self._batch_size):
            payloads = await self._items.payloads(list(batch.ids))
            points = [
                VectorPoint(id=item, vector=vector, payload=payloads[item])
                for item, vector in zip(batch.ids, batch.vectors, strict=True)
                if item in payloads
            ]
            if points:
                await self._index.write_items(version, points)
            written += len(points)
            progress.advance(len(batch.ids))
        return written

    async def _write_viewers(self, version: int, fitted: FittedModel, progress: TrainingProgress) -> None:
        progress.stage(WRITING_VIEWERS, fitted.viewer_count)
        for batch in fitted.viewer_batches(self._batch_size):
            points = [VectorPoint(id=u, vector=v) for u, v in zip(batch.ids, batch.vectors, strict=True)]
            await self._index.write_viewers(version, points)
            progress.advance(len(points))

    async def _forget_older_than(self, previous: ModelVersion | None) -> None:
        if previous is None:
            return
        older = [v.version for v in await self._registry.versions(_VERSIONS_LOOKED_AT) if v.version < previous.version]
        for number in older:
            await self._index.drop(number)
        await self._registry.forget(older)
