"""The live progress store: where every device's updates are judged and stored."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress


@frozen
class Recorded:
    verdict: Verdict
    state: WatchProgress  # the stored state: the update if accepted, else the one that stands
    was_completed: bool = False  # whether the title was completed before this update


class ProgressStore(Protocol):
    """The live state of every viewer in every title. Each write is atomic, announced to the
    viewer's devices, and journalled for the archive; orders are assigned per viewer and title."""

    async def record(self, update: ProgressUpdate, *, completed: bool, now: datetime) -> Recorded:
        """Judge ``update`` by its session's high water (``domain.playback.progress.judge``)
        and, if accepted, store it with the next server order and a watch event."""

    async def queue_next_episode(self, entry: WatchProgress) -> WatchProgress | None:
        """Store ``entry`` unless the viewer already has a state for that title."""

    async def dismiss(self, user_id: UUID, content_id: UUID, now: datetime) -> WatchProgress | None:
        """Hide the title until new progress arrives; None if nothing is stored for it."""

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None: ...
