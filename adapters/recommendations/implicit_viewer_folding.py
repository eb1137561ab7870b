"""Folding a viewer into a fitted model: implicit's ``recalculate_user`` solves the viewer's
least-squares step from their whole history against the version's item factors (nothing is
refitted). The artifact is loaded from the registry once per version; only the newest is kept."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import numpy as np
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from application.recommendations.model_ports import ModelRegistry
from domain.recommendations.models import AlsParameters

_pinned: list[object] = []


def _pin_blas() -> None:
    """One BLAS thread for the life of the process, set once: entering threadpoolctl's context
    manager inspects every loaded library, about 1.4 ms, more than a viewer's whole solve."""
    if not _pinned:
        _pinned.append(threadpool_limits(1))


class _Loaded:
    def __init__(self, artifact: bytes) -> None:
        _pin_blas()
        from implicit.cpu.als import AlternatingLeastSquares

        with np.load(io.BytesIO(artifact), allow_pickle=False) as saved:
            items = np.ascontiguousarray(saved["item_factors"], dtype=np.float32)
            ids = saved["item_ids"]
            parameters = AlsParameters(**json.loads(str(saved["parameters"])))
        self.positions = {UUID(bytes=row.tobytes()): n for n, row in enumerate(ids)}
        self.model: Any = AlternatingLeastSquares(
            factors=items.shape[1],
            regularization=parameters.regularization,
            alpha=parameters.alpha,
            num_threads=1,
        )
        self.model.item_factors = items
        _ = self.model.YtY  # computed once per version, not per viewer

    def fold_in(self, strengths: Sequence[tuple[UUID, float]]) -> list[float] | None:
        known = [(self.positions[item], value) for item, value in strengths if item in self.positions and value > 0]
        if not known:
            return None
        columns, values = zip(*sorted(known), strict=True)
        row = csr_matrix(
            (np.asarray(values, dtype=np.float32), (np.zeros(len(columns), dtype=np.int64), np.asarray(columns))),
            shape=(1, len(self.positions)),
        )
        vector = self.model.recalculate_user(0, row)  # BLAS already pinned to one thread (_pin_blas)
        return [float(x) for x in vector]


class ImplicitViewerFolding:
    def __init__(self, registry: ModelRegistry) -> None:
        self._registry = registry
        self._version: int | None = None
        self._loaded: _Loaded | None = None
        self._lock = asyncio.Lock()

    async def fold_in(self, version: int, strengths: Sequence[tuple[UUID, float]]) -> Sequence[float] | None:
        loaded = await self._model(version)
        if loaded is None:
            return None
        return loaded.fold_in(strengths)  # one viewer: a small solve, cheaper than a thread hop

    async def _model(self, version: int) -> _Loaded | None:
        async with self._lock:
            if self._version != version:
                artifact = await self._registry.artifact(version)
                if artifact is None:
                    return None
                loaded = await asyncio.to_thread(_Loaded, artifact)
                if self._version is None or version > self._version:
                    self._version, self._loaded = version, loaded
                else:
                    return loaded  # an older version asked for once: not worth evicting the newest
            return self._loaded
