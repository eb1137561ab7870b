"""The analytics reader's in-memory twin: the same figures computed straight from the searches
and clicks the in-memory rollups kept (exact percentiles, where PostgreSQL's come from sketches)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from uuid import UUID

import attrs

from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups
from adapters.search_analytics.window_figures import bucket_starts, ranked_lists
from application.search_analytics.report_ports import WindowRead
from domain.search_analytics.models import (
    AnalyticsTotals,
    AnalyticsWindow,
    LatencyPercentiles,
    QueryStats,
    SearchEvent,
    TrendPoint,
)


def exact_quantile(values: Sequence[float], q: float) -> float | None:
    """The lower-rank quantile: ``sorted(values)[int(q * (n - 1))]``."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _first_searches(events: Sequence[SearchEvent], key_of_query: bool) -> dict[tuple[object, ...], datetime]:
    """The first search of each (UTC day, viewer[, query]) among ``events``."""
    firsts: dict[tuple[object, ...], datetime] = {}
    for event in events:
        at = event.occurred_at.astimezone(UTC)
        key: tuple[object, ...] = (at.date(), event.viewer) + ((event.query_key,) if key_of_query else ())
        if key not in firsts or at < firsts[key]:
            firsts[key] = at
    return firsts


@attrs.frozen
class InMemorySearchAnalyticsReader:
    rollups: InMemorySearchRollups

    async def read(
        self, window: AnalyticsWindow, now: datetime, platform: str | None, min_viewers: int, limit: int
    ) -> WindowRead:
        rolled = [event for hour in self.rollups.hours.values() for event in hour.events]
        if platform is not None:
            rolled = [event for event in rolled if event.platform == platform]
        clicks: dict[UUID, list[int]] = defaultdict(list)
        for hour in self.rollups.hours.values():
            for click in hour.clicks:
                clicks[click.search_id].append(click.position)
        first = window.first_bucket(now)

        def inside(moment: datetime) -> bool:
            if window.daily:
                return first.date() <= moment.astimezone(UTC).date() <= now.date()
            return first <= _hour(moment) <= now

        events = [event for event in rolled if inside(event.occurred_at)]
        # viewers: counted in the bucket of their first search of the day (in this platform dimension)
        viewers_today = sum(1 for at in _first_searches(rolled, key_of_query=False).values() if inside(at))
        query_viewers: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for (day, _viewer, query_key), at in _first_searches(rolled, key_of_query=True).items():
            if inside(at):
                query_viewers[query_key][day] += 1  # type: ignore[index]
        popular, zero_results, no_clicks = ranked_lists(_listed(events, clicks, query_viewers, min_viewers), limit)
        return WindowRead(
            totals=AnalyticsTotals(
                searches=len(events),
                viewers=viewers_today,
                zero_result_searches=sum(1 for e in events if e.result_count == 0),
                clicked_searches=sum(1 for e in events if clicks.get(e.search_id)),
            ),
            latency=_percentiles([e.latency_ms for e in events]),
            popular=popular,
            zero_results=zero_results,
            no_clicks=no_clicks,
            trend=_trend(window, now, events),
        )


def _percentiles(latencies: list[float]) -> LatencyPercentiles | None:
    if not latencies:
        return None
    p50, p95, p99 = (exact_quantile(latencies, q) or 0.0 for q in (0.5, 0.95, 0.99))
    return LatencyPercentiles(p50=p50, p95=p95, p99=p99)


def _listed(
    events: list[SearchEvent],
    clicks: dict[UUID, list[int]],
    query_viewers: dict[int, dict[date, int]],
    min_viewers: int,
) -> list[QueryStats]:
    by_query: dict[int, list[SearchEvent]] = defaultdict(list)
    for event in events:
        by_query[event.query_key].append(event)
    listed = []
    for query_key, searches in by_query.items():
        days = list(query_viewers.get(query_key, {}).values())
        if max(days, default=0) < min_viewers:
            continue
        positions = [position for event in searches for position in clicks.get(event.search_id, [])]
        listed.append(
            QueryStats(
                query=searches[0].query,
                searches=len(searches),
                viewers=sum(days),
                zero_result_searches=sum(1 for e in searches if e.result_count == 0),
                clicked_searches=sum(1 for e in searches if clicks.get(e.search_id)),
                clicks=len(positions),
                click_position_sum=sum(positions),
            )
        )
    return listed


def _trend(window: AnalyticsWindow, now: datetime, events: list[SearchEvent]) -> tuple[TrendPoint, ...]:
    latencies: dict[datetime, list[float]] = defaultdict(list)
    for event in events:
        at = event.occurred_at.astimezone(UTC)
        start = datetime.combine(at.date(), time(), tzinfo=UTC) if window.daily else _hour(at)
        latencies[start].append(event.latency_ms)
    return tuple(
        TrendPoint(
            bucket_start=start,
            searches=len(latencies.get(start, [])),
            p95_ms=exact_quantile(latencies.get(start, []), 0.95),
        )
        for start in bucket_starts(window, now)
    )
