"""Popularity from the in-memory archive and catalog, as the PostgreSQL query reads the tables:
per item (an episode counts for its series), how many viewers finished it in the last ``days``."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from uuid import UUID

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.recommendations.in_memory_item_catalog import InMemoryItemCatalog
from adapters.recommendations.in_memory_vector_index import matches
from application.recommendations.vector_index_ports import ItemFilter, Scored
from application.shared.ports import Clock


class InMemoryPopularTitles:
    def __init__(self, archive: InMemoryProgressArchive, catalog: InMemoryCatalog, clock: Clock, days: int) -> None:
        self._archive = archive
        self._catalog = catalog
        self._items = InMemoryItemCatalog(catalog, clock)
        self._clock = clock
        self._days = days

    async def _finished_by(self) -> dict[UUID, set[UUID]]:
        since = self._clock.now() - timedelta(days=self._days)
        viewers: dict[UUID, set[UUID]] = defaultdict(set)
        for progress in self._archive.state.progress.values():
            title = await self._catalog.get(progress.content_id)
            if title is not None and progress.completed and progress.updated_at >= since:
                viewers[title.series_id or title.id].add(progress.user_id)
        return viewers

    async def popular(self, where: ItemFilter, limit: int) -> list[Scored]:
        finished = await self._finished_by()
        payloads = await self._items.payloads(list(finished))
        scored = [
            Scored(item_id, float(len(viewers)))
            for item_id, viewers in finished.items()
            if item_id not in where.exclude and item_id in payloads and matches(payloads[item_id], where)
        ]
        return sorted(scored, key=lambda s: (-s.score, s.id))[:limit]

    async def popular_like(self, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored]:
        title = await self._catalog.get(item_id)
        genres = title.genres if title is not None else ()
        return await self.popular(attrs.evolve(where, genres_any=genres, exclude=where.exclude | {item_id}), limit)
