from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from attrs import frozen

from domain.catalog.content import Content
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


class ProgressRepository(Protocol):
    async def lock(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        """The current state, locked until the unit of work ends (concurrent writers queue)."""

    async def session_high_water(self, user_id: UUID, content_id: UUID, session_id: str) -> int | None: ...

    async def save(self, progress: WatchProgress) -> None:
        """Insert or replace the state, and raise the session's high-water mark to its sequence."""

    async def next_server_order(self) -> int: ...

    async def append_history(self, event: WatchEvent) -> None: ...

    async def remove_stale(self, before: datetime) -> int:
        """Drop Continue Watching entries with no activity since ``before``; history stays."""


class PlaybackUnitOfWork(Protocol):
    progress: ProgressRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class PlaybackUnitOfWorkFactory(Protocol):
    def __call__(self) -> PlaybackUnitOfWork: ...


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

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None: ...

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
