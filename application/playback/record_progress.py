from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.catalog.ports import ContentRepository
from application.playback.ports import (
    NextEpisodeFinder,
    PlaybackUnitOfWork,
    PlaybackUnitOfWorkFactory,
    SyncBroker,
    SyncEvent,
    WatchEvent,
)
from application.shared.ports import Clock
from domain.catalog.content import Content, ContentKind
from domain.catalog.errors import ContentNotFound
from domain.playback.progress import (
    COMPLETION_THRESHOLD,
    InvalidProgress,
    Outcome,
    ProgressUpdate,
    WatchProgress,
    merge,
    next_episode_entry,
)


@frozen
class RecordProgressCommand:
    user_id: UUID
    content_id: UUID
    position_seconds: float
    device_id: str
    session_id: str
    sequence: int
    duration_seconds: float | None = None


def sync_event(kind: str, progress: WatchProgress) -> SyncEvent:
    return SyncEvent(
        kind=kind,
        user_id=progress.user_id,
        content_id=progress.content_id,
        device_id=progress.device_id,
        position_seconds=progress.position_seconds,
        progress_percent=progress.progress_percent,
        completed=progress.completed,
        server_order=progress.server_order,
        occurred_at=progress.updated_at,
    )


@frozen
class RecordProgress:
    """Record where a device is in a title; the stored state and every device converge on it."""

    uow: PlaybackUnitOfWorkFactory
    contents: ContentRepository
    next_episodes: NextEpisodeFinder
    broker: SyncBroker
    clock: Clock
    completion_threshold: float = COMPLETION_THRESHOLD

    async def __call__(self, command: RecordProgressCommand) -> WatchProgress:
        content = await self.contents.get(command.content_id)
        if content is None:
            raise ContentNotFound(f"No content with id {command.content_id}.")
        duration = command.duration_seconds or content.runtime_seconds
        if not duration:
            raise InvalidProgress(
                f"'{content.title}' is a {content.kind.value} with no runtime; record progress on its episodes.",
                field="content_id",
            )
        update = ProgressUpdate.create(
            user_id=command.user_id,
            content_id=content.id,
            position_seconds=command.position_seconds,
            duration_seconds=duration,
            device_id=command.device_id,
            session_id=command.session_id,
            sequence=command.sequence,
        )
        now = self.clock.now()
        events: list[SyncEvent] = []
        async with self.uow() as uow:
            current = await uow.progress.lock(update.user_id, update.content_id)
            high_water = await uow.progress.session_high_water(update.user_id, update.content_id, update.session_id)
            outcome, state = merge(
                current,
                high_water,
                update,
                server_order=await uow.progress.next_server_order(),
                now=now,
                threshold=self.completion_threshold,
            )
            if outcome is Outcome.DUPLICATE:
                return state
            await uow.progress.save(state)
            await uow.progress.append_history(
                WatchEvent(
                    user_id=state.user_id,
                    content_id=state.content_id,
                    position_seconds=state.position_seconds,
                    progress_percent=state.progress_percent,
                    completed=state.completed,
                    device_id=state.device_id,
                    occurred_at=now,
                )
            )
            newly_completed = state.completed and not (current is not None and current.completed)
            events.append(sync_event("completed" if newly_completed else "progress", state))
            if newly_completed and content.kind is ContentKind.EPISODE:
                queued = await self._queue_next_episode(uow, content, state)
                if queued is not None:
                    events.append(sync_event("next_episode", queued))
            await uow.commit()
        for event in events:
            await self.broker.publish(event)
        return state

    async def _queue_next_episode(
        self, uow: PlaybackUnitOfWork, episode: Content, finished: WatchProgress
    ) -> WatchProgress | None:
        following = await self.next_episodes.next_episode(episode)
        if following is None or not following.runtime_seconds:
            return None
        if await uow.progress.lock(finished.user_id, following.id) is not None:
            return None  # already started, finished or queued: leave the viewer's own state alone
        queued = next_episode_entry(
            finished.user_id,
            following.id,
            following.runtime_seconds,
            await uow.progress.next_server_order(),
            finished.updated_at,
        )
        await uow.progress.save(queued)
        return queued
