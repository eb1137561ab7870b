"""The vector index in a dict, exact and brute force: the reference the contract suite holds the
Qdrant adapters to, and the fake world's index."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from uuid import UUID

from application.recommendations.vector_index_ports import ItemFilter, ItemPayload, Scored, VectorPoint


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def _unit(vector: Sequence[float]) -> tuple[float, ...]:
    norm = math.sqrt(_dot(vector, vector))
    return tuple(float(x) / norm for x in vector) if norm > 0 else tuple(0.0 for _ in vector)


def matches(payload: ItemPayload | None, where: ItemFilter) -> bool:
    if payload is None:
        return False
    if where.kind is not None and payload.kind != where.kind:
        return False
    if where.platform is not None and where.region is not None:
        offered = f"{where.platform}:{where.region}" in payload.offers
    else:
        offered = (where.platform is None or where.platform in payload.platforms) and (
            where.region is None or where.region in payload.regions
        )
    return offered and (not where.genres_any or bool(set(where.genres_any) & set(payload.genres)))


class _Version:
    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.items: dict[UUID, VectorPoint] = {}
        self.viewers: dict[UUID, VectorPoint] = {}
        self.sealed = False


class InMemoryVectorIndex:
    def __init__(self) -> None:
        self._versions: dict[int, _Version] = {}

    def _writable(self, version: int) -> _Version:
        found = self._versions.get(version)
        if found is None or found.sealed:
            raise RuntimeError(f"version {version} is not being written")
        return found

    def _readable(self, version: int) -> _Version | None:
        found = self._versions.get(version)
        return found if found is not None and found.sealed else None

    async def prepare(self, version: int, dimensions: int) -> None:
        self._versions[version] = _Version(dimensions)

    async def write_items(self, version: int, points: Sequence[VectorPoint]) -> None:
        target = self._writable(version)
        for point in points:
            target.items[point.id] = VectorPoint(point.id, tuple(float(x) for x in point.vector), point.payload)

    async def write_viewers(self, version: int, points: Sequence[VectorPoint]) -> None:
        target = self._writable(version)
        for point in points:
            target.viewers[point.id] = VectorPoint(point.id, tuple(float(x) for x in point.vector))

    async def seal(self, version: int) -> None:
        self._writable(version).sealed = True

    async def drop(self, version: int) -> None:
        self._versions.pop(version, None)

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        found = self._readable(version)
        if found is None:
            return []
        scored = [
            Scored(p.id, _dot(query, p.vector))
            for p in found.items.values()
            if p.id not in where.exclude and matches(p.payload, where)
        ]
        return sorted(scored, key=lambda s: -s.score)[:limit]

    async def similar_items(self, version: int, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored] | None:
        found = self._readable(version)
        if found is None or item_id not in found.items:
            return None
        target = _unit(found.items[item_id].vector)
        scored = [
            Scored(p.id, _dot(target, _unit(p.vector)))
            for p in found.items.values()
            if p.id != item_id and p.id not in where.exclude and matches(p.payload, where)
        ]
        return sorted(scored, key=lambda s: -s.score)[:limit]

    async def similar_viewers(self, version: int, user_id: UUID, limit: int) -> list[Scored] | None:
        found = self._readable(version)
        if found is None or user_id not in found.viewers:
            return None
        target = _unit(found.viewers[user_id].vector)
        scored = [Scored(p.id, _dot(target, _unit(p.vector))) for p in found.viewers.values() if p.id != user_id]
        return sorted(scored, key=lambda s: -s.score)[:limit]

    async def viewer_vector(self, version: int, user_id: UUID) -> Sequence[float] | None:
        found = self._readable(version)
        point = found.viewers.get(user_id) if found is not None else None
        return point.vector if point is not None else None

    async def update_viewer(self, version: int, point: VectorPoint) -> None:
        found = self._readable(version)
        if found is not None:
            found.viewers[point.id] = VectorPoint(point.id, tuple(float(x) for x in point.vector))

    async def closest_among(
        self, version: int, items: Sequence[UUID], among: Sequence[UUID], per_item: int
    ) -> Mapping[UUID, list[Scored]]:
        found = self._readable(version)
        if found is None:
            return {}
        known = [found.items[i] for i in dict.fromkeys(among) if i in found.items]
        answer: dict[UUID, list[Scored]] = {}
        for item_id in items:
            if item_id not in found.items:
                continue
            target = _unit(found.items[item_id].vector)
            scored = [Scored(p.id, _dot(target, _unit(p.vector))) for p in known if p.id != item_id]
            answer[item_id] = sorted(scored, key=lambda s: -s.score)[:per_item]
        return answer

    async def count(self, version: int) -> tuple[int, int]:
        found = self._versions.get(version)
        return (len(found.items), len(found.viewers)) if found is not None else (0, 0)

    async def close(self) -> None:
        """Nothing to close: the dict goes with the process."""
