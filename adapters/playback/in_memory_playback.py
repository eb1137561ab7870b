from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.postgres_playback import decode_cursor, encode_cursor
from application.playback.ports import (
    ArchiveRefused,
    ContinueWatchingEntry,
    ContinueWatchingPage,
    ProgressSnapshot,
    WatchEvent,
)
from domain.catalog.content import Content, ContentKind
from domain.playback.progress import WatchProgress
from domain.shared.errors import InvalidInput


@attrs.define
class PlaybackState:
    progress: dict[tuple[UUID, UUID], WatchProgress] = attrs.Factory(dict)
    sessions: dict[tuple[UUID, UUID, str], int] = attrs.Factory(dict)
    history: list[WatchEvent] = attrs.Factory(list)


class InMemoryPlayback:
    """The archive in memory: what PostgreSQL keeps (progress, sessions' high water, history),
    the Continue Watching query over it, and the next-episode finder."""

    def __init__(self, catalog: InMemoryCatalog) -> None:
        self.state = PlaybackState()
        self._catalog = catalog

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

    async def page(self, user_id: UUID, limit: int, cursor: str | None) -> ContinueWatchingPage:
        after = decode_cursor(cursor) if cursor else None
        if cursor and after is None:
            raise InvalidInput("The cursor is not valid; start again without it.", field="cursor")
        latest: dict[UUID, ContinueWatchingEntry] = {}
        for progress in self.state.progress.values():
            item = await self._catalog.get(progress.content_id)
            if progress.user_id != user_id or not progress.in_continue_watching or item is None:
                continue
            key = item.series_id or item.id
            seen = latest.get(key)
            if seen is None or (progress.updated_at, _neg(progress.content_id)) > (
                seen.progress.updated_at,
                _neg(seen.progress.content_id),
            ):
                latest[key] = ContinueWatchingEntry(progress=progress, content=item)
        ordered = sorted(
            latest.values(), key=lambda e: (-e.progress.updated_at.timestamp(), str(e.progress.content_id))
        )
        if after is not None:
            stamp, content_id = after
            ordered = [
                e
                for e in ordered
                if e.progress.updated_at < stamp
                or (e.progress.updated_at == stamp and str(e.progress.content_id) > str(content_id))
            ]
        page = ordered[:limit]
        next_cursor = (
            encode_cursor(page[-1].progress.updated_at, page[-1].progress.content_id) if len(ordered) > limit else None
        )
        return ContinueWatchingPage(items=tuple(page), next_cursor=next_cursor)

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        return [e for e in self.state.history if e.user_id == user_id]

    async def next_episode(self, episode: Content) -> Content | None:
        if episode.kind is not ContentKind.EPISODE or episode.series_id is None:
            return None
        here = (episode.season_number or 0, episode.episode_number or 0)
        later = [
            c
            for c in self._catalog.items()
            if c.series_id == episode.series_id and (c.season_number or 0, c.episode_number or 0) > here
        ]
        return min(later, key=lambda c: (c.season_number or 0, c.episode_number or 0), default=None)


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


def _neg(content_id: UUID) -> str:
    # Among equal timestamps the smallest id wins, as in the Postgres query.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in str(content_id))
