"""The search index's twin: the titles it holds and its mark; a build fills a dict of its own."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.catalog.search_index_ports import FeedMark
from domain.catalog.content import Content


class InMemorySearchIndexBuild:
    def __init__(self, index: InMemorySearchIndex) -> None:
        self._index = index
        self._items: dict[UUID, Content] = {}
        self.discarded = False

    async def add(self, items: Sequence[Content]) -> None:
        self._items.update((item.id, item) for item in items if not item.withdrawn)

    async def publish(self, mark: FeedMark) -> None:
        self._index.items, self._index.published = self._items, mark

    async def discard(self) -> None:
        self.discarded = True


class InMemorySearchIndex:
    def __init__(self) -> None:
        self.items: dict[UUID, Content] = {}
        self.published: FeedMark | None = None  # None: never built (or lost)
        self.builds: list[InMemorySearchIndexBuild] = []

    async def mark(self) -> FeedMark | None:
        return self.published

    async def apply(self, items: Sequence[Content], mark: FeedMark) -> None:
        if self.published is None:
            raise LookupError("no search index to apply changes to")
        for item in items:
            self.items.pop(item.id, None)
            if not item.withdrawn:
                self.items[item.id] = item
        self.published = mark

    async def new_build(self) -> InMemorySearchIndexBuild:
        self.builds.append(build := InMemorySearchIndexBuild(self))
        return build

    async def close(self) -> None:
        pass
