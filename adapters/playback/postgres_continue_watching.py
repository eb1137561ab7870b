"""The Continue Watching list and the viewing history on PostgreSQL, read from the archive."""

from __future__ import annotations

import json
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.playback.continue_watching_cursor import encode_cursor, page_after
from adapters.playback.postgres_progress_rows import progress_from_row
from adapters.postgres.tables import watch_events
from application.playback.continue_watching_ports import ContinueWatchingEntry, ContinueWatchingPage
from application.playback.progress_archive_ports import WatchEvent
from domain.catalog.content import Availability, Content, ContentKind
from domain.playback.progress import MIN_RESUME_SECONDS

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
        after = page_after(cursor)
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
