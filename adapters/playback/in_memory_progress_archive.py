"""The progress archive in memory: what PostgreSQL keeps behind the live store (states, each
session's high water, the viewing history), refusing what PostgreSQL would refuse."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from application.playback.progress_archive_ports import ArchiveRefused, ProgressSnapshot, WatchEvent
from domain.playback.progress import WatchProgress


@attrs.define
class ArchivedPlayback:
    """The rows PostgreSQL would hold: ``watch_progress``, ``playback_sessions``, ``watch_events``."""

    progress: dict[tuple[UUID, UUID], WatchProgress] = attrs.Factory(dict)
    sessions: dict[tuple[UUID, UUID, str], int] = attrs.Factory(dict)
    history: list[WatchEvent] = attrs.Factory(list)


class InMemoryProgressArchive:
    def __init__(self) -> None:
        self.state = ArchivedPlayback()  # read by InMemoryContinueWatching, as the query reads the tables

    async def write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        _refuse_what_postgres_cannot_store(snapshots, events)
        for snapshot in snapshots:
            key = (snapshot.user_id, snapshot.content_id)
            archived = self.state.progress.get(key)
            if snapshot.progress is not None and (
                archived is None or archived.server_order < snapshot.progress.server_order
            ):
                self.state.progress[key] = snapshot.progress
            for session, high_water in snapshot.high_water.items():
                session_key = (*key, session)
                self.state.sessions[session_key] = max(self.state.sessions.get(session_key, high_water), high_water)
        known = {e.change_id for e in self.state.history if e.change_id}
        for event in events:
            if not event.change_id or event.change_id not in known:
                self.state.history.append(event)
                known.add(event.change_id)

    async def load(self, user_id: UUID, content_id: UUID) -> ProgressSnapshot:
        sessions = {s: hw for (u, c, s), hw in self.state.sessions.items() if (u, c) == (user_id, content_id)}
        return ProgressSnapshot(user_id, content_id, self.state.progress.get((user_id, content_id)), sessions)

    async def remove_stale(self, before: datetime) -> int:
        stale = [key for key, p in self.state.progress.items() if p.updated_at < before]
        for key in stale:
            del self.state.progress[key]
            for session in [s for s in self.state.sessions if s[:2] == key]:
                del self.state.sessions[session]
        return len(stale)


_INT8 = range(-(2**63), 2**63)


def _refuse_what_postgres_cannot_store(snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
    """All or nothing, as PostgreSQL's transaction: text with NUL and numbers beyond int8."""
    texts: list[str] = []
    numbers: list[int] = []
    for snapshot in snapshots:
        texts += snapshot.high_water.keys()
        numbers += snapshot.high_water.values()
        if snapshot.progress is not None:
            texts += [snapshot.progress.device_id, snapshot.progress.session_id]
            numbers += [snapshot.progress.sequence, snapshot.progress.server_order]
    texts += [event.device_id for event in events]
    if any("\x00" in text for text in texts):
        raise ArchiveRefused('invalid byte sequence for encoding "UTF8": 0x00')
    if any(number not in _INT8 for number in numbers):
        raise ArchiveRefused("value out of int64 range")
