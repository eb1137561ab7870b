"""Textbook top-K metrics over the test viewers with at least one test item.

- P@K = hits in the top K / K (not implicit's ``hits / min(K, |test|)``);
- binary NDCG@K = DCG / the ideal DCG of min(K, |test|) hits, gain 1 per hit;
- MAP@K = the mean over viewers of sum(precision at each hit) / min(K, |test|).
NDCG and MAP are the same quantities as ``implicit.evaluation.ranking_metrics_at_k``'s."""

from __future__ import annotations

import numpy as np
from attrs import frozen
from scipy import sparse

K = 10


@frozen
class Scores:
    precision: float
    ndcg: float
    map: float
    viewers: int


def evaluate(top: np.ndarray, test: sparse.csr_matrix, k: int = K) -> Scores:
    """``top``: viewers x K item columns, best first (-1 pads a short answer)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    precision = ndcg = average_precision = 0.0
    viewers = 0
    for viewer in range(test.shape[0]):
        relevant = set(test.indices[test.indptr[viewer] : test.indptr[viewer + 1]].tolist())
        if not relevant:
            continue
        ranked = [int(i) for i in top[viewer][:k] if i >= 0]
        hits = np.array([item in relevant for item in ranked], dtype=np.float64)
        ideal = min(len(relevant), k)
        precision += hits.sum() / k
        ndcg += float((hits * discount[: len(hits)]).sum() / discount[:ideal].sum())
        at_each = np.cumsum(hits) / np.arange(1, len(hits) + 1) if len(hits) else hits
        average_precision += float((at_each * hits).sum() / ideal)
        viewers += 1
    return Scores(precision / viewers, ndcg / viewers, average_precision / viewers, viewers)
