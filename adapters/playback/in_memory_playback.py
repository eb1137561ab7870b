from __future__ import annotations

import itertools
from datetime import datetime
from uuid import UUID

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.postgres_playback import decode_cursor, encode_cursor
from adapters.shared.in_memory_unit_of_work import InMemoryStore, InMemoryUnitOfWork
from application.playback.ports import ContinueWatchingEntry, ContinueWatchingPage, WatchEvent
from domain.catalog.content import Content, ContentKind
from domain.playback.progress import WatchProgress
from domain.shared.errors import InvalidInput


@attrs.define
class PlaybackState:
    progress: dict[tuple[UUID, UUID], WatchProgress] = attrs.Factory(dict)
    sessions: dict[tuple[UUID, UUID, str], int] = attrs.Factory(dict)
    history: list[WatchEvent] = attrs.Factory(list)


class InMemoryProgressRepository:
    def __init__(self, state: PlaybackState, orders: itertools.count[int]) -> None:
        self._state = state
        self._orders = orders

    async def lock(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        return self._state.progress.get((user_id, content_id))

    async def session_high_water(self, user_id: UUID, content_id: UUID, session_id: str) -> int | None:
        return self._state.sessions.get((user_id, content_id, session_id))

    async def save(self, progress: WatchProgress) -> None:
        self._state.progress[(progress.user_id, progress.content_id)] = progress
        if progress.session_id:
            key = (progress.user_id, progress.content_id, progress.session_id)
            self._state.sessions[key] = max(self._state.sessions.get(key, progress.sequence), progress.sequence)

    async def next_server_order(self) -> int:
        return next(self._orders)

    async def append_history(self, event: WatchEvent) -> None:
        self._state.history.append(event)

    async def remove_stale(self, before: datetime) -> int:
        stale = [key for key, p in self._state.progress.items() if p.updated_at < before]
        for key in stale:
            del self._state.progress[key]
            for session in [s for s in self._state.sessions if s[:2] == key]:
                del self._state.sessions[session]
        return len(stale)


class InMemoryPlaybackUnitOfWork(InMemoryUnitOfWork[PlaybackState]):
    progress: InMemoryProgressRepository

    def __init__(self, store: InMemoryPlayback) -> None:
        super().__init__(store)
        self._orders = store.orders

    def bind(self, working: PlaybackState) -> None:
        self.progress = InMemoryProgressRepository(working, self._orders)


class InMemoryPlayback(InMemoryStore[PlaybackState]):
    """Continue Watching in memory: a unit-of-work factory, the list query and the next-episode finder."""

    def __init__(self, catalog: InMemoryCatalog) -> None:
        super().__init__(PlaybackState())
        self.orders = itertools.count(1)
        self._catalog = catalog

    def __call__(self) -> InMemoryPlaybackUnitOfWork:
        return InMemoryPlaybackUnitOfWork(self)

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

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        return self.state.progress.get((user_id, content_id))

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


def _neg(content_id: UUID) -> str:
    # Among equal timestamps the smallest id wins, as in the Postgres query.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in str(content_id))
