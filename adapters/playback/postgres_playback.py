"""Continue Watching on PostgreSQL: the unit of work for writes, and the list query for reads."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy import and_, delete, select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from adapters.postgres.errors import data_fault
from adapters.postgres.tables import content, watch_events, watch_progress
from application.playback.ports import (
    ArchiveRefused,
    ContinueWatchingEntry,
    ContinueWatchingPage,
    ProgressSnapshot,
    WatchEvent,
)
from domain.catalog.content import Availability, Content, ContentKind
from domain.playback.progress import MIN_RESUME_SECONDS, Reason, WatchProgress
from domain.shared.errors import InvalidInput

_PROGRESS_COLUMNS = [c.name for c in watch_progress.c]


def progress_from_row(row: RowMapping) -> WatchProgress:
    values = {name: row[name] for name in _PROGRESS_COLUMNS}
    values["reason"] = Reason(values["reason"])
    return WatchProgress(**values)


# Archiving is plain SQL: asyncpg keeps each statement prepared. A change for a user or title
# that was deleted meanwhile is skipped (the EXISTS guards) rather than failing its whole batch.
_KEEP_PROGRESS = text(
    """
    INSERT INTO watch_progress (user_id, content_id, position_seconds, duration_seconds, device_id,
        session_id, sequence, server_order, updated_at, completed, dismissed, reason)
    SELECT c.* FROM unnest(
        CAST(:user_id AS uuid[]), CAST(:content_id AS uuid[]), CAST(:position_seconds AS float8[]),
        CAST(:duration_seconds AS float8[]), CAST(:device_id AS text[]), CAST(:session_id AS text[]),
        CAST(:sequence AS int8[]), CAST(:server_order AS int8[]), CAST(:updated_at AS timestamptz[]),
        CAST(:completed AS bool[]), CAST(:dismissed AS bool[]), CAST(:reason AS text[])
    ) AS c (user_id, content_id, position_seconds, duration_seconds, device_id, session_id, sequence,
            server_order, updated_at, completed, dismissed, reason)
    WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)
      AND EXISTS (SELECT 1 FROM content t WHERE t.id = c.content_id)
    ON CONFLICT (user_id, content_id) DO UPDATE SET
        position_seconds = EXCLUDED.position_seconds, duration_seconds = EXCLUDED.duration_seconds,
        device_id = EXCLUDED.device_id, session_id = EXCLUDED.session_id, sequence = EXCLUDED.sequence,
        server_order = EXCLUDED.server_order, updated_at = EXCLUDED.updated_at,
        completed = EXCLUDED.completed, dismissed = EXCLUDED.dismissed, reason = EXCLUDED.reason
    WHERE watch_progress.server_order < EXCLUDED.server_order
    """
)
_KEEP_HIGH_WATER = text(
    """
    INSERT INTO playback_sessions (user_id, content_id, session_id, high_water, updated_at)
    SELECT wp.user_id, wp.content_id, m.session_id, m.high_water, wp.updated_at
    FROM unnest(CAST(:user_id AS uuid[]), CAST(:content_id AS uuid[]), CAST(:session_id AS text[]),
                CAST(:high_water AS int8[])) AS m (user_id, content_id, session_id, high_water)
    JOIN watch_progress wp ON wp.user_id = m.user_id AND wp.content_id = m.content_id
    ON CONFLICT (user_id, content_id, session_id) DO UPDATE SET
        high_water = greatest(playback_sessions.high_water, EXCLUDED.high_water),
        updated_at = greatest(playback_sessions.updated_at, EXCLUDED.updated_at)
    """
)
_ADD_EVENTS = text(
    """
    INSERT INTO watch_events (user_id, content_id, position_seconds, progress_percent, completed, device_id,
        occurred_at, change_id)
    SELECT e.user_id, e.content_id, e.position_seconds, e.progress_percent, e.completed, e.device_id,
        e.occurred_at, NULLIF(e.change_id, '')
    FROM unnest(CAST(:user_id AS uuid[]), CAST(:content_id AS uuid[]), CAST(:position_seconds AS float8[]),
                CAST(:progress_percent AS float8[]), CAST(:completed AS bool[]), CAST(:device_id AS text[]),
                CAST(:occurred_at AS timestamptz[]), CAST(:change_id AS text[])) WITH ORDINALITY
         AS e (user_id, content_id, position_seconds, progress_percent, completed, device_id, occurred_at, change_id, n)
    WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)
    ORDER BY e.n
    ON CONFLICT (change_id) DO NOTHING
    """
)
_LOAD = text(
    """
    SELECT wp.*, (SELECT json_object_agg(s.session_id, s.high_water) FROM playback_sessions s
                  WHERE s.user_id = :user_id AND s.content_id = :content_id) AS high_water
    FROM (SELECT 1) AS one
    LEFT JOIN watch_progress wp ON wp.user_id = :user_id AND wp.content_id = :content_id
    """
)


class PostgresProgressArchive:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        """One statement per table whatever the batch size: rows travel as arrays (unnest)."""
        try:
            await self._write(snapshots, events)
        except DBAPIError as error:
            refusal = _refusal(error)
            if refusal is None:
                raise
            raise ArchiveRefused(refusal) from error

    async def _write(self, snapshots: Sequence[ProgressSnapshot], events: Sequence[WatchEvent]) -> None:
        states = [s.progress for s in snapshots if s.progress is not None]
        marks = [(s.user_id, s.content_id, session, mark) for s in snapshots for session, mark in s.high_water.items()]
        async with self._engine.begin() as conn:
            if states:
                await conn.execute(_KEEP_PROGRESS, _columns([_progress_values(p) for p in states]))
            if marks:
                user_ids, content_ids, sessions, high_waters = zip(*marks, strict=True)
                await conn.execute(
                    _KEEP_HIGH_WATER,
                    {
                        "user_id": list(user_ids),
                        "content_id": list(content_ids),
                        "session_id": list(sessions),
                        "high_water": list(high_waters),
                    },
                )
            if events:
                await conn.execute(_ADD_EVENTS, _columns([attrs.asdict(e) for e in events]))

    async def load(self, user_id: UUID, content_id: UUID) -> ProgressSnapshot:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_LOAD, {"user_id": user_id, "content_id": content_id})).mappings().one()
        high_water = row["high_water"] or {}
        if isinstance(high_water, str):
            high_water = json.loads(high_water)
        progress = progress_from_row(row) if row["user_id"] is not None else None
        return ProgressSnapshot(user_id, content_id, progress, {k: int(v) for k, v in high_water.items()})

    async def remove_stale(self, before: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(watch_progress).where(watch_progress.c.updated_at < before))
        return int(result.rowcount)


def _refusal(error: DBAPIError) -> str | None:
    """Why PostgreSQL or asyncpg refused the data itself (``data_fault``); None for anything else
    (an unreachable server, a timeout), which a retry may cure."""
    if data_fault(error) is None:
        return None
    cause = error.orig.__cause__ if error.orig is not None else None
    return (str(cause or error.orig).strip().splitlines() or [type(error.orig).__name__])[0][:300]


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [row[name] for row in rows] for name in rows[0]}


def _progress_values(progress: WatchProgress) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(progress, name) for name in _PROGRESS_COLUMNS}
    values["reason"] = progress.reason.value
    return values


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

    async def history(self, user_id: UUID) -> list[WatchEvent]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(watch_events).where(watch_events.c.user_id == user_id).order_by(watch_events.c.id)
            )
            return [
                WatchEvent(
                    **{k: v for k, v in row.items() if k not in ("id", "change_id")}, change_id=row["change_id"] or ""
                )
                for row in result.mappings()
            ]


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
