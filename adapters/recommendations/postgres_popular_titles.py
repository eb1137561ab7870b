"""Popularity from the watch history: per item (an episode counts for its series), how many viewers
finished it in the last ``days``, filters and exclusions inside the query. Answers are kept in this
process for ``cache_seconds`` (every viewer without a model asks the same few questions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs
from sqlalchemy import Text, cast, distinct, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import content, content_availability, watch_progress
from application.recommendations.vector_index_ports import ItemFilter, Scored
from application.shared.ports import Clock

_MAX_CACHED = 10_000


class PostgresPopularTitles:
    def __init__(self, engine: AsyncEngine, clock: Clock, days: int, cache_seconds: float) -> None:
        self._engine = engine
        self._clock = clock
        self._days = days
        self._cache_for = timedelta(seconds=cache_seconds)
        self._cached: dict[tuple[ItemFilter, int], tuple[datetime, list[Scored]]] = {}

    async def popular(self, where: ItemFilter, limit: int) -> list[Scored]:
        now = self._clock.now()
        cached = self._cached.get((where, limit))
        if cached is not None and self._cache_for and now < cached[0]:
            return cached[1]
        answer = await self._query(where, limit)
        if self._cache_for:
            if len(self._cached) >= _MAX_CACHED:
                self._cached.clear()
            self._cached[(where, limit)] = (now + self._cache_for, answer)
        return answer

    async def popular_like(self, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored]:
        async with self._engine.connect() as conn:
            genres = await conn.scalar(select(content.c.genres).where(content.c.id == item_id))
        like = attrs.evolve(where, genres_any=tuple(genres or ()), exclude=where.exclude | {item_id})
        return await self.popular(like, limit)

    async def _query(self, where: ItemFilter, limit: int) -> list[Scored]:
        now = self._clock.now()
        item_key = func.coalesce(content.c.series_id, content.c.id)
        finished = (
            select(item_key.label("item_id"), func.count(distinct(watch_progress.c.user_id)).label("viewers"))
            .select_from(watch_progress.join(content, content.c.id == watch_progress.c.content_id))
            .where(watch_progress.c.completed, watch_progress.c.updated_at >= now - timedelta(days=self._days))
            .group_by(item_key)
            .cte("finished")
        )
        item = content.alias("item")
        query = (
            select(finished.c.item_id, finished.c.viewers)
            .select_from(finished.join(item, item.c.id == finished.c.item_id))
            .where(item.c.withdrawn_at.is_(None))
        )
        if where.kind is not None:
            query = query.where(item.c.kind == where.kind)
        if where.genres_any:
            query = query.where(item.c.genres.op("&&")(cast(list(where.genres_any), ARRAY(Text))))
        if where.exclude:
            query = query.where(finished.c.item_id.not_in(list(where.exclude)))
        if where.platform is not None or where.region is not None:
            offer = content_availability
            offered = select(offer.c.content_id).where(
                offer.c.content_id == item.c.id,
                (offer.c.available_from.is_(None)) | (offer.c.available_from <= now),
                (offer.c.available_until.is_(None)) | (offer.c.available_until > now),
            )
            if where.platform is not None:
                offered = offered.where(offer.c.platform == where.platform)
            if where.region is not None:
                offered = offered.where(offer.c.region == where.region)
            query = query.where(offered.exists())
        query = query.order_by(finished.c.viewers.desc(), finished.c.item_id).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Scored(row.item_id, float(row.viewers)) for row in rows]
