from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from application.catalog.ports import ContentRepository
from domain.catalog.content import Content

BATCH_SIZE = 500


@frozen
class ImportCatalog:
    """Load content into the catalog; re-importing the same items replaces them (idempotent)."""

    contents: ContentRepository

    async def __call__(self, items: Iterable[Content]) -> int:
        written = 0
        batch: list[Content] = []
        for item in items:
            batch.append(item)
            if len(batch) == BATCH_SIZE:
                written += await self.contents.upsert_many(batch)
                batch.clear()
        if batch:
            written += await self.contents.upsert_many(batch)
        return written
