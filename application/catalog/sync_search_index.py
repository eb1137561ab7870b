"""Keep the search index in step with the catalog: apply the feed after the index's own mark, in
batches, each batch with its mark; rebuild it from the whole catalog when it has none."""

from __future__ import annotations

from attrs import frozen

from application.catalog.search_index_ports import (
    START,
    CatalogChangeFeed,
    FeedLag,
    RebuildProgress,
    SearchIndex,
    SearchIndexMarks,
    SearchIndexMissing,
    SilentRebuildProgress,
)
from application.shared.ports import Clock

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 5000


@frozen
class SyncSearchIndex:
    """Apply every change after the index's mark; return how many titles were applied. The mark
    moves with each batch, so a writer stopped between batches resumes after the last one."""

    feed: CatalogChangeFeed
    index: SearchIndex
    batch_size: int = BATCH_SIZE

    async def __call__(self) -> int:
        mark = await self.index.mark()
        if mark is None:
            raise SearchIndexMissing("There is no search index to bring up to date (rebuild it).")
        applied = 0
        while True:
            changes = await self.feed.changes_after(mark, self.batch_size)
            if not changes.items:
                return applied
            await self.index.apply(changes.items, changes.last)
            applied += len(changes.items)
            mark = changes.last


@frozen
class RebuildSearchIndex:
    """A new index from every title, filled beside the live one (which readers keep using) and
    published at the feed's mark once complete; return how many titles were read. What changes
    meanwhile is after that mark, and the next sync applies it."""

    feed: CatalogChangeFeed
    index: SearchIndex
    batch_size: int = REBUILD_BATCH_SIZE

    async def __call__(self, progress: RebuildProgress | None = None) -> int:
        progress = progress or SilentRebuildProgress()
        progress.started(await self.feed.titles())
        build = await self.index.new_build()
        read, mark = 0, START
        try:
            while (changes := await self.feed.changes_after(mark, self.batch_size)).items:
                await build.add(changes.items)
                read += len(changes.items)
                mark = changes.last
                progress.advance(len(changes.items))
            await build.publish(mark)
        except BaseException:
            await build.discard()
            raise
        return read


@frozen
class NeedsRebuild:
    """Whether the index must be rebuilt before it can be synced: it is missing or unreadable, or
    its mark is not one this catalog issued (another database, or this one restored or reset)."""

    feed: CatalogChangeFeed
    index: SearchIndexMarks

    async def __call__(self) -> bool:
        mark = await self.index.mark()
        return mark is None or not await self.feed.issued(mark)


@frozen
class SearchIndexLag:
    built: bool
    changes: int = 0
    seconds: float = 0.0


@frozen
class ReadSearchIndexLag:
    """How far the live index is behind the catalog: titles changed after its mark, and how long
    the oldest of them has waited."""

    feed: CatalogChangeFeed
    marks: SearchIndexMarks
    clock: Clock

    async def __call__(self) -> SearchIndexLag:
        mark = await self.marks.mark()
        if mark is None:
            return SearchIndexLag(built=False)
        lag: FeedLag = await self.feed.lag(mark)
        seconds = 0.0
        if lag.oldest_changed_at is not None:
            seconds = max((self.clock.now() - lag.oldest_changed_at).total_seconds(), 0.0)
        return SearchIndexLag(built=True, changes=lag.changes, seconds=seconds)
