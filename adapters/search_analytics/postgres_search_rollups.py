"""Hourly and daily rollups of the raw searches and clicks on PostgreSQL.

An hour's rows are replaced by a recomputation from the raw rows (``search_events`` LEFT JOIN
``search_clicks``), so re-running changes nothing. Each search counts in two platform dimensions:
its own platform filter ('' none) and ``ALL_PLATFORMS`` ('*'). Every column is summable:
``viewers`` counts the viewers whose first search of this query (totals: of anything) that UTC
day, in this dimension, falls in this hour, so a day's distinct viewers is the sum of its hours.
Because of that, an hour's viewers depend on the earlier hours of its day: when an hour is rolled
up again, the later hours of its day already rolled up are recomputed with it. A day's rows are
the sum of its hourly rows; its latency sketch the merge of theirs. Then, in the same transaction,
the report's materialised windows are rebuilt where they changed (``search_windows``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import attrs
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT, TIMESTAMP
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.search_analytics.ddsketch_latency import merged_bytes, sketch_bytes
from adapters.search_analytics.rollup_columns import COLUMNS as _COLUMNS
from adapters.search_analytics.rollup_columns import COUNT_NAMES
from adapters.search_analytics.rollup_columns import SUMS as _SUMS
from adapters.search_analytics.search_windows import rebuild_windows

# one rollup at a time across processes (an arbitrary constant of this context)
_LOCK_KEY = 0x5EA2C4_0015

_HOUR = timedelta(hours=1)

# Every search of the hour with its clicks, and whether it is the viewer's first of the day (of
# this query; of anything) before this hour, for '*' and for its own platform.
_HOUR_EVENTS = """
    hour AS (
        SELECT e.query_key, e.platform, e.viewer, e.result_count, e.latency_ms,
            coalesce(c.clicks, 0) AS clicks, coalesce(c.position_sum, 0) AS position_sum,
            NOT EXISTS (SELECT 1 FROM search_events p WHERE p.query_key = e.query_key
                AND p.viewer = e.viewer AND p.occurred_at >= :day_start AND p.occurred_at < :start)
                AS new_for_query,
            NOT EXISTS (SELECT 1 FROM search_events p WHERE p.query_key = e.query_key
                AND p.viewer = e.viewer AND p.platform = e.platform
                AND p.occurred_at >= :day_start AND p.occurred_at < :start) AS new_for_query_here,
            NOT EXISTS (SELECT 1 FROM search_events p WHERE p.viewer = e.viewer
                AND p.occurred_at >= :day_start AND p.occurred_at < :start) AS new_today,
            NOT EXISTS (SELECT 1 FROM search_events p WHERE p.viewer = e.viewer
                AND p.platform = e.platform AND p.occurred_at >= :day_start AND p.occurred_at < :start)
                AS new_today_here
        FROM search_events e
        LEFT JOIN (
            SELECT search_at, search_id, count(*) AS clicks, sum(position) AS position_sum
            FROM search_clicks WHERE search_at >= :start AND search_at < :end
            GROUP BY search_at, search_id
        ) c ON c.search_at = e.occurred_at AND c.search_id = e.search_id
        WHERE e.occurred_at >= :start AND e.occurred_at < :end
    ),
    dims AS (
        SELECT d.platform, h.query_key, h.viewer, h.result_count, h.latency_ms, h.clicks,
            h.position_sum, d.new_for_query, d.new_today
        FROM hour h CROSS JOIN LATERAL (VALUES
            ('*', h.new_for_query, h.new_today),
            (h.platform, h.new_for_query_here, h.new_today_here)
        ) AS d(platform, new_for_query, new_today)
    )
"""
_COUNTS = """
    count(*) AS searches,
    count(DISTINCT viewer) FILTER (WHERE {new}) AS viewers,
    count(*) FILTER (WHERE result_count = 0) AS zero_result_searches,
    count(*) FILTER (WHERE clicks > 0) AS clicked_searches,
    coalesce(sum(clicks), 0) AS clicks,
    coalesce(sum(position_sum), 0) AS click_position_sum
