from __future__ import annotations

from uuid import UUID

from attrs import frozen

from application.catalog.ports import ContentLookup
from application.playback.next_episode_ports import NextEpisodeFinder
from application.playback.progress_store_ports import ProgressStore
from application.shared.ports import Clock
from domain.catalog.content import Content, ContentKind
from domain.catalog.errors import ContentNotFound
from domain.playback.progress import (
    COMPLETION_THRESHOLD,
    InvalidProgress,
    ProgressUpdate,
    StaleProgress,
    Verdict,
    WatchProgress,
    is_complete,
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


@frozen
class ProgressRecorded:
    """The state that stands after the update, and whether the update was a duplicate (its
    session had delivered that sequence already, so nothing changed). A stale one raises."""

    state: WatchProgress
    duplicate: bool = False


@frozen
class RecordProgress:
    """Record where a device is in a title; the stored state and every device converge on it."""

    store: ProgressStore
    contents: ContentLookup
    next_episodes: NextEpisodeFinder
    clock: Clock
    completion_threshold: float = COMPLETION_THRESHOLD

    async def __call__(self, command: RecordProgressCommand) -> ProgressRecorded:
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
        completed = is_complete(update.position_seconds, update.duration_seconds, self.completion_threshold)
        recorded = await self.store.record(update, completed=completed, now=now)
        if recorded.verdict is Verdict.STALE:
            raise StaleProgress(
                "A later update from this playback session was already recorded.", winner=recorded.state
            )
        state = recorded.state
        if recorded.verdict is Verdict.ACCEPT and state.completed and not recorded.was_completed:
            await self._queue_next_episode(content, state)
        return ProgressRecorded(state, duplicate=recorded.verdict is Verdict.DUPLICATE)

    async def _queue_next_episode(self, finished: Content, state: WatchProgress) -> None:
        if finished.kind is not ContentKind.EPISODE:
            return
        following = await self.next_episodes.next_episode(finished)
        if following is None or not following.runtime_seconds:
            return
        # Left alone if the viewer already started, finished or queued it.
        await self.store.queue_next_episode(
            next_episode_entry(state.user_id, following.id, following.runtime_seconds, state.updated_at)
        )
