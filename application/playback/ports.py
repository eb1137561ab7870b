from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import evolve, field, frozen

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


@frozen(hash=False)
class JournalledChange:
    """One entry of the journal, read back: what it brings to the archive (nothing if the entry
    was deleted after it was handed out) and the fields it was journalled as."""

    id: str
    snapshot: ProgressSnapshot | None
    event: WatchEvent | None = None
    fields: Mapping[str, str] = field(factory=dict)


@frozen(hash=False)
class DeadLetter:
    """A journal entry the archive can never take (it cannot be read, or the archive refuses
    it), set aside with the reason instead of holding back the entries after it."""

    change_id: str
    fields: Mapping[str, str]
    error: str


def latest_snapshots(changes: Sequence[JournalledChange]) -> tuple[ProgressSnapshot, ...]:
    """The latest state of each viewer and title in ``changes`` (in journal order), with the
    highest sequence of every session they saw."""
    latest: dict[tuple[UUID, UUID], ProgressSnapshot] = {}
    for change in changes:
        if change.snapshot is None:
            continue
        key = (change.snapshot.user_id, change.snapshot.content_id)
        earlier = latest.get(key)
        latest[key] = earlier.followed_by(change.snapshot) if earlier else change.snapshot
    return tuple(latest.values())


def watch_events(changes: Sequence[JournalledChange]) -> tuple[WatchEvent, ...]:
    return tuple(c.event for c in changes if c.event is not None)


@frozen(hash=False)
class ChangeBatch:
    changes: tuple[JournalledChange, ...] = ()
    unreadable: tuple[DeadLetter, ...] = ()  # entries that could not be decoded

    @property
    def ids(self) -> tuple[str, ...]:
        return (*(c.id for c in self.changes), *(u.change_id for u in self.unreadable))

    @property
    def snapshots(self) -> tuple[ProgressSnapshot, ...]:
        return latest_snapshots(self.changes)

    @property
    def events(self) -> tuple[WatchEvent, ...]:
        return watch_events(self.changes)


class ProgressJournal(Protocol):
    """Changes the store has accepted that the archive may not have yet."""

    async def pending(self, user_id: UUID) -> list[ProgressSnapshot]:
        """This viewer's titles whose latest state is not archived yet."""

    async def changes(self, consumer: str, limit: int, wait_seconds: float) -> ChangeBatch:
        """The next unacknowledged changes, in order; changes another consumer took but never
        acknowledged come back after a while. An entry that cannot be decoded comes back in
        ``unreadable`` with the reason, never as an exception that would hold back the rest."""

    async def settle(self, snapshots: Sequence[ProgressSnapshot]) -> None:
        """Mark these states archived, unless a newer one arrived meanwhile."""

    async def acknowledge(self, change_ids: Sequence[str]) -> None: ...

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        """Move these entries to the dead letters (with their reason) and acknowledge them,
        atomically: an entry is either still pending or kept aside, never lost or both."""

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        """The oldest entries set aside, for an operator to inspect."""

    async def replay_dead_letters(self) -> int:
        """Put every dead letter back into the journal as a new entry with its original fields
        (once its cause is fixed); returns how many. One still unreadable is set aside again."""


class ArchiveRefused(Exception):
    """The archive refused the data itself (a value it cannot store), not because it is
    unreachable: the same data will be refused again, so retrying it is pointless."""


class ProgressArchive(Protocol):
    """The durable record the lists are read from: PostgreSQL behind the live store."""

    async def write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        """Keep each snapshot unless the archive holds a later order; add events not yet added.
        All or nothing; raises ``ArchiveRefused`` if a value cannot be stored."""

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


class Subscription(Protocol):
    """A device listening to a user's changes; closing it stops the listening."""

    def __aiter__(self) -> AsyncIterator[SyncEvent]: ...

    async def __anext__(self) -> SyncEvent: ...

    async def aclose(self) -> None: ...


class SyncBroker(Protocol):
    """Fans progress changes out to every device of a user, across server processes."""

    async def publish(self, event: SyncEvent) -> None: ...

    async def subscribe(self, user_id: UUID) -> Subscription:
        """Events for ``user_id`` published once this returns (the subscription is in place by
        then, so a device told it is connected misses nothing), until it is closed."""


class NextEpisodeFinder(Protocol):
    async def next_episode(self, episode: Content) -> Content | None: ...
