"""Upkeep of search analytics on PostgreSQL: raw partitions made ahead and dropped whole after the
raw retention (no row-by-row delete, no vacuum debt), old rollup rows deleted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.search_analytics.search_partitions import RAW_TABLES, create_day_partitions

# Dropping a partition locks its parent: never queue behind a long query (and every insert
# behind us); a partition not dropped now is dropped at the next round.
_LOCK_TIMEOUT = text("SET LOCAL lock_timeout = '5s'")
_PARTITIONS = text(
    """
    SELECT child.relname FROM pg_inherits
    JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
    JOIN pg_class child ON child.oid = pg_inherits.inhrelid
    WHERE parent.relname IN ('search_events', 'search_clicks')
    """
)
_DELETE_ROLLUPS = (
    text("DELETE FROM search_hourly_queries WHERE bucket_start <= :last_hour"),
    text("DELETE FROM search_hourly_totals WHERE bucket_start <= :last_hour"),
    text("DELETE FROM search_daily_queries WHERE day < :first_day"),
    text("DELETE FROM search_daily_totals WHERE day < :first_day"),
)
# A query's text once no rollup names it any more (a day's rows always include its hours' keys).
_FORGET_TEXTS = text(
    """
    DELETE FROM search_query_texts AS texts
    WHERE NOT EXISTS (SELECT 1 FROM search_daily_queries AS daily WHERE daily.query_key = texts.query_key)
    """
)


def _day_of(partition: str) -> date | None:
    table, _, suffix = partition.rpartition("_")
    if table not in RAW_TABLES:
        return None
    try:
        return datetime.strptime(suffix, "%Y%m%d").date()
    except ValueError:
        return None


@attrs.frozen
class PostgresSearchStorage:
    engine: AsyncEngine

    async def prepare_partitions(self, since: datetime, through: datetime) -> int:
        first, last = since.date(), through.date()
        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        async with self.engine.begin() as conn:
            return await create_day_partitions(conn, days)

    async def drop_raw_before(self, cutoff: datetime) -> int:
        async with self.engine.connect() as conn:
            names = list((await conn.execute(_PARTITIONS)).scalars())
        # a partition holds [day, day + 1): wholly before the cutoff when its day ends by then
        doomed = sorted(name for name in names if (day := _day_of(name)) is not None and _day_end(day) <= cutoff)
        for name in doomed:
            async with self.engine.begin() as conn:
                await conn.execute(_LOCK_TIMEOUT)
                # the name is one PostgreSQL listed and _day_of parsed, never input
                await conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        return len(doomed)

    async def delete_rollups_before(self, cutoff: datetime) -> int:
        values = {"last_hour": cutoff - timedelta(hours=1), "first_day": cutoff.date()}
        async with self.engine.begin() as conn:
            deleted = sum([(await conn.execute(statement, values)).rowcount for statement in _DELETE_ROLLUPS])
            if deleted:
                await conn.execute(_FORGET_TEXTS)
        return deleted


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
