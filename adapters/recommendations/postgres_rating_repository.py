"""Viewers' ratings on PostgreSQL (``recommendation_ratings``: one per viewer and title)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import recommendation_ratings as ratings
from domain.recommendations.ratings import Rating


class PostgresRatingRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def put(self, rating: Rating) -> None:
        values = {"user_id": rating.user_id, "content_id": rating.content_id, "rating": rating.rating}
        statement = insert(ratings).values(**values, rated_at=rating.rated_at)
        statement = statement.on_conflict_do_update(
            index_elements=[ratings.c.user_id, ratings.c.content_id],
            set_={"rating": statement.excluded.rating, "rated_at": statement.excluded.rated_at},
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def delete(self, user_id: UUID, content_id: UUID) -> bool:
        where = (ratings.c.user_id == user_id) & (ratings.c.content_id == content_id)
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(ratings).where(where))
        return bool(result.rowcount)

    async def list_for(self, user_id: UUID) -> list[Rating]:
        query = (
            select(ratings)
            .where(ratings.c.user_id == user_id)
            .order_by(ratings.c.rated_at.desc(), ratings.c.content_id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [Rating(r["user_id"], r["content_id"], r["rating"], r["rated_at"]) for r in rows]
