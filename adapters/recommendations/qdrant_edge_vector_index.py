"""The vector index in Qdrant's own engine, in-process (qdrant-edge-py): the embedded default.

An EdgeShard directory may be open in one process only (a second ``load`` fails on the WAL lock,
and the first then damages its files), while serve, the worker and ``media-gateway train`` run
side by side. So (qdrant-index-layout.md): one process writes a version under ``.writing/`` and
``seal`` publishes it with one rename; every reading process copies a sealed version into a
private replica and opens that; ``update_viewer`` on a sealed version appends to the version's
log in Redis, which each process applies to its replica before it reads viewer vectors.

Queries run inline (well under a millisecond, measured); writing, copying and opening run in a
thread so the event loop never waits on the disk."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeShard,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    HasIdCondition,
    MatchAny,
    MatchValue,
    PayloadSchemaType,
    Point,
    Query,
    QueryRequest,
    UpdateOperation,
)
from redis.asyncio import Redis

from adapters.recommendations.qdrant_edge_layout import EdgeLayout, ReplicaHome
from adapters.recommendations.qdrant_payloads import (
    COS,
    DOT,
    INDEXED_FIELDS,
    float32_bytes,
    from_float32_bytes,
    must_match,
    payload_of,
)
from application.recommendations.vector_index_ports import ItemFilter, Scored, VectorPoint

SEAL_CHECK_SECONDS = 1.0  # how often a replica asks whether its version was dropped or replaced
LOG_BATCH = 1000


def viewer_log_key(version: int) -> str:
    return f"mg:rec:v{version}:viewers"


def _config(dimensions: int) -> EdgeConfig:
    return EdgeConfig(
        vectors={
            DOT: EdgeVectorParams(size=dimensions, distance=Distance.Dot),
            COS: EdgeVectorParams(size=dimensions, distance=Distance.Cosine),
        },
        # one segment, not one per core: fewer files to copy into each replica (the shards are
        # written once, then optimised into indexed segments by seal)
        optimizers=EdgeOptimizersConfig(default_segment_number=1),
    )


def _filter(where: ItemFilter, leave_out: frozenset[UUID] | set[UUID] = frozenset()) -> Filter | None:
    must: list[Any] = [
        FieldCondition(key, match=MatchAny(list(value)) if isinstance(value, tuple) else MatchValue(value))
        for key, value in must_match(where)
    ]
    excluded = set(where.exclude) | set(leave_out)
    must_not: list[Any] = [HasIdCondition(set(excluded))] if excluded else []
    if not must and not must_not:
        return None
    return Filter(must=must or None, must_not=must_not or None)


def _points(points: Sequence[VectorPoint], with_payload: bool) -> list[Point]:
    return [
        Point(
            p.id,
            {DOT: [float(x) for x in p.vector], COS: [float(x) for x in p.vector]},
            payload_of(p.payload) if with_payload else None,
        )
        for p in points
    ]


def _scored(found: Sequence[Any]) -> list[Scored]:
    return [Scored(UUID(str(p.id)), float(p.score)) for p in found]


class _Writing:
    def __init__(self, path: Path, token: str, dimensions: int) -> None:
        self.path, self.token = path, token
        path.mkdir(parents=True)
        self.items = EdgeShard.create(str(path / "items"), _config(dimensions))
        self.viewers = EdgeShard.create(str(path / "viewers"), _config(dimensions))
        for name in INDEXED_FIELDS:
            self.items.update(UpdateOperation.create_field_index(name, PayloadSchemaType.Keyword))

    def close(self) -> None:
        for shard in (self.items, self.viewers):
            shard.flush()
            shard.close()


class _Replica:
    def __init__(self, path: Path, token: str) -> None:
        self.path, self.token = path, token
        self.items = EdgeShard.load(str(path / "items"))
        self.viewers = EdgeShard.load(str(path / "viewers"))
        self.applied = "0-0"  # the last log entry applied to this replica's viewers
        self.checked_at = time.monotonic()
        self.catching_up = asyncio.Lock()

    def close(self) -> None:
        self.items.close()
        self.viewers.close()


class QdrantEdgeVectorIndex:
    def __init__(self, root: Path, redis: Redis) -> None:
        self._layout = EdgeLayout(root)
        self._home = ReplicaHome(root)
        self._redis = redis
        self._writing: dict[int, _Writing] = {}
        self._replicas: dict[int, _Replica] = {}
        self._opening: dict[int, asyncio.Lock] = {}

    # -- writing (one process: the trainer) ------------------------------------------------------

    async def prepare(self, version: int, dimensions: int) -> None:
        await self._forget(version)
        await self._redis.delete(viewer_log_key(version))
        path, token = self._layout.new_writing(version), secrets.token_hex(8)
        self._writing[version] = await asyncio.to_thread(self._start_writing, version, path, token, dimensions)

    def _start_writing(self, version: int, path: Path, token: str, dimensions: int) -> _Writing:
        self._layout.remove_version(version)
        return _Writing(path, token, dimensions)

    def _writable(self, version: int) -> _Writing:
        found = self._writing.get(version)
        if found is None:
            raise RuntimeError(f"version {version} is not being written by this process")
        return found

    async def write_items(self, version: int, points: Sequence[VectorPoint]) -> None:
        shard = self._writable(version).items
        await asyncio.to_thread(shard.update, UpdateOperation.upsert_points(_points(points, True)))

    async def write_viewers(self, version: int, points: Sequence[VectorPoint]) -> None:
        shard = self._writable(version).viewers
        await asyncio.to_thread(shard.update, UpdateOperation.upsert_points(_points(points, False)))

    async def seal(self, version: int) -> None:
        writing = self._writable(version)
        await asyncio.to_thread(self._seal, writing, version)
        del self._writing[version]

    def _seal(self, writing: _Writing, version: int) -> None:
        # Build the items' HNSW index once, here, rather than in every reader. The viewers stay a
        # plain segment: read by id, and searched only by the admins' similar-users (brute force,
        # measured fine), while indexing 100,000 of them would cost a retrain a minute.
        writing.items.optimize()
        writing.close()
        self._layout.publish(writing.path, writing.token, version)

    async def drop(self, version: int) -> None:
        await self._forget(version)
        await asyncio.to_thread(self._layout.remove_version, version)
        await self._redis.delete(viewer_log_key(version))

    async def _forget(self, version: int) -> None:
        """Close what this process holds of the version: a try at writing it, its replica."""
        writing = self._writing.pop(version, None)
        if writing is not None:
            await asyncio.to_thread(writing.close)
        replica = self._replicas.pop(version, None)
        if replica is not None:
            await asyncio.to_thread(self._discard, replica)

    @staticmethod
    def _discard(replica: _Replica) -> None:
        replica.close()
        shutil.rmtree(replica.path, ignore_errors=True)

    # -- reading (every process, from its replica) -----------------------------------------------

    async def _readable(self, version: int) -> _Replica | None:
        replica = self._replicas.get(version)
        if replica is not None:
            if time.monotonic() - replica.checked_at < SEAL_CHECK_SECONDS:
                return replica
            if self._layout.seal_token(version) == replica.token:
                replica.checked_at = time.monotonic()
                return replica
            await self._forget(version)  # dropped, or sealed again from a new training
        lock = self._opening.setdefault(version, asyncio.Lock())
        async with lock:
            if version not in self._replicas:
                opened = await asyncio.to_thread(self._open_replica, version)
                if opened is None:
                    return None
                self._replicas[version] = opened
            return self._replicas[version]

    def _open_replica(self, version: int) -> _Replica | None:
        token = self._layout.seal_token(version)
        if token is None:
            return None  # unsealed versions are invisible
        copy = self._home.copy(self._layout.sealed(version), version)
        if copy is None:
            return None
        replica = _Replica(copy, token)
        if self._layout.seal_token(version) != token:  # replaced while we copied
            self._discard(replica)
            return None
        return replica

    async def _with_viewers(self, version: int) -> _Replica | None:
        """The replica, with every update_viewer of any process applied."""
        replica = await self._readable(version)
        if replica is None:
            return None
        async with replica.catching_up:
            key = viewer_log_key(version)
            while True:
                answer = await self._redis.xread({key: replica.applied}, count=LOG_BATCH)
                entries = answer[0][1] if answer else []
                if entries:
                    points = [
                        VectorPoint(UUID(fields[b"id"].decode()), from_float32_bytes(fields[b"v"]))
                        for _, fields in entries
                    ]
                    replica.viewers.update(UpdateOperation.upsert_points(_points(points, False)))
                    replica.applied = entries[-1][0].decode()
                if len(entries) < LOG_BATCH:
                    return replica

    async def update_viewer(self, version: int, point: VectorPoint) -> None:
        if self._layout.seal_token(version) is None:
            return  # like writing to a version nobody may read: nothing to update
        await self._redis.xadd(viewer_log_key(version), {"id": str(point.id), "v": float32_bytes(point.vector)})

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        replica = await self._readable(version)
        if replica is None:
            return []
        request = QueryRequest(
            limit=limit, query=Query.Nearest([float(x) for x in query], using=DOT), filter=_filter(where)
        )
        return _scored(replica.items.query(request))

    async def similar_items(self, version: int, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored] | None:
        replica = await self._readable(version)
        if replica is None:
            return None
        vector = _vector(replica.items, item_id, COS)
        if vector is None:
            return None
        request = QueryRequest(limit=limit, query=Query.Nearest(vector, using=COS), filter=_filter(where, {item_id}))
        return _scored(replica.items.query(request))

    async def similar_viewers(self, version: int, user_id: UUID, limit: int) -> list[Scored] | None:
        replica = await self._with_viewers(version)
        if replica is None:
            return None
        vector = _vector(replica.viewers, user_id, COS)
        if vector is None:
            return None
        request = QueryRequest(
            limit=limit, query=Query.Nearest(vector, using=COS), filter=Filter(must_not=[HasIdCondition({user_id})])
        )
        return _scored(replica.viewers.query(request))

    async def viewer_vector(self, version: int, user_id: UUID) -> Sequence[float] | None:
        replica = await self._with_viewers(version)
        return _vector(replica.viewers, user_id, DOT) if replica is not None else None

    async def closest_among(
        self, version: int, items: Sequence[UUID], among: Sequence[UUID], per_item: int
    ) -> Mapping[UUID, list[Scored]]:
        replica = await self._readable(version)
        if replica is None or not items or not among:
            return {}
        # One read of both sides' cosine vectors (stored normalised), then one matrix product: a
        # nearest-neighbour query per pick cost ~2 ms for a page of 25 against 50 watched titles.
        wanted = list(dict.fromkeys([*items, *among]))
        records = replica.items.retrieve(wanted, with_payload=False, with_vector=[COS])
        vectors = {UUID(str(r.id)): r.vector[COS] for r in records if isinstance(r.vector, dict)}
        known = [i for i in dict.fromkeys(items) if i in vectors]
        candidates = [i for i in dict.fromkeys(among) if i in vectors]
        if not known or not candidates:
            return {}
        similarity = (
            np.asarray([vectors[i] for i in known], dtype=np.float32)
            @ np.asarray([vectors[c] for c in candidates], dtype=np.float32).T
        )
        answer: dict[UUID, list[Scored]] = {}
        for row, item_id in zip(similarity, known, strict=True):
            order = sorted(
                (n for n, candidate in enumerate(candidates) if candidate != item_id), key=lambda n: -float(row[n])
            )[:per_item]
            answer[item_id] = [Scored(candidates[n], float(row[n])) for n in order]
        return answer

    async def count(self, version: int) -> tuple[int, int]:
        writing = self._writing.get(version)
        if writing is not None:
            return writing.items.count(CountRequest()), writing.viewers.count(CountRequest())
        replica = await self._with_viewers(version)
        if replica is None:
            return 0, 0
        return replica.items.count(CountRequest()), replica.viewers.count(CountRequest())

    async def close(self) -> None:
        """Shutdown: close every shard and remove this process's replicas."""
        for version in list(self._writing) + list(self._replicas):
            await self._forget(version)
        await asyncio.to_thread(self._home.close)


def _vector(shard: EdgeShard, point_id: UUID, name: str) -> list[float] | None:
    records = shard.retrieve([point_id], with_payload=False, with_vector=[name])
    if not records or not isinstance(records[0].vector, dict):
        return None
    return [float(x) for x in records[0].vector[name]]
