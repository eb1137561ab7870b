"""Our ALS's ranking as serving obtains it: the fitted factors written to a vector index through
the ``VectorIndex`` port (prepare, write, seal), each viewer's vector read back from it and the
items ranked by ``rank_items`` with the viewer's training items excluded inside the query."""

from __future__ import annotations

import time
from collections.abc import Sequence
from uuid import UUID

import numpy as np
from attrs import frozen
from scipy import sparse

from application.recommendations.vector_index_ports import ItemFilter, ItemPayload, VectorIndex, VectorPoint
from benchmarks.recsys.metrics import K

VERSION = 1
BATCH = 1000  # the service's default MG_RECS_WRITE_BATCH_SIZE


def item_id(column: int) -> UUID:
    return UUID(int=column + 1)


def viewer_id(row: int) -> UUID:
    return UUID(int=(1 << 64) + row + 1)


@frozen
class Served:
    top: np.ndarray  # viewers x K item columns, best first, as the index answered
    write_seconds: float
    query_seconds: float  # all viewers' reads (vector, then ranking), one at a time


async def write_factors(
    index: VectorIndex,
    item_factors: np.ndarray,
    user_factors: np.ndarray,
    genres: Sequence[tuple[str, ...]],
) -> float:
    started = time.perf_counter()
    await index.prepare(VERSION, int(item_factors.shape[1]))
    for start in range(0, item_factors.shape[0], BATCH):
        await index.write_items(
            VERSION,
            [
                VectorPoint(item_id(c), item_factors[c].tolist(), ItemPayload(kind="movie", genres=genres[c]))
                for c in range(start, min(start + BATCH, item_factors.shape[0]))
            ],
        )
    for start in range(0, user_factors.shape[0], BATCH):
        await index.write_viewers(
            VERSION,
            [
                VectorPoint(viewer_id(r), user_factors[r].tolist())
                for r in range(start, min(start + BATCH, user_factors.shape[0]))
            ],
        )
    await index.seal(VERSION)
    return time.perf_counter() - started


async def served_rankings(
    index: VectorIndex,
    item_factors: np.ndarray,
    user_factors: np.ndarray,
    train: sparse.csr_matrix,
    genres: Sequence[tuple[str, ...]],
    k: int = K,
) -> Served:
    write_seconds = await write_factors(index, item_factors, user_factors, genres)
    column_of = {item_id(c): c for c in range(item_factors.shape[0])}
    top = np.full((train.shape[0], k), -1, dtype=np.int64)
    started = time.perf_counter()
    for row in range(train.shape[0]):
        vector = await index.viewer_vector(VERSION, viewer_id(row))
        if vector is None:
            continue
        seen = frozenset(item_id(int(c)) for c in train.indices[train.indptr[row] : train.indptr[row + 1]])
        answer = await index.rank_items(VERSION, vector, ItemFilter(exclude=seen), k)
        picked = [column_of[s.id] for s in answer]
        top[row, : len(picked)] = picked
    return Served(top, write_seconds, time.perf_counter() - started)


@frozen
class Agreement:
    same_set: float  # share of viewers whose served top K holds the same items as implicit's
    same_order: float  # ... in the same order
    viewers: int


def agreement(served: np.ndarray, reference: np.ndarray) -> Agreement:
    viewers = served.shape[0]
    same_set = sum(set(served[v].tolist()) == set(reference[v].tolist()) for v in range(viewers))
    same_order = sum(served[v].tolist() == reference[v].tolist() for v in range(viewers))
    return Agreement(same_set / viewers, same_order / viewers, viewers)
