"""The analytics report as the admin route asks for it: rolled up by RollUpSearches, read by
GetSearchAnalytics, with the catalog titles nearest each zero-result query attached."""

from __future__ import annotations

from datetime import timedelta

from adapters.search_analytics.in_memory_search_analytics_reader import InMemorySearchAnalyticsReader
from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups
from adapters.shared.manual_clock import ManualClock
from application.search_analytics.roll_up_searches import RollUpSearches
from domain.search_analytics.models import AnalyticsWindow, ZeroResultQuery
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie, series_with_episodes
from tests.support.scripted_searches import DAY2, NOW, Script, at, scripted


async def searched(world: FakeWorld) -> None:
    world.clock.advance(NOW - world.clock.now())
    await world.catalog.upsert_many(
        [movie("The Matrix"), movie("The Matrix Reloaded"), movie("Dune"), *series_with_episodes("Heat Wave")]
    )
    script = scripted()
    store = world.container.search_analytics_adapters.event_store()
    await store.append(script.events)
    for click in script.clicks:
        await store.add_click(click)
    assert await world.container.search_analytics.roll_up_searches()() > 0


async def test_zero_result_queries_come_with_the_nearest_titles(world: FakeWorld) -> None:
    await searched(world)
    report = await world.container.search_analytics.get_search_analytics()(AnalyticsWindow.DAY, None, 20)
    assert report.window is AnalyticsWindow.DAY and report.platform is None
    # matrx found nothing five times, by five viewers: a typo, by the look of the closest titles
    assert report.zero_results == (ZeroResultQuery("matrx", 5, 5, ("The Matrix",)),)
    assert [q.query for q in report.popular] == ["star wars", "dune", "alien", "matrx"]
    assert [q.query for q in report.no_clicks] == ["alien"]
    assert report.totals.searches == 330 and report.latency is not None and len(report.trend) == 25


async def test_the_limit_cuts_every_list(world: FakeWorld) -> None:
    await searched(world)
    report = await world.container.search_analytics.get_search_analytics()(AnalyticsWindow.DAY, None, 1)
    assert [q.query for q in report.popular] == ["star wars"]
    assert len(report.zero_results) == 1 and len(report.no_clicks) == 1
    assert report.totals.searches == 330  # totals are never cut


async def test_nothing_is_listed_before_a_rollup(world: FakeWorld) -> None:
    world.clock.advance(NOW - world.clock.now())
    await world.container.search_analytics_adapters.event_store().append(scripted().events)
    report = await world.container.search_analytics.get_search_analytics()(AnalyticsWindow.DAY, None, 20)
    assert report.totals.searches == 0 and report.popular == ()


async def test_hours_before_the_raw_retentions_first_whole_day_are_not_rolled_up() -> None:
    store = InMemorySearchEventStore()
    rollups = InMemorySearchRollups(store)
    script = Script()
    await store.append(
        [
            script.search("dune", at(DAY2 - timedelta(days=3), 23), 1),  # that day's raw is going
            script.search("dune", at(DAY2 - timedelta(days=2), 1), 2),  # its day is still whole
        ]
    )
    assert await RollUpSearches(rollups, ManualClock(NOW), raw_retention_days=2)() == 1
    read = await InMemorySearchAnalyticsReader(rollups).read(AnalyticsWindow.WEEK, NOW, None, 1, 10)
    assert read.totals.searches == 1
