from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from domain.search_analytics.models import (
    AnalyticsTotals,
    AnalyticsWindow,
    LatencyPercentiles,
    QueryStats,
    TrendPoint,
)


@frozen
class WindowRead:
    """What the rollups say about a window, before the catalog is asked about zero-result queries."""

    totals: AnalyticsTotals
    latency: LatencyPercentiles | None
    popular: tuple[QueryStats, ...]
    zero_results: tuple[QueryStats, ...]
    no_clicks: tuple[QueryStats, ...]
    trend: tuple[TrendPoint, ...]


class SearchAnalyticsReader(Protocol):
    async def read(
        self, window: AnalyticsWindow, now: datetime, platform: str | None, min_viewers: int, limit: int
    ) -> WindowRead:
        """The window's figures from the rollups only (never the raw rows). A query is in a list
        only when on one UTC day of the window at least ``min_viewers`` distinct viewers searched
        it; totals count everything. ``platform`` None: every search; else the searches filtered
        to that platform. popular: by searches; zero_results: queries with searches that found
        nothing, by those searches; no_clicks: queries whose searches found results and got no
        click, by searches. Trend: one point per hour (1h, 24h) or per day (7d, 30d), oldest first,
        buckets without searches included."""


class ClosestTitles(Protocol):
    async def closest(self, query: str, limit: int) -> tuple[str, ...]:
        """Catalog titles nearest ``query`` by trigram similarity, nearest first."""
