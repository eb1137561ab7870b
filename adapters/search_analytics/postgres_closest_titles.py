"""The catalog titles nearest a query by pg_trgm ``similarity`` (films and series, not withdrawn),
so an editor sees whether a zero-result query is a typo or a content gap. ``%`` keeps only titles
above pg_trgm's similarity threshold (0.3 by default) and uses the title's trigram index
(``content_title_trgm_idx`` on ``lower(title)``); nothing close is an answer too: a gap."""

from __future__ import annotations

import attrs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_CLOSEST = text(
    """
    SELECT title FROM (
        SELECT title, max(similarity(lower(title), lower(CAST(:query AS text)))) AS score
        FROM content
        WHERE lower(title) % lower(CAST(:query AS text)) AND kind IN ('movie', 'series') AND withdrawn_at IS NULL
        GROUP BY title
    ) AS near
    ORDER BY score DESC, title
    LIMIT :limit
    """
)


@attrs.frozen
class PostgresClosestTitles:
    engine: AsyncEngine

    async def closest(self, query: str, limit: int) -> tuple[str, ...]:
        if limit <= 0 or not query.strip():
            return ()
        async with self.engine.connect() as conn:
            rows = await conn.execute(_CLOSEST, {"query": query, "limit": limit})
            return tuple(rows.scalars())
