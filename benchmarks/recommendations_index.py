"""The index query alone, on the embedded engine (``QdrantEdgeVectorIndex``), no HTTP.

50,000 items and 100,000 viewers of 64 dimensions, clustered (32 taste centres plus noise, as a
factoriser's output is), items with payloads of a real catalogue's shape (kind, two genres, one or
two platforms and regions, their offers). Written through the port as the trainer writes them
(batches of 1,000), sealed (the items' HNSW index is built there: measured), opened by a first
read (the replica copy), then 1,000 calls of each query one at a time after a warm-up."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import attrs
import numpy as np
from attrs import frozen
from redis.asyncio import Redis

from adapters.embedded.embedded_redis import start_embedded_redis
from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex
from application.recommendations.vector_index_ports import ItemFilter, ItemPayload, VectorPoint

ITEMS, VIEWERS, DIMENSIONS, CENTRES = 50_000, 100_000, 64, 32
QUERIES, WARM_UP, BATCH, VERSION = 1_000, 100, 1_000, 1
TARGET_P99_MS = 2.0
GENRES = ("sf", "romance", "drama", "comedy", "horror", "documentary", "kids", "thriller")
PLATFORMS = ("netflix", "hulu", "disney", "prime")
REGIONS = ("US", "GB", "FR", "DE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def clustered(rng: np.random.Generator, rows: int, centres: np.ndarray) -> np.ndarray:
    picked = centres[rng.integers(0, len(centres), rows)]
    return (picked + rng.normal(scale=0.35, size=(rows, centres.shape[1]))).astype(np.float32)


def payload(i: int) -> ItemPayload:
    platforms = tuple(sorted({PLATFORMS[i % 4], PLATFORMS[(i // 7) % 4]}))
    regions = tuple(sorted({REGIONS[i % 3], REGIONS[(i // 5) % 4]}))
    return ItemPayload(
        kind="series" if i % 5 == 0 else "movie",
        genres=tuple(sorted({GENRES[i % 8], GENRES[(i // 8) % 8]})),
        platforms=platforms,
        regions=regions,
        offers=tuple(f"{p}:{r}" for p in platforms for r in regions),
    )


@frozen
class Timed:
    name: str
    latencies_ms: list[float]

    def row(self) -> str:
        p99 = percentile(self.latencies_ms, 99)
        verdict = "met" if p99 <= TARGET_P99_MS else "NOT met"
        return (
            f"| {self.name} | {len(self.latencies_ms):,} | {statistics.median(self.latencies_ms):.3f} | "
            f"{p99:.3f} | {max(self.latencies_ms):.3f} | {verdict} |"
        )


async def timed(name: str, call: Callable[[int], Awaitable[object]]) -> Timed:
    for k in range(WARM_UP):
        await call(QUERIES + k)
    latencies = []
    for k in range(QUERIES):
        started = time.perf_counter_ns()
        await call(k)
        latencies.append((time.perf_counter_ns() - started) / 1e6)
    return Timed(name, latencies)


async def index_suite() -> list[str]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(CENTRES, DIMENSIONS))
    item_vectors, viewer_vectors = clustered(rng, ITEMS, centres), clustered(rng, VIEWERS, centres)
    items = [uuid.UUID(int=i + 1) for i in range(ITEMS)]
    viewers = [uuid.UUID(int=(1 << 64) + i + 1) for i in range(VIEWERS)]
    root = Path(tempfile.mkdtemp(prefix="mg-bench-recs-index-"))
    redis = Redis.from_url(start_embedded_redis(root))
    index = QdrantEdgeVectorIndex(root / "qdrant", redis)
    try:
        started = time.perf_counter()
        await index.prepare(VERSION, DIMENSIONS)
        for s in range(0, ITEMS, BATCH):
            await index.write_items(
                VERSION, [VectorPoint(items[i], item_vectors[i].tolist(), payload(i)) for i in range(s, s + BATCH)]
            )
        written_items = time.perf_counter()
        for s in range(0, VIEWERS, BATCH):
            await index.write_viewers(
                VERSION, [VectorPoint(viewers[i], viewer_vectors[i].tolist()) for i in range(s, s + BATCH)]
            )
        written = time.perf_counter()
        await index.seal(VERSION)
        sealed = time.perf_counter()
        await index.rank_items(VERSION, viewer_vectors[0].tolist(), ItemFilter(), 1)
        opened = time.perf_counter()

        def where(k: int) -> ItemFilter:
            # a viewer's row: movies on one platform in one region, their 20 most recent watches left out
            return ItemFilter(
                kind="movie",
                platform=PLATFORMS[k % 4],
                region=REGIONS[k % 4],
                exclude=frozenset(items[(k * 37 + j) % ITEMS] for j in range(20)),
            )

        results = [
            await timed(
                "rank_items: movie + platform + region, 20 excluded, top 20",
                lambda k: index.rank_items(VERSION, viewer_vectors[k].tolist(), where(k), 20),
            ),
            await timed(
                "rank_items: movie + platform + region only, top 20",
                lambda k: index.rank_items(
                    VERSION, viewer_vectors[k].tolist(), attrs.evolve(where(k), exclude=frozenset()), 20
                ),
            ),
            await timed(
                "rank_items: 20 excluded only, top 20",
                lambda k: index.rank_items(
                    VERSION, viewer_vectors[k].tolist(), ItemFilter(exclude=where(k).exclude), 20
                ),
            ),
            await timed(
                "rank_items: unfiltered, top 20",
                lambda k: index.rank_items(VERSION, viewer_vectors[k].tolist(), ItemFilter(), 20),
            ),
            await timed(
                "similar_items: same filter, top 10",
                lambda k: index.similar_items(VERSION, items[(k * 13) % ITEMS], where(k), 10),
            ),
            await timed(
                "similar_viewers: top 10 (viewers unindexed: exact search)",
                lambda k: index.similar_viewers(VERSION, viewers[(k * 17) % VIEWERS], 10),
            ),
            await timed(
                "closest_among: the reasons of 25 picks among 50 watched, 2 each",
                lambda k: index.closest_among(
                    VERSION,
                    [items[(k * 41 + j) % ITEMS] for j in range(25)],
                    [items[(k * 43 + 7 * j) % ITEMS] for j in range(50)],
                    2,
                ),
            ),
            await timed(
                "viewer_vector (read by id, after the Redis update log)",
                lambda k: index.viewer_vector(VERSION, viewers[(k * 19) % VIEWERS]),
            ),
        ]
        await index.drop(VERSION)
    finally:
        await index.close()
        await redis.aclose()
        shutil.rmtree(root / "qdrant", ignore_errors=True)
    return [
        f"Index query alone, embedded engine (`QdrantEdgeVectorIndex`): {ITEMS:,} items and {VIEWERS:,} viewers x "
        f"{DIMENSIONS} dims ({CENTRES} clusters), items with payloads; {QUERIES:,} calls each, one at a time, "
        f"after {WARM_UP} warm-up calls. Target p99 <= {TARGET_P99_MS:g} ms.",
        "",
        "| query (1 at a time) | calls | p50 ms | p99 ms | max ms | p99 target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *[r.row() for r in results],
        "",
        f"- Building the version: write {ITEMS:,} items {written_items - started:.1f} s, {VIEWERS:,} viewers "
        f"{written - written_items:.1f} s (batches of {BATCH:,}); seal (the items' HNSW build) "
        f"{sealed - written:.1f} s; first read (copy the sealed version into this process's replica, open it) "
        f"{opened - sealed:.2f} s.",
        "- Reading it: a payload filter, not the exclusions, is what costs (compare the filtered rows with "
        '"20 excluded only"). Its ~15% of the items fall under HNSW\'s `full_scan_threshold`, so the engine '
        "scores the payload index's matches exactly (recall 1.0); the probe section shows the trade: walking "
        "the graph instead (a lower threshold) needs the payload subgraphs, which took the optimise from 2.5-6 s "
        "to 16-50 s across runs, for recall ~0.96 and a p99 between 0.4 and 4 ms (it moved most with the "
        "machine's load). `similar_viewers` is an exact search over the 100,000 viewers by design "
        "(viewers are not HNSW-indexed, to keep the seal short; an admin's support call). `closest_among` is "
        'the reasons ("because") of one `GET /api/v1/recommendations`: one read of the picks\' and the '
        "watched titles' vectors and one matrix product.",
    ]
