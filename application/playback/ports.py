from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import evolve, frozen

from domain.catalog.content import Content
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress


@frozen
class WatchEvent:
    """One entry of the append-only viewing history the recommendations read."""

    user_id: UUID
    content_id: UUID
    position_seconds: float
    progress_percent: float
    completed: bool
    device_id: str
    occurred_at: datetime
    change_id: str = ""  # the journal's id for the change, so archiving it twice keeps one entry


@frozen
class Recorded:
    verdict: Verdict
    state: WatchProgress  # the stored state: the update if accepted, else the one that stands
    was_completed: bool = False  # whether the title was completed before this update


@frozen(hash=False)
class ProgressSnapshot:
    """All that is stored for one viewer and title: the state (None if only sessions are
    known) and the highest sequence each playback session has delivered."""

    user_id: UUID
    content_id: UUID
    progress: WatchProgress | None
    high_water: Mapping[str, int]

    def followed_by(self, later: ProgressSnapshot) -> ProgressSnapshot:
        """Two changes to one title: the later state, and the highest sequence of each session."""
        high_water = dict(self.high_water)
        for session, sequence in later.high_water.items():
            high_water[session] = max(high_water.get(session, sequence), sequence)
        return evolve(later, high_water=high_water)


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


@frozen
class ChangeBatch:
    ids: tuple[str, ...]
    snapshots: tuple[ProgressSnapshot, ...]  # the latest of each viewer and title in the batch
    events: tuple[WatchEvent, ...]


class ProgressJournal(Protocol):
    """Changes the store has accepted that the archive may not have yet."""

    async def pending(self, user_id: UUID) -> list[ProgressSnapshot]:
        """This viewer's titles whose latest state is not archived yet."""

    async def changes(self, consumer: str, limit: int, wait_seconds: float) -> ChangeBatch:
        """The next unacknowledged changes, in order; changes another consumer took but never
        acknowledged come back after a while."""

    async def settle(self, snapshots: Sequence[ProgressSnapshot]) -> None:
        """Mark these states archived, unless a newer one arrived meanwhile."""

    async def acknowledge(self, batch: ChangeBatch) -> None: ...


class ProgressArchive(Protocol):
    """The durable record the lists are read from: PostgreSQL behind the live store."""

    async def write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        """Keep each snapshot unless the archive holds a later order; add events not yet added."""

    async def load(self, user_id: UUID, content_id: UUID) -> ProgressSnapshot: ...

    async def remove_stale(self, before: datetime) -> int:
        """Drop Continue Watching entries with no activity since ``before``; history stays."""


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


@frozen
class SyncEvent:
    kind: str  # "progress", "completed" or "dismissed"
    user_id: UUID
    content_id: UUID
    device_id: str
    position_seconds: float
    progress_percent: float
    completed: bool
    server_order: int
    occurred_at: datetime


class SyncBroker(Protocol):
    """Fans progress changes out to every device of a user, across server processes."""

    async def publish(self, event: SyncEvent) -> None: ...

    def subscribe(self, user_id: UUID) -> AsyncIterator[SyncEvent]:
        """Events for ``user_id`` from now on, until the iterator is closed."""


class NextEpisodeFinder(Protocol):
    async def next_episode(self, episode: Content) -> Content | None: ...
