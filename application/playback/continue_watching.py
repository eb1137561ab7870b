from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from attrs import evolve, frozen

from application.playback.ports import (
    ContinueWatchingPage,
    ContinueWatchingQuery,
    PlaybackUnitOfWorkFactory,
    SyncBroker,
)
from application.playback.record_progress import sync_event
from application.shared.ports import Clock
from domain.playback.progress import STALE_AFTER, WatchProgress
from domain.shared.errors import InvalidInput, NotFound

MAX_LIMIT = 100


class ProgressNotFound(NotFound):
    code = "progress-not-found"


@frozen
class ListContinueWatching:
    query: ContinueWatchingQuery

    async def __call__(self, user_id: UUID, limit: int = 20, cursor: str | None = None) -> ContinueWatchingPage:
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}.", field="limit")
        return await self.query.page(user_id, limit, cursor)


@frozen
class GetResumePoint:
    query: ContinueWatchingQuery

    async def __call__(self, user_id: UUID, content_id: UUID) -> WatchProgress:
        progress = await self.query.current(user_id, content_id)
        if progress is None:
            raise ProgressNotFound("Nothing recorded for this title yet: start from the beginning.")
        return progress


@frozen
class DismissFromContinueWatching:
    """Hide a title from Continue Watching until new progress arrives for it."""

    uow: PlaybackUnitOfWorkFactory
    broker: SyncBroker
    clock: Clock

    async def __call__(self, user_id: UUID, content_id: UUID) -> None:
        async with self.uow() as uow:
            current = await uow.progress.lock(user_id, content_id)
            if current is None:
                raise ProgressNotFound("This title is not in Continue Watching.")
            if current.dismissed:
                return
            hidden = evolve(
                current,
                dismissed=True,
                server_order=await uow.progress.next_server_order(),
                updated_at=self.clock.now(),
            )
            await uow.progress.save(hidden)
            await uow.commit()
        await self.broker.publish(sync_event("dismissed", hidden))


@frozen
class RemoveStaleProgress:
    uow: PlaybackUnitOfWorkFactory
    clock: Clock
    stale_after: timedelta = STALE_AFTER

    async def __call__(self) -> int:
        async with self.uow() as uow:
            removed = await uow.progress.remove_stale(self.clock.now() - self.stale_after)
            await uow.commit()
        return removed
