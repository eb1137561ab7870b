"""The report's per-query figures of every window, materialised on PostgreSQL by each rollup run.

Summing a month of daily query rows per query costs about a microsecond a row, so over 30 days of
10 million searches a live report would take seconds. Each rollup run (the only moment the rollups
change) therefore rebuilds, in its own transaction, the windows whose figures changed or whose first
bucket moved, keeping only the queries that pass k-anonymity at the configured threshold (a query
seen by fewer viewers on every day can never be listed). The reader uses a build when its first
bucket and threshold fit the report it is asked for, and reads the rollups otherwise.

7d and 30d are built in two parts, so a run under traffic costs about one day's rows, not thirty:
their past days (the first through yesterday) are summed once a day, or again when a run re-rolled
one of them, into ``search_window_past``; each run then adds today's daily rows to that, plus the
past days of the queries that pass k-anonymity only today (looked up by query). 1h and 24h read
hours and are rebuilt whole.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.search_analytics.rollup_columns import COLUMNS as _COLUMNS
from adapters.search_analytics.rollup_columns import COUNT_NAMES
from adapters.search_analytics.rollup_columns import SUMS as _SUMS
from domain.search_analytics.models import AnalyticsWindow

MATERIALISED = tuple(AnalyticsWindow)

# Per query, platform and UTC day of the window: the daily rows, or the sum of the day's hours inside it.
_DAILY_DAYS = """
    SELECT platform, query_key, day, viewers AS day_viewers, searches, viewers, zero_result_searches,
        clicked_searches, clicks, click_position_sum
    FROM search_daily_queries WHERE day >= :first_day AND day <= :last_day
"""
_HOURLY_DAYS = f"""
    SELECT platform, query_key, (bucket_start AT TIME ZONE 'UTC')::date AS day, sum(viewers) AS day_viewers,
        {_SUMS}
    FROM search_hourly_queries WHERE bucket_start >= :first AND bucket_start <= :now
    GROUP BY platform, query_key, (bucket_start AT TIME ZONE 'UTC')::date
"""  # noqa: S608 (made of this module's constants, no input)
_BUILD = """
    INSERT INTO {table} (window_name, platform, query_key, {columns}, max_day_viewers)
    WITH days AS MATERIALIZED ({days}),
    passing AS (SELECT DISTINCT platform, query_key FROM days WHERE day_viewers >= :min_viewers)
    SELECT :window, days.platform, days.query_key, {sums}, max(day_viewers)
    FROM days JOIN passing USING (platform, query_key)
    GROUP BY days.platform, days.query_key
