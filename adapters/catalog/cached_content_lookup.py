from __future__ import annotations

import time
from uuid import UUID

from application.catalog.ports import ContentLookup
from domain.catalog.content import Content


class CachedContentLookup:
    """Titles by id for the hot paths (every progress update looks one up), kept in this process
    for ``ttl_seconds``. The catalog changes by imports and platforms' changes, which every process
    sees within that time (playback reads a title's details, which may lag that long).
    Unknown ids are not remembered, so a new title is found at once."""

    def __init__(self, contents: ContentLookup, *, ttl_seconds: float = 60.0, max_items: int = 50_000) -> None:
        self._contents = contents
        self._ttl = ttl_seconds
        self._max_items = max_items
        self._items: dict[UUID, tuple[float, Content]] = {}

    async def get(self, content_id: UUID) -> Content | None:
        now = time.monotonic()
        cached = self._items.get(content_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        item = await self._contents.get(content_id)
        if item is not None:
            if len(self._items) >= self._max_items:
                self._items.clear()
            self._items[content_id] = (now + self._ttl, item)
        return item
