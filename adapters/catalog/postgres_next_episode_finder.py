"""The episode after one in its series, on PostgreSQL. Serves playback's ``NextEpisodeFinder``
port structurally: the catalog does not import playback."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import content_from_row, load_availability
from adapters.postgres.tables import content
from domain.catalog.content import Content, ContentKind


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
