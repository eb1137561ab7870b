from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from domain.catalog.search import SearchPage, SearchQuery

# Full-text matches (stemmed, any word order) rank first; trigram word similarity on the title
# catches typos ("matrx", "stranger signls") that the full-text parser cannot.
_SEARCH = """
WITH q AS (
    SELECT websearch_to_tsquery('english', :text) AS english,
           websearch_to_tsquery('simple', :text) AS simple,
           lower(:text) AS raw
)
SELECT c.id, c.title, c.kind, c.series_id, c.season_number, c.episode_number,
       c.runtime_seconds, c.release_year, c.genres, c.synopsis, c.external_ids, c.withdrawn_at,
       count(*) OVER () AS total_matches
FROM content AS c, q
WHERE (c.search_vector @@ q.english OR c.search_vector @@ q.simple OR q.raw <% lower(c.title))
  AND c.withdrawn_at IS NULL
  {filters}
ORDER BY
    (lower(c.title) = q.raw) DESC,
    ts_rank_cd(c.search_vector, q.english) + ts_rank_cd(c.search_vector, q.simple)
        + word_similarity(q.raw, lower(c.title)) * 2
        + similarity(q.raw, lower(c.title)) DESC,
    (c.kind <> 'episode') DESC,
    c.release_year DESC,
    c.id
LIMIT :limit OFFSET :offset
"""


class PostgresContentSearch:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(self, query: SearchQuery) -> SearchPage:
        filters: list[str] = []
        params: dict[str, Any] = {
            "text": query.text,
            "limit": query.page_size,
            "offset": query.offset,
        }
        if query.genre is not None:
            filters.append("AND c.genres @> ARRAY[CAST(:genre AS text)]")
            params["genre"] = query.genre
        if query.platform is not None:
            # offered there now: inside the availability's window
            filters.append(
                "AND EXISTS (SELECT 1 FROM content_availability a"
                " WHERE a.content_id = c.id AND a.platform = CAST(:platform AS text)"
                " AND (a.available_from IS NULL OR a.available_from <= coalesce(CAST(:at AS timestamptz), now()))"
                " AND (a.available_until IS NULL OR a.available_until > coalesce(CAST(:at AS timestamptz), now())))"
            )
            params["platform"] = query.platform
            params["at"] = query.at
        if query.year is not None:
            filters.append("AND c.release_year = CAST(:year AS integer)")
            params["year"] = query.year
        statement = text(_SEARCH.format(filters=" ".join(filters)))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement, params)).mappings().all()
            total = int(rows[0]["total_matches"]) if rows else 0
            if not rows and query.offset:
                total = await self._count(conn, statement, params)
            availability = await load_availability(conn, [row["id"] for row in rows])
        items = tuple(content_from_row(row, availability[row["id"]]) for row in rows)
        return SearchPage(items=items, total=total, page=query.page, page_size=query.page_size)

    async def _count(self, conn: Any, statement: Any, params: dict[str, Any]) -> int:
        """A page past the end has no rows to carry the total; ask for the first row instead."""
        first = await conn.execute(statement, {**params, "offset": 0, "limit": 1})
        row = first.mappings().first()
        return int(row["total_matches"]) if row else 0