"""

_PENDING = text("SELECT bucket_start, mark FROM search_rollup_pending ORDER BY bucket_start")
_ROLLED_LATER = text(
    "SELECT bucket_start FROM search_hourly_totals WHERE platform = '*' AND bucket_start > :after "
    "AND bucket_start < :day_end"
)
_CLEAR_HOUR = (
    text("DELETE FROM search_hourly_queries WHERE bucket_start = :start"),
    text("DELETE FROM search_hourly_totals WHERE bucket_start = :start"),
)
_HOUR_QUERIES = text(
    f"""
    INSERT INTO search_hourly_queries (bucket_start, platform, query_key, {_COLUMNS})
    WITH {_HOUR_EVENTS}
    SELECT :start, platform, query_key, {_COUNTS.format(new="new_for_query")}
    FROM dims GROUP BY platform, query_key
    """  # noqa: S608 (made of this module's constants, no input)
)
_HOUR_TOTALS = text(
    f"""
    WITH {_HOUR_EVENTS}
    SELECT platform, {_COUNTS.format(new="new_today")}, array_agg(latency_ms) AS latencies
    FROM dims GROUP BY platform
    """  # noqa: S608 (made of this module's constants, no input)
)
_INSERT_HOUR_TOTALS = text(
    f"""
    INSERT INTO search_hourly_totals (bucket_start, platform, {_COLUMNS}, latency_sketch)
    VALUES (:start, :platform, :searches, :viewers, :zero_result_searches, :clicked_searches, :clicks,
        :click_position_sum, :latency_sketch)
    """  # noqa: S608 (made of this module's constants, no input)
)
_QUERY_TEXTS = text(
    """
    INSERT INTO search_query_texts (query_key, query)
    SELECT DISTINCT ON (query_key) query_key, query FROM search_events
    WHERE occurred_at >= :start AND occurred_at < :end
    ON CONFLICT (query_key) DO NOTHING
    """
)
_CLEAR_DAY = (
    text("DELETE FROM search_daily_queries WHERE day = :day"),
    text("DELETE FROM search_daily_totals WHERE day = :day"),
)
_DAY_QUERIES = text(
    f"""
    INSERT INTO search_daily_queries (day, platform, query_key, {_COLUMNS})
    SELECT CAST(:day AS date), platform, query_key, {_SUMS}
    FROM search_hourly_queries WHERE bucket_start >= :day_start AND bucket_start < :day_end
    GROUP BY platform, query_key
    """  # noqa: S608 (made of this module's constants, no input)
)
_DAY_HOURS = text(
    f"""
    SELECT platform, {_COLUMNS}, latency_sketch FROM search_hourly_totals
    WHERE bucket_start >= :day_start AND bucket_start < :day_end
    """  # noqa: S608 (made of this module's constants, no input)
)
_INSERT_DAY_TOTALS = text(
    f"""
    INSERT INTO search_daily_totals (day, platform, {_COLUMNS}, latency_sketch)
    VALUES (:day, :platform, :searches, :viewers, :zero_result_searches, :clicked_searches, :clicks,
        :click_position_sum, :latency_sketch)
    """  # noqa: S608 (made of this module's constants, no input)
)
# A mark that changed since it was read (a search landed meanwhile) keeps its hour pending.
_UNMARK = text(
    """
    DELETE FROM search_rollup_pending p
    USING unnest(:buckets, :marks) AS done(bucket_start, mark)
    WHERE p.bucket_start = done.bucket_start AND p.mark = done.mark
    """
).bindparams(
    bindparam("buckets", type_=ARRAY(TIMESTAMP(timezone=True))),
    bindparam("marks", type_=ARRAY(BIGINT)),
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@attrs.frozen
class PostgresSearchRollups:
    engine: AsyncEngine
    min_viewers: int  # the k-anonymity threshold the materialised windows are built for

    async def roll_up_pending(self, not_before: datetime, now: datetime) -> int:
        async with self.engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            pending = [(row.bucket_start, row.mark) for row in await conn.execute(_PENDING)]
            hours_by_day: dict[date, set[datetime]] = defaultdict(set)
            for bucket_start, _ in pending:
                if bucket_start >= not_before:
                    hour = bucket_start.astimezone(UTC)
                    hours_by_day[hour.date()].add(hour)
            rolled = 0
            for day, hours in sorted(hours_by_day.items()):
                day_end = _midnight(day) + timedelta(days=1)
                later = await conn.execute(_ROLLED_LATER, {"after": min(hours), "day_end": day_end})
                hours |= {row.bucket_start.astimezone(UTC) for row in later}
                for hour in sorted(hours):
                    await self._roll_up_hour(conn, hour)
                await self._roll_up_day(conn, day)
                rolled += len(hours)
            if pending:
                await conn.execute(
                    _UNMARK, {"buckets": [bucket for bucket, _ in pending], "marks": [mark for _, mark in pending]}
                )
            await rebuild_windows(conn, now, self.min_viewers, rolled_days=hours_by_day.keys())
        return rolled

    @staticmethod
    async def _roll_up_hour(conn: AsyncConnection, start: datetime) -> None:
        params = {"start": start, "end": start + _HOUR, "day_start": _midnight(start.date())}
        for statement in _CLEAR_HOUR:
            await conn.execute(statement, {"start": start})
        await conn.execute(_HOUR_QUERIES, params)
        totals = (await conn.execute(_HOUR_TOTALS, params)).mappings().all()
        if totals:
            await conn.execute(
                _INSERT_HOUR_TOTALS,
                [
                    {
                        "start": start,
                        "platform": row["platform"],
                        **{name: row[name] for name in COUNT_NAMES},
                        "latency_sketch": sketch_bytes(row["latencies"]),
                    }
                    for row in totals
                ],
            )
        await conn.execute(_QUERY_TEXTS, {"start": start, "end": start + _HOUR})

    @staticmethod
    async def _roll_up_day(conn: AsyncConnection, day: date) -> None:
        bounds = {"day_start": _midnight(day), "day_end": _midnight(day) + timedelta(days=1)}
        for statement in _CLEAR_DAY:
            await conn.execute(statement, {"day": day})
        await conn.execute(_DAY_QUERIES, {"day": day, **bounds})
        counts: dict[str, list[int]] = {}
        sketches: dict[str, list[bytes]] = defaultdict(list)
        for row in (await conn.execute(_DAY_HOURS, bounds)).mappings():
            sums = counts.setdefault(row["platform"], [0] * len(COUNT_NAMES))
            for index, name in enumerate(COUNT_NAMES):
                sums[index] += row[name]
            sketches[row["platform"]].append(row["latency_sketch"])
        if counts:
            await conn.execute(
                _INSERT_DAY_TOTALS,
                [
                    {
                        "day": day,
                        "platform": platform,
                        **dict(zip(COUNT_NAMES, sums, strict=True)),
                        "latency_sketch": merged_bytes(sketches[platform]),
                    }
                    for platform, sums in counts.items()
                ],
            )
