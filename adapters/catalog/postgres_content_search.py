from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from domain.catalog.search import SearchPage, SearchQuery

# Past this many matches the total is "1,000+" (SearchPage.total_is_lower_bound) and ranking looks
# at this many candidates only: counting or ranking every match of a common word ("the": 309k of
# a million titles) is what made a search take seconds.
TOTAL_CAP = 1000

# For this transaction only. asyncpg prepares statements, and after five runs PostgreSQL may keep a
# generic plan that evaluates websearch_to_tsquery($1) for every row (three times slower, measured).
_SETTINGS = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
    " numnode(websearch_to_tsquery('english', :text)) AS english_nodes,"
    " numnode(websearch_to_tsquery('simple', :text)) AS simple_nodes"
)

_COLUMNS = """c.id, c.title, c.kind, c.series_id, c.season_number, c.episode_number,
       c.runtime_seconds, c.release_year, c.genres, c.synopsis, c.external_ids, c.withdrawn_at"""

# Candidates: the exact title first (the index on lower(title)), then full-text matches (stemmed,
# any word order), then, only when those are fewer than a page, trigram word similarity on the
# title for typos ("matrx", "stranger signls") the full-text parser cannot match. The decision
# depends on the page size alone, so every page of one search sees the same candidates.
_RANKED = """
WITH q AS (
    SELECT websearch_to_tsquery('english', :text) AS english,
           websearch_to_tsquery('simple', :text) AS simple,
           phraseto_tsquery('simple', :text) AS phrase,
           lower(:text) AS raw
),
exact AS MATERIALIZED (
    SELECT c.id, 0 AS tier FROM content AS c, q
    WHERE lower(c.title) = q.raw AND c.withdrawn_at IS NULL {filters}
    LIMIT :candidates
),
words AS MATERIALIZED (
    SELECT id, tier FROM exact
    UNION ALL
    (SELECT c.id, 1 FROM content AS c, q
     WHERE (c.search_vector @@ q.english OR c.search_vector @@ q.simple) AND lower(c.title) <> q.raw
       AND c.withdrawn_at IS NULL {filters}
     LIMIT :candidates)
    LIMIT :candidates
),
typos AS MATERIALIZED (
    SELECT c.id, 2 AS tier FROM content AS c, q
    WHERE (SELECT count(*) FROM words) < :page_size
      AND q.raw <% lower(c.title) AND c.id NOT IN (SELECT id FROM words)
      AND c.withdrawn_at IS NULL {filters}
    LIMIT :candidates
),
candidates AS MATERIALIZED (
    SELECT id, tier FROM words UNION ALL SELECT id, tier FROM typos LIMIT :candidates
)
SELECT counted.total, page.*
FROM (SELECT count(*) AS total FROM candidates) AS counted
LEFT JOIN LATERAL (
    SELECT {columns}
    FROM candidates AS k JOIN content AS c ON c.id = k.id, q
    ORDER BY
        k.tier,
        -- the title alone: in search_vector the title's words come twice in a row (simple, then
        -- english), so "Harbor Silent" would hold "silent harbor" across the seam
        (to_tsvector('simple', c.title) @@ q.phrase) DESC,
        ts_rank_cd(c.search_vector, q.english) + ts_rank_cd(c.search_vector, q.simple)
            + word_similarity(q.raw, lower(c.title)) * 2
            + similarity(q.raw, lower(c.title)) DESC,
        (c.kind <> 'episode') DESC,
        c.release_year DESC,
        c.id
    LIMIT :limit OFFSET :offset
) AS page ON true
"""

# Only stop words ("the", "of the"): the English parser drops them all, so every title holding
# them would rank the same. Answer with the exact title, then the others in title order (the
# index on lower(title) walks them in order, so a page reads a page's worth of rows).
_TITLE_ORDER = """
WITH q AS (SELECT websearch_to_tsquery('simple', :text) AS simple, lower(:text) AS raw),
counted AS (
    SELECT count(*) AS total FROM (
        SELECT 1 FROM content AS c, q
        WHERE c.search_vector @@ q.simple AND c.withdrawn_at IS NULL {filters}
        LIMIT :candidates
    ) AS matches
),
exact AS MATERIALIZED (
    SELECT c.id, 0 AS tier, lower(c.title) AS folded FROM content AS c, q
    WHERE lower(c.title) = q.raw AND c.search_vector @@ q.simple AND c.withdrawn_at IS NULL {filters}
    LIMIT :candidates
),
candidates AS MATERIALIZED (
    SELECT id, tier, folded FROM exact
    UNION ALL
    (SELECT c.id, 1, lower(c.title) FROM content AS c, q
     WHERE c.search_vector @@ q.simple AND lower(c.title) <> q.raw AND c.withdrawn_at IS NULL {filters}
     ORDER BY lower(c.title), c.id
     LIMIT CAST(:limit AS integer) + CAST(:offset AS integer))
)
SELECT counted.total, page.*
FROM counted
LEFT JOIN LATERAL (
    SELECT {columns}
    FROM candidates AS k JOIN content AS c ON c.id = k.id
    ORDER BY k.tier, k.folded, (c.kind <> 'episode') DESC, c.release_year DESC, c.id
    LIMIT :limit OFFSET :offset
) AS page ON true
"""


class PostgresContentSearch:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(self, query: SearchQuery) -> SearchPage:
        filters, params = _filters(query)
        params |= {
            "text": query.text,
            "candidates": TOTAL_CAP + 1,
            "page_size": query.page_size,
            # never past the cap: pages beyond total_pages of a capped total stay empty
            "limit": max(0, min(query.page_size, TOTAL_CAP - query.offset)),
            "offset": query.offset,
        }
        async with self._engine.connect() as conn:
            analysed = (await conn.execute(_SETTINGS, {"text": query.text})).mappings().one()
            stop_words_only = analysed["english_nodes"] == 0 and analysed["simple_nodes"] > 0
            template = _TITLE_ORDER if stop_words_only else _RANKED
            statement = text(template.format(filters=filters, columns=_COLUMNS))
            answered = (await conn.execute(statement, params)).mappings().all()
            total = int(answered[0]["total"])  # one row even when the page is empty: its columns are NULL
            rows = [row for row in answered if row["id"] is not None]
            availability = await load_availability(conn, [row["id"] for row in rows])
        items = tuple(content_from_row(row, availability[row["id"]]) for row in rows)
        return SearchPage(
            items=items,
            total=min(total, TOTAL_CAP),
            page=query.page,
            page_size=query.page_size,
            total_is_lower_bound=total > TOTAL_CAP,
        )


def _filters(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    filters: list[str] = []
    params: dict[str, Any] = {}
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
    return " ".join(filters), params
