"""The Continue Watching list and the viewing history in memory, read from the in-memory
archive with the in-memory catalog, as the Postgres query reads the tables."""

from __future__ import annotations

from uuid import UUID

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.continue_watching_cursor import encode_cursor, page_after
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from application.playback.continue_watching_ports import ContinueWatchingEntry, ContinueWatchingPage
from application.playback.progress_archive_ports import WatchEvent


class InMemoryContinueWatching:
    def __init__(self, archive: InMemoryProgressArchive, catalog: InMemoryCatalog) -> None:
        self._archive = archive
        self._catalog = catalog

    async def page(self, user_id: UUID, limit: int, cursor: str | None) -> ContinueWatchingPage:
        after = page_after(cursor)
        latest: dict[UUID, ContinueWatchingEntry] = {}
        for progress in self._archive.state.progress.values():
            item = await self._catalog.get(progress.content_id)
            if progress.user_id != user_id or not progress.in_continue_watching or item is None:
                continue
            key = item.series_id or item.id
            seen = latest.get(key)
            if seen is None or (progress.updated_at, _neg(progress.content_id)) > (
                seen.progress.updated_at,
                _neg(seen.progress.content_id),
            ):
                latest[key] = ContinueWatchingEntry(progress=progress, content=item)
        ordered = sorted(
            latest.values(), key=lambda e: (-e.progress.updated_at.timestamp(), str(e.progress.content_id))
        )
        if after is not None:
            stamp, content_id = after
            ordered = [
                e
                for e in ordered
                if e.progress.updated_at < stamp
                or (e.progress.updated_at == stamp and str(e.progress.content_id) > str(content_id))
            ]
        page = ordered[:limit]
        next_cursor = (
            encode_cursor(page[-1].progress.updated_at, page[-1].progress.content_id) if len(ordered) > limit else None
        )
        return ContinueWatchingPage(items=tuple(page), next_cursor=next_cursor)

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        return [e for e in self._archive.state.history if e.user_id == user_id]


def _neg(content_id: UUID) -> str:
    # Among equal timestamps the smallest id wins, as in the Postgres query.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in str(content_id))
