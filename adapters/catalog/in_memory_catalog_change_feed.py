"""The change feed's twin over the in-memory catalog: each title at its latest change number."""

from __future__ import annotations

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from application.catalog.search_index_ports import FeedChanges, FeedLag, FeedMark


class InMemoryCatalogChangeFeed:
    def __init__(self, catalog: InMemoryCatalog) -> None:
        self._catalog = catalog

    def _after(self, mark: FeedMark) -> list[FeedMark]:
        marks = (FeedMark(number, content_id) for content_id, (number, _) in self._catalog.changes.items())
        return sorted(m for m in marks if m > mark)

    async def changes_after(self, mark: FeedMark, limit: int) -> FeedChanges:
        marks = self._after(mark)[:limit]
        items = [await self._catalog.get(m.content_id) for m in marks]
        return FeedChanges(tuple(item for item in items if item is not None), marks[-1] if marks else mark)

    async def titles(self) -> int:
        return await self._catalog.count()

    async def lag(self, mark: FeedMark) -> FeedLag:
        after = self._after(mark)
        oldest = min((self._catalog.changes[m.content_id][1] for m in after), default=None)
        return FeedLag(len(after), oldest)

    async def issued(self, mark: FeedMark) -> bool:
        return mark.number <= self._catalog.last_change
