"""The interaction history on PostgreSQL: playback's ``watch_events`` (every recorded update) and
``watch_progress`` (the current state), and ``recommendation_ratings``, rolled up to items by
``interaction_rollup`` (the rules are documented there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.recommendations.interaction_rollup import RatingRow, TitleRow, rolled_up
from application.recommendations.viewer_change_ports import ChangedHistory
from domain.recommendations.interactions import Interaction

_VIEWERS = text(
    """
    SELECT user_id FROM watch_progress UNION SELECT user_id FROM watch_events
    UNION SELECT user_id FROM recommendation_ratings ORDER BY 1
    """
)
# Per (viewer, title): the furthest update, how many runs of completed updates (a rewatch is a
# completion after updates that were not), and the current state; episodes named by their series.
_TITLES = text(
    """
    WITH ev AS (
        SELECT user_id, content_id, progress_percent, completed,
               lag(completed, 1, false) OVER (PARTITION BY user_id, content_id ORDER BY id) AS before
        FROM watch_events WHERE user_id = ANY(CAST(:users AS uuid[]))
    ), ev_agg AS (
        SELECT user_id, content_id, max(progress_percent) / 100 AS fraction,
               count(*) FILTER (WHERE completed AND NOT before) AS runs
        FROM ev GROUP BY user_id, content_id
    ), wp AS (
        SELECT user_id, content_id, completed, dismissed, updated_at,
               CASE WHEN duration_seconds > 0 THEN position_seconds / duration_seconds ELSE 0 END AS fraction
        FROM watch_progress WHERE user_id = ANY(CAST(:users AS uuid[]))
    )
    SELECT t.user_id, coalesce(c.series_id, c.id) AS item_id,
           greatest(coalesce(t.ev_fraction, 0), coalesce(t.wp_fraction, 0)) AS fraction,
           greatest(coalesce(t.runs, 0), CASE WHEN t.completed THEN 1 ELSE 0 END) AS completions,
           coalesce(t.dismissed, false) AS dismissed, t.updated_at
    FROM (
        SELECT user_id, content_id, e.fraction AS ev_fraction, e.runs, w.fraction AS wp_fraction,
               w.completed, w.dismissed, w.updated_at
        FROM ev_agg e FULL JOIN wp w USING (user_id, content_id)
    ) AS t
    JOIN content c ON c.id = t.content_id
    """
)
_RATINGS = text(
    """
    SELECT r.user_id, coalesce(c.series_id, c.id) AS item_id, r.rating, r.rated_at,
           c.series_id IS NULL AS of_item_itself
    FROM recommendation_ratings r JOIN content c ON c.id = r.content_id
    WHERE r.user_id = ANY(CAST(:users AS uuid[]))
    """
)
_CHANGES_SINCE = text(
    """
    SELECT (SELECT count(*) FROM watch_progress WHERE updated_at > :moment)
         + (SELECT count(*) FROM recommendation_ratings WHERE rated_at > :moment)
    """
)
_CHANGED = text(
    """
    SELECT user_id, content_id, updated_at AS changed_at FROM watch_progress WHERE updated_at > :moment
    UNION ALL
    SELECT user_id, content_id, rated_at FROM recommendation_ratings WHERE rated_at > :moment
    """
)


class PostgresInteractionHistory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def every_interaction(self, batch_size: int) -> AsyncIterator[Sequence[Interaction]]:
        async with self._engine.connect() as conn:
            viewers = [row[0] for row in await conn.execute(_VIEWERS)]
        for start in range(0, len(viewers), batch_size):
            async with self._engine.connect() as conn:
                batch = await _interactions(conn, viewers[start : start + batch_size])
            if batch:
                yield batch

    async def viewer_interactions(self, user_id: UUID) -> list[Interaction]:
        async with self._engine.connect() as conn:
            return await _interactions(conn, [user_id])

    async def changes_since(self, moment: datetime) -> int:
        async with self._engine.connect() as conn:
            return int((await conn.execute(_CHANGES_SINCE, {"moment": moment})).scalar_one())

    async def changed_since(self, moment: datetime) -> list[ChangedHistory]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_CHANGED, {"moment": moment})).all()
        return [ChangedHistory(user_id=r[0], content_id=r[1], changed_at=r[2]) for r in rows]


async def _interactions(conn: AsyncConnection, viewers: Sequence[UUID]) -> list[Interaction]:
    users = {"users": list(viewers)}
    titles = [TitleRow(**row) for row in (await conn.execute(_TITLES, users)).mappings()]
    ratings = [RatingRow(**row) for row in (await conn.execute(_RATINGS, users)).mappings()]
    return rolled_up(titles, ratings)
