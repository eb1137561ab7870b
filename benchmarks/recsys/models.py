"""The compared recommenders, each fitted on the training matrix and asked for every viewer's
top K with the viewer's training items left out. BLAS is pinned to one thread (threadpoolctl) as
the service pins it; implicit's own threads use both cores."""

from __future__ import annotations

import time

import numpy as np
from attrs import frozen
from implicit.cpu.als import AlternatingLeastSquares
from implicit.nearest_neighbours import BM25Recommender
from scipy import sparse
from threadpoolctl import threadpool_limits

from benchmarks.recsys.metrics import K
from domain.recommendations.models import AlsParameters

# What the issue's baseline figures were measured with (found by trying: implicit's own defaults
# give BM25 NDCG@10 0.352 and ALS 0.291 on this split, see the README).
ISSUE_BM25_NEIGHBOURS = 100
ISSUE_UNTUNED_ALS = AlsParameters(factors=64, regularization=0.05, alpha=1.0, iterations=15, random_state=0)
IMPLICIT_DEFAULT_ALS = AlsParameters(factors=100, regularization=0.01, alpha=1.0, iterations=15, random_state=0)


@frozen
class Ranked:
    top: np.ndarray  # viewers x K item columns, best first
    fit_seconds: float


def popularity(train: sparse.csr_matrix, k: int = K) -> Ranked:
    started = time.perf_counter()
    order = np.argsort(-np.asarray(train.sum(axis=0)).ravel(), kind="stable")
    fit_seconds = time.perf_counter() - started
    top = np.full((train.shape[0], k), -1, dtype=np.int64)
    for viewer in range(train.shape[0]):
        seen = set(train.indices[train.indptr[viewer] : train.indptr[viewer + 1]].tolist())
        picked = [int(i) for i in order[: k + len(seen)] if int(i) not in seen][:k]
        top[viewer, : len(picked)] = picked
    return Ranked(top, fit_seconds)


def bm25(train: sparse.csr_matrix, neighbours: int = 20, k: int = K) -> Ranked:
    model = BM25Recommender(K=neighbours)
    with threadpool_limits(1, "blas"):
        started = time.perf_counter()
        model.fit(train, show_progress=False)
        fit_seconds = time.perf_counter() - started
        ids, _ = model.recommend(np.arange(train.shape[0]), train, N=k, filter_already_liked_items=True)
    return Ranked(np.asarray(ids), fit_seconds)


def fit_als(train: sparse.csr_matrix, parameters: AlsParameters) -> tuple[AlternatingLeastSquares, float]:
    model = AlternatingLeastSquares(
        factors=parameters.factors,
        regularization=parameters.regularization,
        alpha=parameters.alpha,
        iterations=parameters.iterations,
        random_state=parameters.random_state,
    )
    with threadpool_limits(1, "blas"):
        started = time.perf_counter()
        model.fit(train, show_progress=False)
        return model, time.perf_counter() - started


def als_top(model: AlternatingLeastSquares, train: sparse.csr_matrix, k: int = K) -> np.ndarray:
    """implicit's own ``recommend``: the reference the served ranking is held to."""
    with threadpool_limits(1, "blas"):
        ids, _ = model.recommend(np.arange(train.shape[0]), train, N=k, filter_already_liked_items=True)
    return np.asarray(ids)


def als(train: sparse.csr_matrix, parameters: AlsParameters, k: int = K) -> Ranked:
    model, fit_seconds = fit_als(train, parameters)
    return Ranked(als_top(model, train, k), fit_seconds)
