"""The analytics report's figures from the rollups on PostgreSQL, never from the raw rows.

Totals, latency and trend read the window's total rows: hourly for 1h and 24h, daily for 7d and
30d. The three lists read the window's materialised per-query rows (``search_windows``) when the
last rollup run built them for this window's first bucket, else ONE aggregation over the window's
query rows by integer ``query_key``: k-anonymity as a HAVING (on at least one UTC day of the
window ``min_viewers`` distinct viewers; for the hourly windows, the sum of that day's hours
inside the window). Either way, ranks for the three orders, and the texts joined only for the
keys that can make a list (ties at the cut included, so the order by text stays exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import attrs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.search_analytics.ddsketch_latency import percentiles, quantile
from adapters.search_analytics.rollup_columns import SUMS as _SUMS
from adapters.search_analytics.search_windows import usable_build
from adapters.search_analytics.window_figures import bucket_starts, ranked_lists
from application.search_analytics.report_ports import WindowRead
from domain.search_analytics.models import (
    ALL_PLATFORMS,
    AnalyticsTotals,
    AnalyticsWindow,
    QueryStats,
    TrendPoint,
)

_HOURLY_TOTALS = text(
    """
    SELECT bucket_start, searches, viewers, zero_result_searches, clicked_searches, latency_sketch
    FROM search_hourly_totals
    WHERE platform = :platform AND bucket_start >= :first AND bucket_start <= :now
    """
)
_DAILY_TOTALS = text(
    """
    SELECT day, searches, viewers, zero_result_searches, clicked_searches, latency_sketch
    FROM search_daily_totals
    WHERE platform = :platform AND day >= :first_day AND day <= :last_day
    """
)
_HOURLY_PER_KEY = f"""
    per_day AS (
        SELECT query_key, {_SUMS}
        FROM search_hourly_queries
        WHERE platform = :platform AND bucket_start >= :first AND bucket_start <= :now
        GROUP BY query_key, (bucket_start AT TIME ZONE 'UTC')::date
    ),
    per_key AS (
        SELECT query_key, {_SUMS} FROM per_day
        GROUP BY query_key HAVING max(viewers) >= :min_viewers
    )
"""  # noqa: S608 (made of this module's constants, no input)
_DAILY_PER_KEY = f"""
    per_key AS (
        SELECT query_key, {_SUMS}
        FROM search_daily_queries
        WHERE platform = :platform AND day >= :first_day AND day <= :last_day
        GROUP BY query_key HAVING max(viewers) >= :min_viewers
    )
"""  # noqa: S608 (made of this module's constants, no input)
_BUILT_PER_KEY = """
    per_key AS (
        SELECT query_key, searches, viewers, zero_result_searches, clicked_searches, clicks, click_position_sum
        FROM search_window_queries
        WHERE window_name = :window AND platform = :platform AND max_day_viewers >= :min_viewers
    )
"""
_LISTS = """
    WITH {per_key},
    ranked AS (
        SELECT per_key.*,
            rank() OVER (ORDER BY searches DESC) AS popular_rank,
            rank() OVER (PARTITION BY zero_result_searches > 0 ORDER BY zero_result_searches DESC) AS zero_rank,
            rank() OVER (PARTITION BY searches > zero_result_searches AND clicks = 0 ORDER BY searches DESC)
                AS quiet_rank
        FROM per_key
    )
    SELECT texts.query, ranked.searches, ranked.viewers, ranked.zero_result_searches,
        ranked.clicked_searches, ranked.clicks, ranked.click_position_sum
    FROM ranked JOIN search_query_texts AS texts ON texts.query_key = ranked.query_key
    WHERE ranked.popular_rank <= :limit
        OR (ranked.zero_result_searches > 0 AND ranked.zero_rank <= :limit)
        OR (ranked.searches > ranked.zero_result_searches AND ranked.clicks = 0 AND ranked.quiet_rank <= :limit)
"""
# For this read's transaction only. Custom plans: asyncpg prepares statements, and after five runs
# PostgreSQL may keep a generic plan that cannot see the platform is selective (a sequential scan
# of every dimension: 195 ms instead of 33 ms for one platform over 30 days, measured). Memory:
# the lists' hash aggregation spills to disk at the default 4 MB over a month of queries.
_READ_SETTINGS = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('work_mem', '64MB', true)"
)
_HOURLY_LISTS = text(_LISTS.format(per_key=_HOURLY_PER_KEY))
_DAILY_LISTS = text(_LISTS.format(per_key=_DAILY_PER_KEY))
_BUILT_LISTS = text(_LISTS.format(per_key=_BUILT_PER_KEY))


@attrs.frozen
class PostgresSearchAnalyticsReader:
    engine: AsyncEngine

    async def read(
        self, window: AnalyticsWindow, now: datetime, platform: str | None, min_viewers: int, limit: int
    ) -> WindowRead:
        first = window.first_bucket(now)
        params: dict[str, Any] = {
            "platform": ALL_PLATFORMS if platform is None else platform,
            "min_viewers": min_viewers,
            "limit": limit,
            "window": window.value,
        }
        if window.daily:
            params |= {"first_day": first.date(), "last_day": now.date()}
            totals_statement, lists_statement = _DAILY_TOTALS, _DAILY_LISTS
        else:
            params |= {"first": first, "now": now}
            totals_statement, lists_statement = _HOURLY_TOTALS, _HOURLY_LISTS
        async with self.engine.connect() as conn:
            # one snapshot: a rollup run committing meanwhile must not split the totals from the lists
            await conn.execution_options(isolation_level="REPEATABLE READ")
            await conn.execute(_READ_SETTINGS)
            buckets = (await conn.execute(totals_statement, params)).all()
            if await usable_build(conn, window, now, min_viewers):
                lists_statement = _BUILT_LISTS
            listed = (await conn.execute(lists_statement, params)).all()
        popular, zero_results, no_clicks = ranked_lists((_stats(row) for row in listed), limit)
        return WindowRead(
            totals=AnalyticsTotals(
                searches=sum(row.searches for row in buckets),
                viewers=sum(row.viewers for row in buckets),
                zero_result_searches=sum(row.zero_result_searches for row in buckets),
                clicked_searches=sum(row.clicked_searches for row in buckets),
            ),
            latency=percentiles(row.latency_sketch for row in buckets),
            popular=popular,
            zero_results=zero_results,
            no_clicks=no_clicks,
            trend=_trend(window, now, buckets),
        )


def _bucket_start(row: Any) -> datetime:
    if hasattr(row, "day"):
        return datetime.combine(row.day, time(), tzinfo=UTC)
    return row.bucket_start.astimezone(UTC)  # type: ignore[no-any-return]


def _trend(window: AnalyticsWindow, now: datetime, buckets: Sequence[Any]) -> tuple[TrendPoint, ...]:
    by_start = {_bucket_start(row): row for row in buckets}
    points = []
    for start in bucket_starts(window, now):
        row = by_start.get(start)
        if row is None:
            points.append(TrendPoint(bucket_start=start, searches=0, p95_ms=None))
        else:
            points.append(
                TrendPoint(bucket_start=start, searches=row.searches, p95_ms=quantile([row.latency_sketch], 0.95))
            )
    return tuple(points)


def _stats(row: Any) -> QueryStats:
    return QueryStats(
        query=row.query,
        searches=int(row.searches),
        viewers=int(row.viewers),
        zero_result_searches=int(row.zero_result_searches),
        clicked_searches=int(row.clicked_searches),
        clicks=int(row.clicks),
        click_position_sum=int(row.click_position_sum),
    )
