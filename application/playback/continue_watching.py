from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from attrs import frozen

from application.playback.archive_progress import ArchiveViewerProgress, ArchiveViewerProgressCommand
from application.playback.continue_watching_ports import ContinueWatchingPage, ContinueWatchingQuery
from application.playback.progress_archive_ports import ProgressArchive
from application.playback.progress_store_ports import ProgressStore
from application.shared.ports import Clock
from domain.playback.errors import ProgressNotFound
from domain.playback.progress import STALE_AFTER, WatchProgress
from domain.shared.errors import InvalidInput

MAX_LIMIT = 100


@frozen
class ListContinueWatching:
    query: ContinueWatchingQuery
    archive_pending: ArchiveViewerProgress

    async def __call__(self, user_id: UUID, limit: int = 20, cursor: str | None = None) -> ContinueWatchingPage:
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}.", field="limit")
        # The list is read from the archive: bring this viewer's own latest changes into it first.
        await self.archive_pending(ArchiveViewerProgressCommand(user_id))
        return await self.query.page(user_id, limit, cursor)


@frozen
class GetResumePoint:
    store: ProgressStore

    async def __call__(self, user_id: UUID, content_id: UUID) -> WatchProgress:
        progress = await self.store.current(user_id, content_id)
        if progress is None:
            raise ProgressNotFound("Nothing recorded for this title yet: start from the beginning.")
        return progress


@frozen
class DismissFromContinueWatchingCommand:
    user_id: UUID
    content_id: UUID


@frozen
class DismissFromContinueWatching:
    """Hide a title from Continue Watching until new progress arrives for it."""

    store: ProgressStore
    clock: Clock

    async def __call__(self, command: DismissFromContinueWatchingCommand) -> None:
        if await self.store.dismiss(command.user_id, command.content_id, self.clock.now()) is None:
            raise ProgressNotFound("This title is not in Continue Watching.")


@frozen
class RemoveStaleProgress:
    archive: ProgressArchive
    clock: Clock
    stale_after: timedelta = STALE_AFTER

    async def __call__(self) -> int:
        return await self.archive.remove_stale(self.clock.now() - self.stale_after)
