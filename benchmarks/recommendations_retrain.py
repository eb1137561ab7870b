"""Retraining: ``TrainModel`` against a bare implicit fit of the same matrix.

Synthetic ratings of ml-100k's size (943 viewers, 1,682 titles, ~100,000 ratings) and ten times
it (9,430 x 16,820, ~1,000,000), clustered tastes over Zipf popularity, ratings 3..5 (positives).
``TrainModel`` runs as the service wires it, on the fake world's adapters where the service has a
database (the in-memory interaction history over in-memory ratings and catalog, the in-memory
model registry) and the real ones elsewhere: ``ImplicitAlsFactoriser`` and
``QdrantEdgeVectorIndex`` on an embedded Redis. So "read" is the in-memory stand-in for the
PostgreSQL history (a lower bound of it), and fit + write + seal is the pipeline around the fit
as it runs in production. The floor: ``implicit.cpu.als.AlternatingLeastSquares.fit`` of the same
viewers x items CSR (built from what TrainModel read), same parameters, BLAS on one thread."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from attrs import frozen
from redis.asyncio import Redis
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.embedded.embedded_redis import start_embedded_redis
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.recommendations.implicit_als_factoriser import ImplicitAlsFactoriser
from adapters.recommendations.in_memory_interaction_history import InMemoryInteractionHistory
from adapters.recommendations.in_memory_item_catalog import InMemoryItemCatalog
from adapters.recommendations.in_memory_model_registry import InMemoryModelRegistry
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex
from adapters.shared.system import SystemClock
from application.recommendations.model_ports import TrainingMatrix
from application.recommendations.train_model import TrainModel
from domain.catalog.content import Availability, Content, ContentKind
from domain.recommendations.models import AlsParameters
from domain.recommendations.ratings import Rating

ROUNDS, BATCH, TASTES = 3, 1_000, 20
TARGET_RATIO = 1.3
SIZES = (("ml-100k-sized", 943, 1_682, 100_000), ("10x", 9_430, 16_820, 1_000_000))
GENRES = ("science-fiction", "romance", "drama", "comedy", "horror", "documentary", "kids", "thriller")


def synthetic(rng: np.random.Generator, viewers: int, items: int, ratings: int) -> list[tuple[int, int, int]]:
    """(viewer, item, rating) triples: each viewer's picks half from Zipf popularity, half from
    their taste's own Zipf-ordered titles; ~``ratings`` distinct pairs."""
    popularity = 1 / np.arange(1, items + 1) ** 0.9
    popularity /= popularity.sum()
    tastes = [rng.permutation(items) for _ in range(TASTES)]
    counts = np.clip(rng.lognormal(mean=0, sigma=0.8, size=viewers), 0.2, 8)
    counts = np.maximum(20, counts / counts.sum() * ratings).astype(int)
    triples: list[tuple[int, int, int]] = []
    for viewer, count in enumerate(counts):
        count = min(int(count), items // 2)
        taste = tastes[viewer % TASTES]
        drawn = np.concatenate(
            [rng.choice(items, size=count, p=popularity), taste[rng.choice(items, size=count, p=popularity)]]
        )
        picked = list(dict.fromkeys(rng.permutation(drawn).tolist()))[:count]
        triples += [(viewer, int(i), int(r)) for i, r in zip(picked, rng.integers(3, 6, len(picked)), strict=False)]
    return triples


def title(column: int) -> Content:
    item = uuid.UUID(int=column + 1)
    return Content(
        id=item,
        title=f"Title {column}",
        kind=ContentKind.MOVIE,
        release_year=2000 + column % 25,
        genres=(GENRES[column % 8],),
        synopsis="",
        availability=(Availability("netflix", "US", f"https://netflix.example/{item}"),),
        runtime_seconds=6000,
    )


class StageClock:
    """The training's progress, kept as each stage's start (TrainModel names them)."""

    def __init__(self) -> None:
        self.starts: list[tuple[str, float]] = []

    def stage(self, name: str, total: int | None) -> None:
        self.starts.append((name, time.perf_counter()))

    def advance(self, amount: int) -> None:
        pass


class TimedSealIndex(QdrantEdgeVectorIndex):
    seal_started = 0.0

    async def seal(self, version: int) -> None:
        self.seal_started = time.perf_counter()
        await super().seal(version)


@frozen
class Round:
    bare: float
    total: float
    stages: dict[str, float]


def bare_fit(matrix: TrainingMatrix, parameters: AlsParameters) -> float:
    from implicit.cpu.als import AlternatingLeastSquares

    rows = {u: n for n, u in enumerate(dict.fromkeys(matrix.user_ids))}
    columns = {i: n for n, i in enumerate(dict.fromkeys(matrix.item_ids))}
    user_items = csr_matrix(
        (
            np.asarray(matrix.strengths, dtype=np.float32),
            ([rows[u] for u in matrix.user_ids], [columns[i] for i in matrix.item_ids]),
        ),
        shape=(len(rows), len(columns)),
    )
    model = AlternatingLeastSquares(
        factors=parameters.factors,
        regularization=parameters.regularization,
        alpha=parameters.alpha,
        iterations=parameters.iterations,
        random_state=parameters.random_state,
    )
    with threadpool_limits(1):
        started = time.perf_counter()
        model.fit(user_items, show_progress=False)
        return time.perf_counter() - started


async def one_size(name: str, viewers: int, items: int, ratings: int, root: Path, redis: Redis) -> list[str]:
    rng = np.random.default_rng(len(name))
    catalog, store = InMemoryCatalog(), InMemoryRatingRepository()
    for column in range(items):
        catalog.put(title(column))
    now = datetime.now(UTC)
    triples = synthetic(rng, viewers, items, ratings)
    for viewer, column, value in triples:
        user = uuid.UUID(int=(1 << 64) + viewer + 1)
        store.ratings[(user, uuid.UUID(int=column + 1))] = Rating(user, uuid.UUID(int=column + 1), value, now)
    clock = SystemClock()
    history = InMemoryInteractionHistory(InMemoryProgressArchive(), store, catalog)
    parameters = AlsParameters()
    index = TimedSealIndex(root / name, redis)
    train = TrainModel(
        registry=InMemoryModelRegistry(),
        history=history,
        factoriser=ImplicitAlsFactoriser(),
        index=index,
        items=InMemoryItemCatalog(catalog, clock),
        clock=clock,
        parameters=parameters,
        batch_size=BATCH,
    )
    from application.recommendations.training_matrix import read_training_matrix
    from domain.recommendations.interactions import ConfidenceWeights

    matrix = await read_training_matrix(history, BATCH, StageClock(), ConfidenceWeights())
    rounds: list[Round] = []
    for _ in range(ROUNDS):
        bare = bare_fit(matrix, parameters)
        progress = StageClock()
        started = time.perf_counter()
        version = await train(progress=progress)
        ended = time.perf_counter()
        assert version is not None
        marks = [*progress.starts, ("seal", index.seal_started), ("end", ended)]
        stages = {marks[n][0]: marks[n + 1][1] - marks[n][1] for n in range(len(marks) - 1)}
        # TrainModel's "fitting" stage runs until the first item batch: the factoriser (its own
        # CSR build from the ids, the fit in a thread), then the index's prepare
        fitting = stages.pop("fitting")
        stages = {
            "reading history": stages.pop("reading history"),
            "factoriser.fit": version.fit_seconds or 0.0,
            "prepare": fitting - (version.fit_seconds or 0.0),
            **stages,
        }
        rounds.append(Round(bare, ended - started, stages))
    await index.close()

    def median(values: list[float]) -> float:
        return statistics.median(values)

    bare = median([r.bare for r in rounds])
    total = median([r.total for r in rounds])
    around_fit = median([r.total - r.stages.get("reading history", 0.0) for r in rounds])
    stage_names = list(rounds[0].stages)
    stage_cells = " | ".join(f"{median([r.stages[s] for r in rounds]):.2f}" for s in stage_names)
    ratio, ratio_without_read = total / bare, around_fit / bare
    return [
        f"| {name}: {viewers:,} x {items:,}, {len(matrix.strengths):,} ratings | {bare:.2f} | {total:.2f} | "
        f"{stage_cells} | {ratio:.2f}x | {ratio_without_read:.2f}x |",
        f"{'|'.join(stage_names)}",
    ]


async def retrain_suite() -> list[str]:
    root = Path(tempfile.mkdtemp(prefix="mg-bench-recs-retrain-"))
    redis = Redis.from_url(start_embedded_redis(root))
    rows: list[str] = []
    stage_names = ""
    try:
        for name, viewers, items, ratings in SIZES:
            row, stage_names = await one_size(name, viewers, items, ratings, root / "qdrant", redis)
            rows.append(row)
    finally:
        await redis.aclose()
        shutil.rmtree(root / "qdrant", ignore_errors=True)
    stages = stage_names.split("|")
    p = AlsParameters()
    return [
        f"Retrain: `TrainModel` (in-memory history, registry and catalog; the real `ImplicitAlsFactoriser` and "
        f"`QdrantEdgeVectorIndex` on an embedded Redis) vs a bare `AlternatingLeastSquares.fit` of the same matrix, "
        f"AlsParameters' defaults (factors {p.factors}, iterations {p.iterations}), batches of {BATCH:,}, BLAS on "
        f"one thread; medians of {ROUNDS} alternating rounds (bare fit, then TrainModel). Stage seconds as "
        "TrainModel's progress reports them (seal: the index's seal, HNSW build and publish). Target ratio "
        f"<= {TARGET_RATIO}x.",
        "",
        f"| data | bare fit s | TrainModel s | {' s | '.join(stages)} s | ratio | ratio without read |",
        f"| --- | ---: | ---: | {' | '.join('---:' for _ in stages)} | ---: | ---: |",
        *rows,
        "",
        '- "read" here is the in-memory stand-in for the PostgreSQL history, not PostgreSQL itself; '
        '"ratio without read" is the pipeline around the fit (fit in a thread, write items with their catalog '
        "payloads, write viewers, seal) over the bare fit.",
        "- factoriser.fit is TrainModel's own `fit_seconds`: the bare fit plus building the CSR from the ids "
        "(`_indexed` over every entry) and the hop to a thread; prepare is creating the two shards and their "
        "payload indexes; writing items includes each batch's catalog payloads.",
        "- Writing items at 10x, taken apart once by hand: the catalog payloads 0.11 s, `write_items` 1.30 s "
        "(the viewers, without payloads, 0.1 s); on a bare shard, creating the keyword indexes after the upserts "
        "instead of before moved about 0.3 s from the upserts to the index build, no saving overall.",
    ]
