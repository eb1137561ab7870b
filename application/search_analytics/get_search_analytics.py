"""For administrators: what people searched for over a window, what they did not find (with the
catalog titles nearest each such query), what they did not click, and how fast search answered."""

from __future__ import annotations

import asyncio

from attrs import frozen

from application.search_analytics.report_ports import ClosestTitles, SearchAnalyticsReader
from application.shared.ports import Clock
from domain.search_analytics.models import AnalyticsWindow, SearchAnalyticsReport, ZeroResultQuery


@frozen
class GetSearchAnalytics:
    reader: SearchAnalyticsReader
    closest_titles: ClosestTitles
    clock: Clock
    min_viewers: int
    closest_limit: int

    async def __call__(self, window: AnalyticsWindow, platform: str | None, limit: int) -> SearchAnalyticsReport:
        """The window's report; a query is listed only once ``min_viewers`` distinct viewers
        searched it on one UTC day of the window (totals count every search). ``platform`` None:
        every search; else the searches filtered to that platform."""
        read = await self.reader.read(window, self.clock.now(), platform, self.min_viewers, limit)
        closest = await asyncio.gather(
            *(self.closest_titles.closest(q.query, self.closest_limit) for q in read.zero_results)
        )
        return SearchAnalyticsReport(
            window=window,
            platform=platform,
            totals=read.totals,
            latency=read.latency,
            popular=read.popular,
            zero_results=tuple(
                ZeroResultQuery(
                    query=q.query, searches=q.zero_result_searches, viewers=q.viewers, closest_titles=titles
                )
                for q, titles in zip(read.zero_results, closest, strict=True)
            ),
            no_clicks=read.no_clicks,
            trend=read.trend,
        )