"""
_BUILD_PAST = text(_BUILD.format(table="search_window_past", columns=_COLUMNS, days=_DAILY_DAYS, sums=_SUMS))
_BUILD_HOURLY = text(_BUILD.format(table="search_window_queries", columns=_COLUMNS, days=_HOURLY_DAYS, sums=_SUMS))
# The past part, plus today's rows, plus the past days of the queries that pass only today.
_BUILD_DAILY = text(
    f"""
    INSERT INTO search_window_queries (window_name, platform, query_key, {_COLUMNS}, max_day_viewers)
    WITH today AS MATERIALIZED (
        SELECT platform, query_key, {_COLUMNS} FROM search_daily_queries WHERE day = :today
    ),
    past AS (
        SELECT platform, query_key, {_COLUMNS}, max_day_viewers FROM search_window_past WHERE window_name = :window
    ),
    newcomers AS MATERIALIZED (
        SELECT platform, query_key FROM today
        WHERE viewers >= :min_viewers AND (platform, query_key) NOT IN (SELECT platform, query_key FROM past)
    ),
    newcomers_past AS (
        SELECT d.platform, d.query_key, {_SUMS}, max(d.viewers) AS max_day_viewers
        FROM search_daily_queries AS d JOIN newcomers USING (platform, query_key)
        WHERE d.day >= :first_day AND d.day < :today
        GROUP BY d.platform, d.query_key
    ),
    kept AS (
        SELECT * FROM past
        UNION ALL
        SELECT n.platform, n.query_key, {", ".join(f"coalesce(p.{c}, 0)" for c in COUNT_NAMES)},
            coalesce(p.max_day_viewers, 0)
        FROM newcomers AS n LEFT JOIN newcomers_past AS p USING (platform, query_key)
    )
    SELECT :window, k.platform, k.query_key, {", ".join(f"k.{c} + coalesce(t.{c}, 0)" for c in COUNT_NAMES)},
        greatest(k.max_day_viewers, coalesce(t.viewers, 0))
    FROM kept AS k LEFT JOIN today AS t USING (platform, query_key)
    """  # noqa: S608 (made of this module's constants, no input)
)
_CLEAR = text("DELETE FROM search_window_queries WHERE window_name = :window")
_CLEAR_PAST = text("DELETE FROM search_window_past WHERE window_name = :window")
_RECORD_PAST = text(
    """
    INSERT INTO search_window_past_builds (window_name, first_day, through_day, min_viewers)
    VALUES (:window, :first_day, :last_day, :min_viewers)
    ON CONFLICT (window_name) DO UPDATE SET first_day = excluded.first_day,
        through_day = excluded.through_day, min_viewers = excluded.min_viewers
    """
)
_PAST_BUILDS = text("SELECT window_name, first_day, through_day, min_viewers FROM search_window_past_builds")
_RECORD = text(
    """
    INSERT INTO search_window_builds (window_name, first_bucket, min_viewers, built_at)
    VALUES (:window, :first, :min_viewers, :now)
    ON CONFLICT (window_name) DO UPDATE
        SET first_bucket = excluded.first_bucket, min_viewers = excluded.min_viewers, built_at = excluded.built_at
    """
)
_BUILDS = text("SELECT window_name, first_bucket, min_viewers FROM search_window_builds")
_BUILD_OF = text("SELECT first_bucket, min_viewers FROM search_window_builds WHERE window_name = :window")


async def rebuild_windows(conn: AsyncConnection, now: datetime, min_viewers: int, rolled_days: Collection[date]) -> int:
    """Rebuild the windows that hold a day of ``rolled_days`` (the days this run rolled up) or
    whose first bucket (or threshold) moved since their build; returns how many were rebuilt."""
    built = {row.window_name: (row.first_bucket, row.min_viewers) for row in await conn.execute(_BUILDS)}
    past_built = {
        row.window_name: (row.first_day, row.through_day, row.min_viewers) for row in await conn.execute(_PAST_BUILDS)
    }
    today = now.date()
    rebuilt = 0
    for window in MATERIALISED:
        first = window.first_bucket(now)
        touched = any(first.date() <= day <= today for day in rolled_days)
        if not touched and built.get(window.value) == (first, min_viewers):
            continue
        params = {
            "window": window.value,
            "first": first,
            "now": now,
            "min_viewers": min_viewers,
            "first_day": first.date(),
            "today": today,
            "last_day": today - timedelta(days=1),
        }
        if window.daily:
            past_moved = past_built.get(window.value) != (first.date(), today - timedelta(days=1), min_viewers)
            if past_moved or any(first.date() <= day < today for day in rolled_days):
                await conn.execute(_CLEAR_PAST, params)
                await conn.execute(_BUILD_PAST, params)
                await conn.execute(_RECORD_PAST, params)
        await conn.execute(_CLEAR, params)
        await conn.execute(_BUILD_DAILY if window.daily else _BUILD_HOURLY, params)
        await conn.execute(_RECORD, params)
        rebuilt += 1
    return rebuilt


async def usable_build(conn: AsyncConnection, window: AnalyticsWindow, now: datetime, min_viewers: int) -> bool:
    """Whether ``window``'s build answers a report at ``now`` that lists queries with at least
    ``min_viewers`` viewers on one day (a stricter threshold filters the build further)."""
    if window not in MATERIALISED:
        return False
    row = (await conn.execute(_BUILD_OF, {"window": window.value})).first()
    return row is not None and row.first_bucket == window.first_bucket(now) and row.min_viewers <= min_viewers
