"""The ports keeping a search index in step with the catalog: the catalog's change feed, the index
the worker writes (and builds afresh beside the live one), and how far behind it is.

The feed is ordered: each title appears once, at the place of its latest change (a title changed
again moves to the end). A mark is a place in it; an index at mark M holds every change up to M."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.catalog.content import Content


@frozen(order=True)
class FeedMark:
    number: int  # PostgreSQL: the id of the transaction that made the change
    content_id: UUID


START = FeedMark(0, UUID(int=0))


class SearchIndexMissing(RuntimeError):
    """There is no live index to bring up to date: it has to be rebuilt first."""


@frozen
class FeedChanges:
    items: tuple[Content, ...]  # each title as it is now, withdrawn ones included (they leave the index)
    last: FeedMark  # the mark after these items (the given mark when there are none)


@frozen
class FeedLag:
    changes: int  # titles changed after the mark
    oldest_changed_at: datetime | None  # when the oldest of them changed


class CatalogChangeFeed(Protocol):
    async def changes_after(self, mark: FeedMark, limit: int) -> FeedChanges:
        """Up to ``limit`` titles changed after ``mark``, in feed order; only changes that can no
        longer be preceded by one still being written."""

    async def titles(self) -> int:
        """How many titles the catalog holds (a rebuild's size)."""

    async def lag(self, mark: FeedMark) -> FeedLag: ...

    async def issued(self, mark: FeedMark) -> bool:
        """Whether this feed could have issued ``mark``; False: the index was built from another
        catalog, or from this one before it was restored or reset."""


class SearchIndexBuild(Protocol):
    """A new index filled beside the live one; nobody reads it before ``publish``."""

    async def add(self, items: Sequence[Content]) -> None:
        """Index the titles (a withdrawn one is left out)."""

    async def publish(self, mark: FeedMark) -> None:
        """Make this index the live one, at ``mark``."""

    async def discard(self) -> None: ...


class SearchIndexMarks(Protocol):
    async def mark(self) -> FeedMark | None:
        """The live index's mark; None when there is no live index or it cannot be read."""


class SearchIndex(SearchIndexMarks, Protocol):
    """The writer's side: one process writes (the worker), any number read."""

    async def apply(self, items: Sequence[Content], mark: FeedMark) -> None:
        """Index or replace the titles (withdrawn ones leave the index) and move the mark, together."""

    async def new_build(self) -> SearchIndexBuild: ...


class RebuildProgress(Protocol):
    """How a rebuild reports its progress: the CLI draws a bar, the worker logs."""

    def started(self, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class SilentRebuildProgress:
    def started(self, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass
