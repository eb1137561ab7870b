"""Keeping the search index in step, on the twins: resuming after a crash, withdrawals, availability
changes, rebuilds that fail, and when a rebuild is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import attrs
import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_catalog_change_feed import InMemoryCatalogChangeFeed
from adapters.catalog.in_memory_search_index import InMemorySearchIndex
from application.catalog.search_index_ports import FeedMark, SearchIndexMissing
from application.catalog.sync_search_index import NeedsRebuild, RebuildSearchIndex, SyncSearchIndex
from domain.catalog.content import Content
from tests.support.catalog_fixtures import movie, small_catalog


class CrashingIndex(InMemorySearchIndex):
    """Fails to apply its ``crash_at``-th batch, as a worker killed between batches would."""

    def __init__(self, crash_at: int) -> None:
        super().__init__()
        self.crash_at, self.batches = crash_at, 0

    async def apply(self, items: Sequence[Content], mark: FeedMark) -> None:
        self.batches += 1
        if self.batches == self.crash_at:
            raise RuntimeError("killed")
        await super().apply(items, mark)


class Progress:
    def __init__(self) -> None:
        self.total, self.done = -1, 0

    def started(self, total: int) -> None:
        self.total = total

    def advance(self, amount: int) -> None:
        self.done += amount


async def _built(catalog: InMemoryCatalog, index: InMemorySearchIndex) -> InMemoryCatalogChangeFeed:
    feed = InMemoryCatalogChangeFeed(catalog)
    await RebuildSearchIndex(feed, index)()
    return feed


async def test_a_rebuild_indexes_every_title_reporting_progress_and_a_sync_then_has_nothing_to_do() -> None:
    catalog, index, progress = InMemoryCatalog(), InMemorySearchIndex(), Progress()
    await catalog.upsert_many(small_catalog())
    feed = InMemoryCatalogChangeFeed(catalog)
    assert await RebuildSearchIndex(feed, index, batch_size=4)(progress) == len(small_catalog())
    assert progress.total == progress.done == len(small_catalog())
    assert set(index.items) == {item.id for item in small_catalog()}
    assert await SyncSearchIndex(feed, index)() == 0


async def test_a_sync_stopped_between_batches_resumes_after_the_last_batch_applied() -> None:
    catalog, index = InMemoryCatalog(), CrashingIndex(crash_at=2)
    feed = await _built(catalog, index)
    await catalog.upsert_many(small_catalog())
    sync = SyncSearchIndex(feed, index, batch_size=4)
    with pytest.raises(RuntimeError, match="killed"):
        await sync()
    assert len(index.items) == 4
    assert await sync() == len(small_catalog()) - 4  # the first batch is not applied again
    assert set(index.items) == {item.id for item in small_catalog()}


async def test_a_withdrawn_title_leaves_the_index() -> None:
    catalog, index = InMemoryCatalog(), InMemorySearchIndex()
    await catalog.upsert_many(small_catalog())
    feed = await _built(catalog, index)
    dune = next(item for item in small_catalog() if item.title == "Dune")
    await catalog.upsert_many([attrs.evolve(dune, withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC))])
    assert await SyncSearchIndex(feed, index)() == 1
    assert dune.id not in index.items


async def test_an_availability_change_reindexes_the_title() -> None:
    catalog, index = InMemoryCatalog(), InMemorySearchIndex()
    await catalog.upsert_many(small_catalog())
    feed = await _built(catalog, index)
    await catalog.upsert_many([movie("The Matrix", year=1999, platforms=("hulu",))])
    await SyncSearchIndex(feed, index)()
    assert index.items[movie("The Matrix").id].platforms == {"hulu"}


async def test_a_failed_rebuild_is_discarded_and_the_live_index_stays() -> None:
    catalog, index = InMemoryCatalog(), InMemorySearchIndex()
    await catalog.upsert_many(small_catalog())
    feed = await _built(catalog, index)
    live = (dict(index.items), index.published)

    class FailingFeed(InMemoryCatalogChangeFeed):
        async def titles(self) -> int:
            return 1

        async def changes_after(self, mark: FeedMark, limit: int):  # type: ignore[no-untyped-def]
            raise ConnectionError("database gone")

    with pytest.raises(ConnectionError):
        await RebuildSearchIndex(FailingFeed(catalog), index)()
    assert index.builds[-1].discarded and (index.items, index.published) == live
    assert await SyncSearchIndex(feed, index)() == 0


async def test_a_missing_index_or_one_built_from_another_catalog_needs_a_rebuild() -> None:
    catalog, index = InMemoryCatalog(), InMemorySearchIndex()
    await catalog.upsert_many(small_catalog())
    feed = InMemoryCatalogChangeFeed(catalog)
    assert await NeedsRebuild(feed, index)()
    with pytest.raises(SearchIndexMissing):
        await SyncSearchIndex(feed, index)()
    await RebuildSearchIndex(feed, index)()
    assert not await NeedsRebuild(feed, index)()
    index.published = FeedMark(catalog.last_change + 1, UUID(int=1))  # from a catalog with more changes
    assert await NeedsRebuild(feed, index)()
