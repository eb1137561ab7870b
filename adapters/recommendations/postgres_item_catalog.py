"""Items as the catalog's tables hold them, many ids in two queries (titles, then availability),
remembered for ``cache_seconds`` per id: a recommendation page is mostly titles other pages just
showed, and a catalog change (a webhook, a withdrawal) reaches the answers within that time.
Availability windows are still judged at each read."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from adapters.postgres.tables import content
from adapters.recommendations.item_payloads import payload_of
from application.recommendations.vector_index_ports import ItemPayload
from application.shared.ports import Clock
from domain.catalog.content import Content

_COLUMNS = [c for c in content.c if c.name not in {"search_vector", "title_key", "details_changed_at"}]


class PostgresItemCatalog:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, cache_seconds: float = 0.0, cache_size: int = 100_000
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cache_size = cache_size
        self._cached: dict[UUID, tuple[float, Content | None]] = {}  # None: unknown or withdrawn

    async def contents(self, item_ids: Sequence[UUID]) -> Mapping[UUID, Content]:
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            return {}
        moment = time.monotonic()
        found: dict[UUID, Content | None] = {}
        for item_id in ids:
            cached = self._cached.get(item_id)
            if cached is not None and moment - cached[0] < self._cache_seconds:
                found[item_id] = cached[1]
        missing = [i for i in ids if i not in found]
        if missing:
            read = await self._read(missing)
            for item_id in missing:
                found[item_id] = read.get(item_id)
            if self._cache_seconds > 0:
                if len(self._cached) + len(missing) > self._cache_size:
                    self._cached.clear()
                self._cached.update((i, (moment, found[i])) for i in missing)
        now = self._clock.now()
        return {i: item.offered_at(now) for i in ids if (item := found[i]) is not None}

    async def _read(self, ids: Sequence[UUID]) -> dict[UUID, Content]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(*_COLUMNS).where(content.c.id.in_(ids), content.c.withdrawn_at.is_(None))
            )
            rows = {row["id"]: row for row in result.mappings()}
            availability = await load_availability(conn, list(rows))
        return {i: content_from_row(row, availability[i]) for i, row in rows.items()}

    async def payloads(self, item_ids: Sequence[UUID]) -> Mapping[UUID, ItemPayload]:
        """Read afresh (training's payloads are the catalog of the moment, not of the cache)."""
        now = self._clock.now()
        read = await self._read(list(dict.fromkeys(item_ids)))
        return {item_id: payload_of(item.offered_at(now)) for item_id, item in read.items()}
