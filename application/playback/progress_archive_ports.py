"""The archive: the durable record behind the live store, and what it keeps per viewer and title."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import evolve, frozen

from domain.playback.progress import WatchProgress


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
