from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from domain.search_analytics.models import QueryStats, SearchAnalyticsReport
from entrypoints.http.catalog.schemas import Slug

Window = Literal["1h", "24h", "7d", "30d"]


class ClickIn(Struct, forbid_unknown_fields=True):
    search_id: str
    content_id: str
    position: Annotated[int, Meta(ge=1)]


class AnalyticsArgs(Struct):
    window: Window = "24h"
    platform: Slug | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 20


class TotalsOut(Struct):
    searches: int
    viewers: int
    zero_result_rate: float
    click_through_rate: float


class LatencyOut(Struct):
    p50: float | None
    p95: float | None
    p99: float | None


class PopularQueryOut(Struct):
    query: str
    searches: int
    viewers: int
    click_through_rate: float
    average_click_position: float | None


class ZeroResultQueryOut(Struct):
    query: str
    searches: int
    viewers: int
    closest_titles: list[str]


class NoClickQueryOut(Struct):
    query: str
    searches: int
    viewers: int


class TrendPointOut(Struct):
    bucket_start: str
    searches: int
    p95_ms: float | None


class AnalyticsOut(Struct):
    window: Window
    platform: str | None
    totals: TotalsOut
    latency_ms: LatencyOut
    popular: list[PopularQueryOut]
    zero_results: list[ZeroResultQueryOut]
    no_clicks: list[NoClickQueryOut]
    trend: list[TrendPointOut]


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _popular(stats: QueryStats) -> PopularQueryOut:
    return PopularQueryOut(
        query=stats.query,
        searches=stats.searches,
        viewers=stats.viewers,
        click_through_rate=round(stats.click_through_rate, 4),
        average_click_position=_rounded(stats.average_click_position),
    )


def analytics_out(report: SearchAnalyticsReport) -> AnalyticsOut:
    latency = report.latency
    return AnalyticsOut(
        window=report.window.value,  # type: ignore[arg-type]
        platform=report.platform,
        totals=TotalsOut(
            searches=report.totals.searches,
            viewers=report.totals.viewers,
            zero_result_rate=round(report.totals.zero_result_rate, 4),
            click_through_rate=round(report.totals.click_through_rate, 4),
        ),
        latency_ms=LatencyOut(
            p50=_rounded(latency.p50 if latency else None),
            p95=_rounded(latency.p95 if latency else None),
            p99=_rounded(latency.p99 if latency else None),
        ),
        popular=[_popular(stats) for stats in report.popular],
        zero_results=[
            ZeroResultQueryOut(
                query=z.query, searches=z.searches, viewers=z.viewers, closest_titles=list(z.closest_titles)
            )
            for z in report.zero_results
        ],
        no_clicks=[NoClickQueryOut(query=s.query, searches=s.searches, viewers=s.viewers) for s in report.no_clicks],
        trend=[
            TrendPointOut(
                bucket_start=point.bucket_start.isoformat().replace("+00:00", "Z"),
                searches=point.searches,
                p95_ms=_rounded(point.p95_ms),
            )
            for point in report.trend
        ],
    )
