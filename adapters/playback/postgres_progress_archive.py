"""The progress archive on PostgreSQL: the durable record behind the live store (states, each
session's high water, the viewing history)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.playback.postgres_progress_rows import progress_from_row, progress_values
from adapters.postgres.errors import data_fault
from adapters.postgres.tables import watch_progress
from application.playback.progress_archive_ports import ArchiveRefused, ProgressSnapshot, WatchEvent

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
                await conn.execute(_KEEP_PROGRESS, _columns([progress_values(p) for p in states]))
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
