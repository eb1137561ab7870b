"""Continue Watching on PostgreSQL: the unit of work for writes, and the list query for reads."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from adapters.postgres.tables import content, watch_events, watch_progress
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from application.playback.ports import ContinueWatchingEntry, ContinueWatchingPage, WatchEvent
from domain.catalog.content import Availability, Content, ContentKind
from domain.playback.progress import MIN_RESUME_SECONDS, Reason, WatchProgress
from domain.shared.errors import InvalidInput

_PROGRESS_COLUMNS = [c.name for c in watch_progress.c]


def progress_from_row(row: RowMapping) -> WatchProgress:
    values = {name: row[name] for name in _PROGRESS_COLUMNS}
    values["reason"] = Reason(values["reason"])
    return WatchProgress(**values)


# lock() also turns off synchronous_commit for its transaction: the write is in PostgreSQL once
# the commit returns, so killing this process loses nothing acknowledged; only a crash of
# PostgreSQL itself within ~3 x wal_writer_delay could. Progress arrives every few seconds per
# viewer, and an fsync per update would cap throughput at the disk's flush rate.
def _lock_keys(user_id: UUID, content_id: UUID) -> tuple[int, int]:
    """Two signed 32-bit keys for pg_advisory_xact_lock; a collision only serialises two writers."""
    return (
        zlib.crc32(user_id.bytes) - 2**31,
        zlib.crc32(content_id.bytes) - 2**31,
    )


# The write path is plain SQL: asyncpg keeps each statement prepared, and SQLAlchemy has nothing
# to compile per request.
_LOCK = text(
    "SELECT set_config('synchronous_commit', 'off', true), "
    "pg_advisory_xact_lock(CAST(:a AS integer), CAST(:b AS integer))"
)
_CURRENT = text("SELECT * FROM watch_progress WHERE user_id = :user_id AND content_id = :content_id")
_HIGH_WATER = text(
    "SELECT high_water FROM playback_sessions "
    "WHERE user_id = :user_id AND content_id = :content_id AND session_id = :session_id"
)
_NEXT_ORDER = text("SELECT nextval('watch_progress_order')")
_SAVE = text(
    """
    WITH saved AS (
        INSERT INTO watch_progress (user_id, content_id, position_seconds, duration_seconds, device_id,
            session_id, sequence, server_order, updated_at, completed, dismissed, reason)
        VALUES (:user_id, :content_id, :position_seconds, :duration_seconds, :device_id, :session_id,
            :sequence, :server_order, :updated_at, :completed, :dismissed, :reason)
        ON CONFLICT (user_id, content_id) DO UPDATE SET
            position_seconds = EXCLUDED.position_seconds, duration_seconds = EXCLUDED.duration_seconds,
            device_id = EXCLUDED.device_id, session_id = EXCLUDED.session_id, sequence = EXCLUDED.sequence,
            server_order = EXCLUDED.server_order, updated_at = EXCLUDED.updated_at,
            completed = EXCLUDED.completed, dismissed = EXCLUDED.dismissed, reason = EXCLUDED.reason
        RETURNING user_id, content_id
    )
    INSERT INTO playback_sessions (user_id, content_id, session_id, high_water, updated_at)
    SELECT user_id, content_id, :session_id, :sequence, :updated_at FROM saved WHERE :session_id <> ''
    ON CONFLICT (user_id, content_id, session_id) DO UPDATE SET
        high_water = greatest(playback_sessions.high_water, EXCLUDED.high_water),
        updated_at = EXCLUDED.updated_at
    """
)
_HISTORY = text(
    "INSERT INTO watch_events (user_id, content_id, position_seconds, progress_percent, completed, device_id, "
    "occurred_at) VALUES (:user_id, :content_id, :position_seconds, :progress_percent, :completed, :device_id, "
    ":occurred_at)"
)


class PostgresProgressRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        # An advisory lock also covers the first write, when there is no row to lock yet. The
        # read must be a separate statement, so that its snapshot is taken after the lock is held.
        first, second = _lock_keys(user_id, content_id)
        await self._conn.execute(_LOCK, {"a": first, "b": second})
        row = (await self._conn.execute(_CURRENT, {"user_id": user_id, "content_id": content_id})).mappings().first()
        return progress_from_row(row) if row else None

    async def session_high_water(self, user_id: UUID, content_id: UUID, session_id: str) -> int | None:
        params = {"user_id": user_id, "content_id": content_id, "session_id": session_id}
        return await self._conn.scalar(_HIGH_WATER, params)  # type: ignore[no-any-return]

    async def save(self, progress: WatchProgress) -> None:
        values: dict[str, Any] = {name: getattr(progress, name) for name in _PROGRESS_COLUMNS}
        values["reason"] = progress.reason.value
        await self._conn.execute(_SAVE, values)

    async def next_server_order(self) -> int:
        return int(await self._conn.scalar(_NEXT_ORDER) or 0)

    async def append_history(self, event: WatchEvent) -> None:
        await self._conn.execute(
            _HISTORY,
            {
                "user_id": event.user_id,
                "content_id": event.content_id,
                "position_seconds": event.position_seconds,
                "progress_percent": event.progress_percent,
                "completed": event.completed,
                "device_id": event.device_id,
                "occurred_at": event.occurred_at,
            },
        )

    async def remove_stale(self, before: datetime) -> int:
        result = await self._conn.execute(delete(watch_progress).where(watch_progress.c.updated_at < before))
        return int(result.rowcount)


class PostgresPlaybackUnitOfWork(PostgresUnitOfWork):
    progress: PostgresProgressRepository

    def bind(self, conn: AsyncConnection) -> None:
        self.progress = PostgresProgressRepository(conn)


class PostgresPlaybackUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> PostgresPlaybackUnitOfWork:
        return PostgresPlaybackUnitOfWork(self._engine)


def encode_cursor(updated_at: datetime, content_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{content_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, content_id = raw.partition("|")
        return datetime.fromisoformat(stamp), UUID(content_id)
    except ValueError:
        return None


# One round trip: the listed entries (one per series, newest first) with their content and
# where to watch it, aggregated as JSON. Written as SQL so asyncpg can keep it prepared.
_PAGE = text(
    """
    SELECT p.*, c.title, c.kind, c.series_id, c.season_number, c.episode_number, c.runtime_seconds,
           c.release_year, c.genres, c.synopsis,
           (SELECT coalesce(json_agg(json_build_object(
                       'platform', a.platform, 'region', a.region, 'deep_link', a.deep_link)
                       ORDER BY a.platform, a.region), '[]')
            FROM content_availability a WHERE a.content_id = p.content_id) AS availability
    FROM (
        SELECT DISTINCT ON (coalesce(c.series_id, c.id)) wp.*
        FROM watch_progress wp JOIN content c ON c.id = wp.content_id
        WHERE wp.user_id = :user_id AND NOT wp.completed AND NOT wp.dismissed
          AND (wp.position_seconds >= :min_seconds OR wp.reason = 'next_episode')
        ORDER BY coalesce(c.series_id, c.id), wp.updated_at DESC, wp.content_id
    ) AS p
    JOIN content c ON c.id = p.content_id
    WHERE CAST(:after_time AS timestamptz) IS NULL
       OR p.updated_at < CAST(:after_time AS timestamptz)
       OR (p.updated_at = CAST(:after_time AS timestamptz) AND p.content_id > CAST(:after_id AS uuid))
    ORDER BY p.updated_at DESC, p.content_id
    LIMIT :limit
    """
)


def _entry(row: RowMapping) -> ContinueWatchingEntry:
    availability = row["availability"]
    if isinstance(availability, str):
        availability = json.loads(availability)
    item = Content(
        id=row["content_id"],
        title=row["title"],
        kind=ContentKind(row["kind"]),
        release_year=row["release_year"],
        genres=tuple(row["genres"]),
        synopsis=row["synopsis"],
        availability=tuple(Availability(**a) for a in availability),
        runtime_seconds=row["runtime_seconds"],
        series_id=row["series_id"],
        season_number=row["season_number"],
        episode_number=row["episode_number"],
    )
    return ContinueWatchingEntry(progress=progress_from_row(row), content=item)


class PostgresContinueWatching:
    """The list: one entry per series (its latest episode), newest first, keyset-paginated."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(self, user_id: UUID, limit: int, cursor: str | None) -> ContinueWatchingPage:
        after = decode_cursor(cursor) if cursor else None
        if cursor and after is None:
            raise InvalidInput("The cursor is not valid; start again without it.", field="cursor")
        params = {
            "user_id": user_id,
            "min_seconds": MIN_RESUME_SECONDS,
            "after_time": after[0] if after else None,
            "after_id": after[1] if after else None,
            "limit": limit + 1,
        }
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_PAGE, params)).mappings().all()
        items = tuple(_entry(row) for row in rows[:limit])
        next_cursor = None
        if len(rows) > limit:
            last = items[-1].progress
            next_cursor = encode_cursor(last.updated_at, last.content_id)
        return ContinueWatchingPage(items=items, next_cursor=next_cursor)

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(watch_progress).where(
                    watch_progress.c.user_id == user_id, watch_progress.c.content_id == content_id
                )
            )
            row = result.mappings().first()
        return progress_from_row(row) if row else None

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(watch_events).where(watch_events.c.user_id == user_id).order_by(watch_events.c.id)
            )
            return [WatchEvent(**{k: v for k, v in row.items() if k != "id"}) for row in result.mappings()]


class PostgresNextEpisodeFinder:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def next_episode(self, episode: Content) -> Content | None:
        if episode.kind is not ContentKind.EPISODE or episode.series_id is None:
            return None
        season, number = episode.season_number or 0, episode.episode_number or 0
        query = (
            select(*[c for c in content.c if c.name != "search_vector"])
            .where(
                content.c.series_id == episode.series_id,
                (content.c.season_number > season)
                | and_(content.c.season_number == season, content.c.episode_number > number),
            )
            .order_by(content.c.season_number, content.c.episode_number)
            .limit(1)
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
            if row is None:
                return None
            availability = await load_availability(conn, [row["id"]])
        return content_from_row(row, availability[row["id"]])
