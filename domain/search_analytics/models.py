"""What one search and one click leave behind, and what the analytics report says about a window."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from uuid import UUID

from attrs import frozen

# The platform dimension of the rollups that counts every search, whatever its platform filter.
ALL_PLATFORMS = "*"
# A search made without a platform filter.
NO_PLATFORM = ""


@frozen
class SearchEvent:
    """One search as stored: no user id and no address, only the viewer's keyed hash of the day."""

    search_id: UUID
    occurred_at: datetime
    query: str  # normalised, then masked
    query_key: int  # a stable signed 64-bit key of ``query``
    platform: str  # the platform filter, NO_PLATFORM for none
    genre: str | None
    year: int | None
    page: int
    page_size: int
    result_count: int  # the total found, not only this page
    latency_ms: float
    viewer: int  # the keyed hash (signed 64-bit) of who searched, with the salt of the UTC day
    result_ids: tuple[UUID, ...]  # the page shown, in order, to check clicks against

    def position_of(self, content_id: UUID) -> int | None:
        """The 1-based rank of ``content_id`` among all results, or None when it was not on the page."""
        try:
            index = self.result_ids.index(content_id)
        except ValueError:
            return None
        return (self.page - 1) * self.page_size + index + 1


@frozen
class SearchClick:
    search_id: UUID
    search_at: datetime  # the search's own moment: the click is counted in the search's hour
    content_id: UUID
    position: int
    clicked_at: datetime


class AnalyticsWindow(enum.Enum):
    """1h and 24h read hourly buckets; 7d and 30d read whole UTC days (today included)."""

    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def daily(self) -> bool:
        return self in (AnalyticsWindow.WEEK, AnalyticsWindow.MONTH)

    def first_bucket(self, now: datetime) -> datetime:
        """The start of the oldest bucket the window reads: the hour holding ``now - 1h`` (or
        ``now - 24h``), or midnight UTC six (or 29) days before today."""
        if self.daily:
            days = 7 if self is AnalyticsWindow.WEEK else 30
            today = now.replace(hour=0, minute=0, second=0, microsecond=0)
            return today - timedelta(days=days - 1)
        hours = 1 if self is AnalyticsWindow.HOUR else 24
        return (now - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)


@frozen
class LatencyPercentiles:
    p50: float
    p95: float
    p99: float


@frozen
class AnalyticsTotals:
    """Every search in the window, k-anonymity or not."""

    searches: int
    viewers: int
    zero_result_searches: int
    clicked_searches: int

    @property
    def zero_result_rate(self) -> float:
        return self.zero_result_searches / self.searches if self.searches else 0.0

    @property
    def click_through_rate(self) -> float:
        return self.clicked_searches / self.searches if self.searches else 0.0


@frozen
class QueryStats:
    """One query over the window. ``viewers`` counts distinct viewers per UTC day (the viewer hash's
    salt changes daily, so one person on two days is two), summed over the window's days."""

    query: str
    searches: int
    viewers: int
    zero_result_searches: int
    clicked_searches: int
    clicks: int
    click_position_sum: int

    @property
    def click_through_rate(self) -> float:
        return self.clicked_searches / self.searches if self.searches else 0.0

    @property
    def average_click_position(self) -> float | None:
        return self.click_position_sum / self.clicks if self.clicks else None


@frozen
class ZeroResultQuery:
    query: str
    searches: int  # the searches of this query that found nothing
    viewers: int
    closest_titles: tuple[str, ...]


@frozen
class TrendPoint:
    bucket_start: datetime
    searches: int
    p95_ms: float | None


@frozen
class SearchAnalyticsReport:
    window: AnalyticsWindow
    platform: str | None
    totals: AnalyticsTotals
    latency: LatencyPercentiles | None  # None when the window holds no search
    popular: tuple[QueryStats, ...]
    zero_results: tuple[ZeroResultQuery, ...]
    no_clicks: tuple[QueryStats, ...]
    trend: tuple[TrendPoint, ...]


def utc_day(moment: datetime) -> date:
    return moment.date()
