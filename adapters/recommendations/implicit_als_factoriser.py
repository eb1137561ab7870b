"""Implicit-feedback ALS with the ``implicit`` library: the viewers x items matrix as scipy CSR,
fitted off the event loop with BLAS held to one thread (implicit parallelises the solver itself;
BLAS threads on top of it only oversubscribe the cores).

The artifact is ``np.savez`` of the item factors (float32), the item ids (16 bytes each) and the
parameters (JSON): all ``ImplicitViewerFolding`` needs to fold a viewer in later."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator, Sequence
from uuid import UUID

import attrs
import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from application.recommendations.model_ports import TrainingMatrix, VectorBatch
from domain.recommendations.models import AlsParameters

Factors = npt.NDArray[np.float32]


def _indexed(ids: Sequence[UUID]) -> tuple[list[UUID], npt.NDArray[np.int64]]:
    """The distinct ids in first-seen order, and each entry's position among them."""
    positions: dict[UUID, int] = {}
    codes = np.fromiter((positions.setdefault(i, len(positions)) for i in ids), dtype=np.int64, count=len(ids))
    return list(positions), codes


class ImplicitFittedModel:
    def __init__(
        self, viewer_ids: list[UUID], viewers: Factors, item_ids: list[UUID], items: Factors, parameters: AlsParameters
    ) -> None:
        self._viewer_ids, self._viewers = viewer_ids, viewers
        self._item_ids, self._items = item_ids, items
        self._parameters = parameters

    @property
    def dimensions(self) -> int:
        return int(self._items.shape[1])

    @property
    def viewer_count(self) -> int:
        return len(self._viewer_ids)

    @property
    def item_count(self) -> int:
        return len(self._item_ids)

    def viewer_batches(self, size: int) -> Iterator[VectorBatch]:
        return _batches(self._viewer_ids, self._viewers, size)

    def item_batches(self, size: int) -> Iterator[VectorBatch]:
        return _batches(self._item_ids, self._items, size)

    def artifact(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            item_factors=self._items.astype(np.float32),
            item_ids=np.frombuffer(b"".join(i.bytes for i in self._item_ids), dtype=np.uint8).reshape(-1, 16),
            parameters=np.array(json.dumps(attrs.asdict(self._parameters))),
        )
        return buffer.getvalue()


def _batches(ids: list[UUID], factors: Factors, size: int) -> Iterator[VectorBatch]:
    for start in range(0, len(ids), size):
        yield VectorBatch(ids=ids[start : start + size], vectors=factors[start : start + size].tolist())


class ImplicitAlsFactoriser:
    def __init__(self, num_threads: int = 0) -> None:
        self._num_threads = num_threads  # implicit's own solver threads (0: every core)

    async def fit(self, matrix: TrainingMatrix, parameters: AlsParameters) -> ImplicitFittedModel:
        return await asyncio.to_thread(self._fit, matrix, parameters)

    def _fit(self, matrix: TrainingMatrix, parameters: AlsParameters) -> ImplicitFittedModel:
        from implicit.cpu.als import AlternatingLeastSquares

        viewer_ids, rows = _indexed(matrix.user_ids)
        item_ids, columns = _indexed(matrix.item_ids)
        values = np.asarray(matrix.strengths, dtype=np.float32)
        user_items = csr_matrix((values, (rows, columns)), shape=(len(viewer_ids), len(item_ids)))
        model = AlternatingLeastSquares(
            factors=parameters.factors,
            regularization=parameters.regularization,
            alpha=parameters.alpha,
            iterations=parameters.iterations,
            random_state=parameters.random_state,
            num_threads=self._num_threads,
        )
        with threadpool_limits(1):
            model.fit(user_items, show_progress=False)
        return ImplicitFittedModel(
            viewer_ids,
            np.ascontiguousarray(model.user_factors, dtype=np.float32),
            item_ids,
            np.ascontiguousarray(model.item_factors, dtype=np.float32),
            parameters,
        )
