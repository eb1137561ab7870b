"""What both readers of the analytics (on the rollups, in memory) do alike: the window's buckets
and the three ranked lists cut from the queries that passed k-anonymity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.search_analytics.models import AnalyticsWindow, QueryStats


def bucket_starts(window: AnalyticsWindow, now: datetime) -> list[datetime]:
    """The start of every bucket of the window's trend, oldest first: hours (1h, 24h) or UTC days
    (7d, 30d) from ``window.first_bucket(now)`` up to the one holding ``now``."""
    step = timedelta(days=1) if window.daily else timedelta(hours=1)
    starts = []
    start = window.first_bucket(now)
    while start <= now:
        starts.append(start)
        start += step
    return starts


def ranked_lists(
    listed: Iterable[QueryStats], limit: int
) -> tuple[tuple[QueryStats, ...], tuple[QueryStats, ...], tuple[QueryStats, ...]]:
    """popular (by searches), zero_results (queries with searches that found nothing, by those
    searches) and no_clicks (queries whose searches found something and got no click, by
    searches); ties by query text. ``listed`` must hold only queries that may be shown."""
    queries = list(listed)
    popular = sorted(queries, key=lambda s: (-s.searches, s.query))[:limit]
    zero = sorted((s for s in queries if s.zero_result_searches), key=lambda s: (-s.zero_result_searches, s.query))
    quiet = sorted(
        (s for s in queries if s.searches > s.zero_result_searches and s.clicks == 0),
        key=lambda s: (-s.searches, s.query),
    )
    return tuple(popular), tuple(zero[:limit]), tuple(quiet[:limit])
