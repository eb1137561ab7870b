"""The vector index on a Qdrant server (MG_QDRANT_URL), through qdrant-client's async client.

Collections ``mg_items_v<N>`` and ``mg_viewers_v<N>``, each point with a ``dot`` and a ``cos``
named vector; a version is sealed when its items collection's metadata carries ``mg_sealed``.
Every call goes through the ``qdrant`` breaker: inside the call, a missing collection is an
answer (None); a transport error, timeout or 5xx is raised as it comes (counted); outside, those
and a refused call become VectorIndexUnavailable (raised inside, it would be an answer, and a
server that stays down would never trip the breaker)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from adapters.recommendations.qdrant_payloads import COS, DOT, INDEXED_FIELDS, must_match, payload_of
from application.recommendations.vector_index_ports import ItemFilter, Scored, VectorIndexUnavailable, VectorPoint
from application.shared.circuit_breaker_ports import CircuitBreaker
from domain.shared.errors import DomainError

T = TypeVar("T")
log = logging.getLogger(__name__)

BREAKER = "qdrant"
SEALED = "mg_sealed"
SEAL_CHECK_SECONDS = 1.0


class _Missing(Exception):
    """Inside a call: the collection does not exist (an answer, caught before the breaker)."""


def items_collection(version: int) -> str:
    return f"mg_items_v{version}"


def viewers_collection(version: int) -> str:
    return f"mg_viewers_v{version}"


def _missing(error: Exception) -> bool:
    if isinstance(error, UnexpectedResponse):
        return error.status_code == 404
    return isinstance(error, ValueError) and "not found" in str(error)  # local mode


def _filter(where: ItemFilter, leave_out: set[UUID] | frozenset[UUID] = frozenset()) -> models.Filter | None:
    must: list[Any] = [
        models.FieldCondition(
            key=key,
            match=models.MatchAny(any=list(value)) if isinstance(value, tuple) else models.MatchValue(value=value),
        )
        for key, value in must_match(where)
    ]
    excluded = [str(i) for i in set(where.exclude) | set(leave_out)]
    must_not: list[Any] = [models.HasIdCondition(has_id=excluded)] if excluded else []
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)


def _structs(points: Sequence[VectorPoint], with_payload: bool) -> list[models.PointStruct]:
    return [
        models.PointStruct(
            id=str(p.id),
            vector={DOT: [float(x) for x in p.vector], COS: [float(x) for x in p.vector]},
            payload=payload_of(p.payload) if with_payload else None,
        )
        for p in points
    ]


def _scored(points: Sequence[models.ScoredPoint]) -> list[Scored]:
    return [Scored(UUID(str(p.id)), float(p.score)) for p in points]


class QdrantServerVectorIndex:
    def __init__(self, client: AsyncQdrantClient, breakers: CircuitBreaker, timeout_seconds: float = 2.0) -> None:
        self._client = client
        self._breakers = breakers
        self._timeout = timeout_seconds
        self._sealed_seen: dict[int, float] = {}  # version → when this process last saw it sealed

    async def _call(self, what: str, operation: Callable[[], Awaitable[T]]) -> T | None:
        """``operation()`` through the breaker; None when a collection it needs does not exist."""

        async def bounded() -> T | None:
            try:
                async with asyncio.timeout(self._timeout):
                    return await operation()
            except Exception as error:
                if _missing(error):
                    return None
                raise

        try:
            return await self._breakers.call(BREAKER, bounded)
        except DomainError:  # CircuitOpen: the breaker refused without calling
            log.info("qdrant breaker refused %s", what)
            raise VectorIndexUnavailable("the Qdrant breaker is open") from None
        except Exception as error:  # transport errors, timeouts, 5xx: counted, never a 500
            log.warning("qdrant failed (%s): %s", what, type(error).__name__)
            raise VectorIndexUnavailable(f"Qdrant failed ({what})") from None

    async def _is_sealed(self, version: int) -> bool:
        seen = self._sealed_seen.get(version)
        if seen is not None and time.monotonic() - seen < SEAL_CHECK_SECONDS:
            return True

        async def read() -> bool:
            info = await self._client.get_collection(items_collection(version))
            return bool((info.config.metadata or {}).get(SEALED))

        sealed = await self._call("read seal", read)
        if sealed:
            self._sealed_seen[version] = time.monotonic()
        else:
            self._sealed_seen.pop(version, None)
        return bool(sealed)

    async def _forget_if_gone(self, version: int, answer: T | None) -> T | None:
        if answer is None:  # dropped meanwhile
            self._sealed_seen.pop(version, None)
        return answer

    # -- writing ---------------------------------------------------------------------------------

    async def prepare(self, version: int, dimensions: int) -> None:
        async def make() -> None:
            for name in (items_collection(version), viewers_collection(version)):
                await self._client.delete_collection(name)
                await self._client.create_collection(
                    name,
                    vectors_config={
                        DOT: models.VectorParams(size=dimensions, distance=models.Distance.DOT),
                        COS: models.VectorParams(size=dimensions, distance=models.Distance.COSINE),
                    },
                )
            for field_name in INDEXED_FIELDS:
                await self._client.create_payload_index(
                    items_collection(version), field_name, models.PayloadSchemaType.KEYWORD, wait=True
                )

        self._sealed_seen.pop(version, None)
        await self._call("prepare", make)

    async def write_items(self, version: int, points: Sequence[VectorPoint]) -> None:
        await self._write(items_collection(version), _structs(points, True))

    async def write_viewers(self, version: int, points: Sequence[VectorPoint]) -> None:
        await self._write(viewers_collection(version), _structs(points, False))

    async def _write(self, collection: str, points: list[models.PointStruct]) -> None:
        async def upsert() -> bool:
            await self._client.upsert(collection, points, wait=True)
            return True

        if await self._call("write", upsert) is None:
            raise RuntimeError(f"{collection} is not being written")

    async def seal(self, version: int) -> None:
        async def mark() -> bool:
            await self._client.update_collection(items_collection(version), metadata={SEALED: secrets.token_hex(8)})
            return True

        if await self._call("seal", mark) is None:
            raise RuntimeError(f"version {version} is not being written")

    async def drop(self, version: int) -> None:
        async def delete() -> None:
            await self._client.delete_collection(items_collection(version))
            await self._client.delete_collection(viewers_collection(version))

        self._sealed_seen.pop(version, None)
        await self._call("drop", delete)

    async def update_viewer(self, version: int, point: VectorPoint) -> None:
        if await self._is_sealed(version):
            await self._write(viewers_collection(version), _structs([point], False))

    # -- reading ---------------------------------------------------------------------------------

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        if not await self._is_sealed(version):
            return []

        async def ask() -> list[Scored]:
            answer = await self._client.query_points(
                items_collection(version),
                query=[float(x) for x in query],
                using=DOT,
                query_filter=_filter(where),
                limit=limit,
                with_payload=False,
            )
            return _scored(answer.points)

        return await self._forget_if_gone(version, await self._call("rank items", ask)) or []

    async def _vector(self, collection: str, point_id: UUID, name: str) -> list[float] | None:
        records = await self._client.retrieve(collection, [str(point_id)], with_payload=False, with_vectors=[name])
        if not records or not isinstance(records[0].vector, dict):
            return None
        return [float(x) for x in records[0].vector[name]]  # type: ignore[union-attr]

    async def _similar(
        self, collection: str, point_id: UUID, query_filter: models.Filter | None, limit: int
    ) -> list[Scored] | None:
        vector = await self._vector(collection, point_id, COS)
        if vector is None:
            return None
        answer = await self._client.query_points(
            collection, query=vector, using=COS, query_filter=query_filter, limit=limit, with_payload=False
        )
        return _scored(answer.points)

    async def similar_items(self, version: int, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored] | None:
        if not await self._is_sealed(version):
            return None
        collection = items_collection(version)
        return await self._forget_if_gone(
            version,
            await self._call(
                "similar items", lambda: self._similar(collection, item_id, _filter(where, {item_id}), limit)
            ),
        )

    async def similar_viewers(self, version: int, user_id: UUID, limit: int) -> list[Scored] | None:
        if not await self._is_sealed(version):
            return None
        collection = viewers_collection(version)
        leave_out = models.Filter(must_not=[models.HasIdCondition(has_id=[str(user_id)])])
        return await self._forget_if_gone(
            version, await self._call("similar viewers", lambda: self._similar(collection, user_id, leave_out, limit))
        )

    async def viewer_vector(self, version: int, user_id: UUID) -> Sequence[float] | None:
        if not await self._is_sealed(version):
            return None
        collection = viewers_collection(version)
        return await self._call("viewer vector", lambda: self._vector(collection, user_id, DOT))

    async def closest_among(
        self, version: int, items: Sequence[UUID], among: Sequence[UUID], per_item: int
    ) -> Mapping[UUID, list[Scored]]:
        if not items or not among or not await self._is_sealed(version):
            return {}
        collection = items_collection(version)
        candidates = [str(i) for i in dict.fromkeys(among)]

        async def ask() -> dict[UUID, list[Scored]]:
            records = await self._client.retrieve(
                collection, [str(i) for i in dict.fromkeys(items)], with_payload=False, with_vectors=[COS]
            )
            vectors = {UUID(str(r.id)): r.vector[COS] for r in records if isinstance(r.vector, dict)}
            known = [i for i in dict.fromkeys(items) if i in vectors]
            if not known:
                return {}
            requests = [
                models.QueryRequest(
                    query=vectors[item_id],  # type: ignore[arg-type]
                    using=COS,
                    filter=models.Filter(
                        must=[models.HasIdCondition(has_id=candidates)],
                        must_not=[models.HasIdCondition(has_id=[str(item_id)])],
                    ),
                    limit=per_item,
                )
                for item_id in known
            ]
            answers = await self._client.query_batch_points(collection, requests)
            return {item_id: _scored(a.points) for item_id, a in zip(known, answers, strict=True)}

        return await self._forget_if_gone(version, await self._call("closest among", ask)) or {}

    async def count(self, version: int) -> tuple[int, int]:
        async def ask() -> tuple[int, int]:
            items = await self._client.count(items_collection(version), exact=True)
            viewers = await self._client.count(viewers_collection(version), exact=True)
            return items.count, viewers.count

        return await self._call("count", ask) or (0, 0)

    async def close(self) -> None:
        await self._client.close()
