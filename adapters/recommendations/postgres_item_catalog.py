"""Items as the catalog's tables hold them, many ids in two queries (titles, then availability)."""

from __future__ import annotations

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
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def contents(self, item_ids: Sequence[UUID]) -> Mapping[UUID, Content]:
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            return {}
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(*_COLUMNS).where(content.c.id.in_(ids), content.c.withdrawn_at.is_(None))
            )
            rows = {row["id"]: row for row in result.mappings()}
            availability = await load_availability(conn, list(rows))
        now = self._clock.now()
        return {i: content_from_row(rows[i], availability[i]).offered_at(now) for i in ids if i in rows}

    async def payloads(self, item_ids: Sequence[UUID]) -> Mapping[UUID, ItemPayload]:
        return {item_id: payload_of(item) for item_id, item in (await self.contents(item_ids)).items()}
