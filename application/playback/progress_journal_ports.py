"""The journal: changes the live store accepted, in order, until the archive has them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from uuid import UUID

from attrs import field, frozen

from application.playback.progress_archive_ports import ProgressSnapshot, WatchEvent


@frozen(hash=False)
class JournalledChange:
    """One entry of the journal, read back: what it brings to the archive (nothing if the entry
    was deleted after it was handed out), the fields it was journalled as, and the trace context
    of the request that made the change (a W3C carrier: ``traceparent`` and ``tracestate``; empty
    for an entry written outside any trace, or before entries carried one)."""

    id: str
    snapshot: ProgressSnapshot | None
    event: WatchEvent | None = None
    fields: Mapping[str, str] = field(factory=dict)
    trace_context: Mapping[str, str] = field(factory=dict)


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
    def trace_contexts(self) -> tuple[Mapping[str, str], ...]:
        """Each entry's trace context, in the order of ``ids`` (an unreadable entry's is empty)."""
        return (*(c.trace_context for c in self.changes), *({} for _ in self.unreadable))

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


@frozen
class JournalBacklog:
    """What the archive has not taken yet: changes journalled and neither acknowledged nor set
    aside, and how long the oldest of them has waited (0 when there is none)."""

    pending: int
    oldest_age_seconds: float


class JournalBacklogReader(Protocol):
    """How far behind the archive is, for operators (read at each metrics scrape)."""

    async def backlog(self) -> JournalBacklog: ...
