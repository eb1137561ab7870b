"""Items as the in-memory catalog holds them: the fake world's ItemCatalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.recommendations.item_payloads import payload_of
from application.recommendations.vector_index_ports import ItemPayload
from application.shared.ports import Clock
from domain.catalog.content import Content


class InMemoryItemCatalog:
    def __init__(self, catalog: InMemoryCatalog, clock: Clock) -> None:
        self._catalog = catalog
        self._clock = clock

    async def contents(self, item_ids: Sequence[UUID]) -> Mapping[UUID, Content]:
        now = self._clock.now()
        found: dict[UUID, Content] = {}
        for item_id in dict.fromkeys(item_ids):
            item = await self._catalog.get(item_id)
            if item is not None and not item.withdrawn:
                found[item_id] = item.offered_at(now)
        return found

    async def payloads(self, item_ids: Sequence[UUID]) -> Mapping[UUID, ItemPayload]:
        return {item_id: payload_of(item) for item_id, item in (await self.contents(item_ids)).items()}
