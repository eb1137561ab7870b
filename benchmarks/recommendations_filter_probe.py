"""``python -m benchmarks.recommendations --part probe``: why a filtered rank_items costs what it does.

A probe of the engine, not of our code: one qdrant-edge shard like the adapter's items (same payloads and
keyword indexes, one segment, the ``dot`` vector only), 50,000 clustered items, optimised with the
HNSW config varied; 1,000 filtered queries (movie + one ``platform:region`` offer, ~15% of the
items) each, and recall@20 against an exact search of the same filter. With the default config
the planner scans the payload index's matches exactly (they are under ``full_scan_threshold``);
a lower threshold makes it walk the HNSW graph, which needs the per-value payload subgraphs
(``payload_m``) built at optimise time."""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid

import numpy as np
from qdrant_edge import (
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeShard,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    HnswIndexConfig,
    MatchValue,
    PayloadSchemaType,
    Point,
    Query,
    QueryRequest,
    SearchParams,
    UpdateOperation,
)

from adapters.recommendations.qdrant_payloads import INDEXED_FIELDS, payload_of
from benchmarks.recommendations_index import CENTRES, DIMENSIONS, ITEMS, PLATFORMS, REGIONS, clustered, payload

CONFIGS: tuple[tuple[int | None, int | None], ...] = ((None, None), (1000, None), (100, None), (1000, 0))


def probe(vectors: np.ndarray, queries: np.ndarray, threshold: int | None, payload_m: int | None) -> str:
    hnsw = (
        None
        if threshold is None
        else HnswIndexConfig(m=16, ef_construct=100, full_scan_threshold=threshold, payload_m=payload_m)
    )
    config = EdgeConfig(
        vectors={"dot": EdgeVectorParams(size=DIMENSIONS, distance=Distance.Dot)},
        optimizers=EdgeOptimizersConfig(default_segment_number=1),
        hnsw_config=hnsw,
    )
    shard = EdgeShard.create(tempfile.mkdtemp(prefix="mg-probe-") + "/items", config)
    for name in INDEXED_FIELDS:
        shard.update(UpdateOperation.create_field_index(name, PayloadSchemaType.Keyword))
    ids = [uuid.UUID(int=i + 1) for i in range(ITEMS)]
    for s in range(0, ITEMS, 1000):
        points = [Point(ids[i], {"dot": vectors[i].tolist()}, payload_of(payload(i))) for i in range(s, s + 1000)]
        shard.update(UpdateOperation.upsert_points(points))
    started = time.perf_counter()
    shard.optimize()
    optimise = time.perf_counter() - started

    def request(k: int, exact: bool = False) -> QueryRequest:
        where = Filter(
            must=[
                FieldCondition("kind", match=MatchValue("movie")),
                FieldCondition("offers", match=MatchValue(f"{PLATFORMS[k % 4]}:{REGIONS[k % 4]}")),
            ]
        )
        params = SearchParams(exact=True) if exact else None
        return QueryRequest(
            limit=20, query=Query.Nearest(queries[k].tolist(), using="dot"), filter=where, params=params
        )

    truth = [{p.id for p in shard.query(request(k, exact=True))} for k in range(200)]
    for k in range(100):
        shard.query(request(k))
    times = []
    for k in range(1000):
        started = time.perf_counter_ns()
        shard.query(request(k))
        times.append((time.perf_counter_ns() - started) / 1e6)
    recall = statistics.mean(len({p.id for p in shard.query(request(k))} & truth[k]) / 20 for k in range(200))
    shard.close()
    times.sort()
    return (
        f"| {threshold if threshold is not None else 'default'} | {payload_m if payload_m is not None else 'default'} "
        f"| {optimise:.1f} | {statistics.median(times):.3f} | {times[989]:.3f} | {recall:.3f} |"
    )


def filter_probe() -> list[str]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(CENTRES, DIMENSIONS))
    vectors, queries = clustered(rng, ITEMS, centres), clustered(rng, 1000, centres)
    return [
        f"Filter probe (`benchmarks/recommendations_filter_probe.py`): one qdrant-edge shard like the adapter's items "
        f"({ITEMS:,} clustered items, the same payloads and keyword indexes, the `dot` vector only), optimised with "
        "the HNSW config varied; 1,000 queries filtered by movie + one `platform:region` offer (~15% of the items), "
        "one at a time; recall@20 against an exact search of the same filter (200 queries).",
        "",
        "| full_scan_threshold KB | payload_m | optimise s | p50 ms | p99 ms | recall@20 |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *[probe(vectors, queries, threshold, payload_m) for threshold, payload_m in CONFIGS],
    ]
