"""The Continue Watching list and the viewing history, as read from the archive."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from attrs import frozen

from application.playback.progress_archive_ports import WatchEvent
from domain.catalog.content import Content
from domain.playback.progress import WatchProgress


@frozen
class ContinueWatchingEntry:
    progress: WatchProgress
    content: Content


@frozen
class ContinueWatchingPage:
    items: tuple[ContinueWatchingEntry, ...]
    next_cursor: str | None


class ContinueWatchingQuery(Protocol):
    async def page(self, user_id: UUID, limit: int, cursor: str | None) -> ContinueWatchingPage:
        """Entries in the list (unfinished, undismissed, ≥30 s or next episode), one per series,
        newest first; ``cursor`` continues after the previous page."""

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        """The viewing history, oldest first."""
