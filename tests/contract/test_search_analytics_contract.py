"""One contract for the rollups and the report's reader, in memory and on PostgreSQL, against a
hand-computed expectation (tests/support/scripted_searches.py says who searched what and when).

NOW is day 2 at 14:30. The 24h window reads the hours from day 1 14:00: every scripted search but
dune by viewer 8 (day 1, 10:00) and loner's four earlier days. Counting viewers per UTC day:
day 1 has viewers 1, 2, 3 inside the window (8 and 42 searched first before 14:00), day 2 has
1-7, 42 and 1000-1299: 3 + 308 = 311.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest

from adapters.search_analytics.in_memory_search_analytics_reader import InMemorySearchAnalyticsReader
from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups
from adapters.search_analytics.postgres_search_analytics_reader import PostgresSearchAnalyticsReader
from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from adapters.search_analytics.postgres_search_rollups import PostgresSearchRollups
from application.search_analytics.report_ports import WindowRead
from domain.search_analytics.models import AnalyticsTotals, AnalyticsWindow, QueryStats, SearchEvent
from tests.support.scripted_searches import DAY1, DAY2, NOW, Script, at, scripted

LONG_AGO = NOW - timedelta(days=60)


@attrs.frozen
class Analytics:
    store: Any
    rollups: Any
    reader: Any
    rolled_at: Any = NOW  # the moment each rollup run prepares the report's windows for

    async def roll_up(self, not_before: Any = LONG_AGO) -> int:
        return await self.rollups.roll_up_pending(not_before, self.rolled_at)  # type: ignore[no-any-return]

    async def read(
        self, window: AnalyticsWindow, platform: str | None = None, min_viewers: int = 5, limit: int = 20
    ) -> WindowRead:
        return await self.reader.read(window, NOW, platform, min_viewers, limit)  # type: ignore[no-any-return]

    async def record(self, script: Script) -> None:
        await self.store.append(script.events)
        for click in script.clicks:
            assert await self.store.add_click(click)


# On PostgreSQL three times: with the report's windows built for NOW by the rollup run at
# threshold 2 (the lists read them; min_viewers 1 reads the rollups); at threshold 5 (dune passes
# only today, so its past days are looked up by query; min_viewers 4 or less reads the rollups);
# and built for three days earlier (a report after its window moved, before the next run: the lists
# read the rollups).
@pytest.fixture(
    params=[
        "in-memory",
        "postgres",
        "postgres, windows built at 5 viewers",
        "postgres, windows built for another moment",
    ]
)
def analytics(request: pytest.FixtureRequest) -> Analytics:
    if request.param == "in-memory":
        store = InMemorySearchEventStore()
        rollups = InMemorySearchRollups(store)
        return Analytics(store, rollups, InMemorySearchAnalyticsReader(rollups))
    engine = request.getfixturevalue("engine")
    rolled_at = NOW - timedelta(days=3) if request.param.endswith("another moment") else NOW
    return Analytics(
        PostgresSearchEventStore(engine),
        PostgresSearchRollups(engine, min_viewers=5 if request.param.endswith("5 viewers") else 2),
        PostgresSearchAnalyticsReader(engine),
        rolled_at,
    )


@pytest.fixture
async def recorded(analytics: Analytics) -> tuple[Analytics, Script]:
    script = scripted()
    await analytics.record(script)
    await analytics.roll_up()
    return analytics, script


def stats(
    query: str, searches: int, viewers: int, zero: int = 0, clicked: int = 0, clicks: int = 0, positions: int = 0
) -> QueryStats:
    return QueryStats(query, searches, viewers, zero, clicked, clicks, positions)


STAR_WARS = stats("star wars", 300, 300, clicked=30, clicks=30, positions=73)
MATRX = stats("matrx", 5, 5, zero=5)
ALIEN = stats("alien", 5, 5)


def exact(events: list[SearchEvent], q: float) -> float:
    ordered = sorted(event.latency_ms for event in events)
    return ordered[int(q * (len(ordered) - 1))]


def assert_close(value: float | None, expected: float) -> None:
    assert value is not None and abs(value - expected) <= 0.01 * expected, (value, expected)


async def test_the_24_hours_count_every_search_and_list_only_queries_five_viewers_searched_on_one_day(
    recorded: tuple[Analytics, Script],
) -> None:
    analytics, _ = recorded
    read = await analytics.read(AnalyticsWindow.DAY)
    # 300 star wars, 8 dune, 5 matrx, 5 alien, 6 obscure, 5 heat, 1 loner; 11 found nothing;
    # 30 star wars and 2 dune searches were clicked
    assert read.totals == AnalyticsTotals(searches=330, viewers=311, zero_result_searches=11, clicked_searches=32)
    assert read.totals.zero_result_rate == pytest.approx(11 / 330)
    assert read.totals.click_through_rate == pytest.approx(32 / 330)
    # dune: viewer 1 on day 1, viewers 1-6 on day 2; three clicks on two searches at 1, 3 and 2.
    # obscure (4 viewers), heat (3 + 2 on two days) and loner stay out.
    dune = stats("dune", 8, 7, clicked=2, clicks=3, positions=6)
    assert read.popular == (STAR_WARS, dune, ALIEN, MATRX)
    assert dune.click_through_rate == 0.25 and dune.average_click_position == 2.0
    assert STAR_WARS.click_through_rate == 0.1 and STAR_WARS.average_click_position == pytest.approx(73 / 30)
    assert read.zero_results == (MATRX,)
    assert read.no_clicks == (ALIEN,)


async def test_the_lists_honour_the_limit(recorded: tuple[Analytics, Script]) -> None:
    analytics, _ = recorded
    read = await analytics.read(AnalyticsWindow.DAY, limit=2)
    assert [s.query for s in read.popular] == ["star wars", "dune"]
    # alien and matrx tie on 5 searches: by query
    assert [s.query for s in (await analytics.read(AnalyticsWindow.DAY, limit=3)).popular][-1] == "alien"


async def test_four_viewers_are_hidden_and_five_are_shown(recorded: tuple[Analytics, Script]) -> None:
    analytics, _ = recorded
    shown = await analytics.read(AnalyticsWindow.DAY, min_viewers=4)
    assert stats("obscure", 6, 4, zero=6) in shown.zero_results
    hidden = await analytics.read(AnalyticsWindow.DAY, min_viewers=6)
    assert [s.query for s in hidden.popular] == ["star wars", "dune"]  # dune had 6 on day 2
    assert hidden.zero_results == () and hidden.no_clicks == ()


async def test_the_last_hour_reads_the_13h_and_14h_of_day_2(recorded: tuple[Analytics, Script]) -> None:
    analytics, _ = recorded
    read = await analytics.read(AnalyticsWindow.HOUR)
    # all of day 2 but loner's 09:00; viewer 42 searched first at 09:00, so day 2 has 1-7 and 1000-1299
    assert read.totals == AnalyticsTotals(searches=325, viewers=307, zero_result_searches=11, clicked_searches=32)
    assert read.popular == (STAR_WARS, stats("dune", 7, 6, clicked=2, clicks=3, positions=6), ALIEN, MATRX)
    assert [(p.bucket_start, p.searches) for p in read.trend] == [(at(DAY2, 13), 317), (at(DAY2, 14), 8)]


async def test_seven_days_read_whole_days_and_one_viewer_on_five_days_stays_hidden(
    recorded: tuple[Analytics, Script],
) -> None:
    analytics, _ = recorded
    read = await analytics.read(AnalyticsWindow.WEEK)
    # + dune by viewer 8 and loner's four earlier days; viewers 1 + 1 + 1 (42) + 5 (day 1) + 308
    assert read.totals == AnalyticsTotals(searches=335, viewers=316, zero_result_searches=11, clicked_searches=32)
    dune = stats("dune", 9, 8, clicked=2, clicks=3, positions=6)
    assert read.popular == (STAR_WARS, dune, ALIEN, MATRX)  # loner: 5 viewers summed, never 5 on a day
    assert [(p.bucket_start, p.searches) for p in read.trend] == [
        (DAY2 - timedelta(days=days_ago), count)
        for days_ago, count in ((6, 0), (5, 0), (4, 1), (3, 1), (2, 1), (1, 6), (0, 326))
    ]
    assert read.trend[0].p95_ms is None
    month = await analytics.read(AnalyticsWindow.MONTH)
    assert month.totals == read.totals and len(month.trend) == 30 and month.popular == read.popular


async def test_a_platform_reads_only_the_searches_filtered_to_it(recorded: tuple[Analytics, Script]) -> None:
    analytics, script = recorded
    read = await analytics.read(AnalyticsWindow.DAY, platform="netflix", min_viewers=2)
    assert read.totals == AnalyticsTotals(searches=2, viewers=2, zero_result_searches=0, clicked_searches=0)
    assert read.popular == (stats("dune", 2, 2),) and read.no_clicks == (stats("dune", 2, 2),)
    netflix = [e for e in script.events if e.platform == "netflix"]
    assert read.latency is not None
    assert_close(read.latency.p50, exact(netflix, 0.5))
    assert (await analytics.read(AnalyticsWindow.DAY, platform="netflix")).popular == ()
    assert (await analytics.read(AnalyticsWindow.DAY, platform="hulu")).totals.searches == 0


async def test_percentiles_and_the_trend_agree_with_the_exact_latencies_within_one_percent(
    recorded: tuple[Analytics, Script],
) -> None:
    analytics, script = recorded
    read = await analytics.read(AnalyticsWindow.DAY)
    window = [e for e in script.events if e.occurred_at >= at(DAY1, 14)]
    assert len(window) == 330 and read.latency is not None
    assert_close(read.latency.p50, exact(window, 0.5))
    assert_close(read.latency.p95, exact(window, 0.95))
    assert_close(read.latency.p99, exact(window, 0.99))
    assert len(read.trend) == 25 and read.trend[0].bucket_start == at(DAY1, 14)
    by_hour = {p.bucket_start: p for p in read.trend}
    assert {start: p.searches for start, p in by_hour.items() if p.searches} == {
        at(DAY1, 20): 4,
        at(DAY2, 9): 1,
        at(DAY2, 13): 317,
        at(DAY2, 14): 8,
    }
    assert by_hour[at(DAY1, 15)].p95_ms is None
    thirteen = [e for e in window if at(DAY2, 13) <= e.occurred_at < at(DAY2, 14)]
    assert_close(by_hour[at(DAY2, 13)].p95_ms, exact(thirteen, 0.95))
    week = await analytics.read(AnalyticsWindow.WEEK)
    assert week.latency is not None
    assert_close(week.latency.p99, exact(script.events, 0.99))


async def test_an_empty_window_has_no_latency_and_a_point_per_hour(analytics: Analytics) -> None:
    read = await analytics.read(AnalyticsWindow.DAY)
    assert read.totals == AnalyticsTotals(0, 0, 0, 0) and read.latency is None
    assert read.popular == read.zero_results == read.no_clicks == ()
    assert len(read.trend) == 25 and all(p.searches == 0 and p.p95_ms is None for p in read.trend)


async def test_rolling_up_again_changes_nothing(recorded: tuple[Analytics, Script]) -> None:
    analytics, script = recorded
    before = [await analytics.read(window) for window in AnalyticsWindow]
    assert await analytics.roll_up() == 0  # nothing marked
    await analytics.store.append(script.events)  # stored already: only marks their hours again
    assert await analytics.roll_up() > 0
    assert [await analytics.read(window) for window in AnalyticsWindow] == before


async def test_a_search_or_click_after_a_rollup_counts_from_the_next_one(recorded: tuple[Analytics, Script]) -> None:
    analytics, script = recorded
    late = Script()
    # alien by viewer 7 at 14:05 is clicked late; a sixth viewer finds obscure, late, at 13:50
    alien = next(e for e in script.events if e.query == "alien" and e.viewer == 7)
    assert await analytics.store.add_click(late.click(alien, 4))
    await analytics.store.append([late.search("obscure", at(DAY2, 13, 50), 9, results=0)])
    assert (await analytics.read(AnalyticsWindow.DAY)).no_clicks == (ALIEN,)
    await analytics.roll_up()
    read = await analytics.read(AnalyticsWindow.DAY)
    assert read.totals == AnalyticsTotals(searches=331, viewers=312, zero_result_searches=12, clicked_searches=33)
    assert stats("alien", 5, 5, clicked=1, clicks=1, positions=4) in read.popular
    assert read.no_clicks == () and stats("obscure", 7, 5, zero=7) in read.zero_results


async def test_a_late_search_earlier_in_the_day_moves_its_viewer_to_that_hour(analytics: Analytics) -> None:
    script = Script()
    later = script.search("dune", at(DAY2, 14, 0), 1)
    await analytics.store.append([later])
    await analytics.roll_up()
    # the same viewer's earlier search lands after the 14h was rolled up
    await analytics.store.append([script.search("dune", at(DAY2, 9, 0), 1)])
    await analytics.roll_up()
    read = await analytics.read(AnalyticsWindow.DAY, min_viewers=1)
    assert read.totals.viewers == 1 and read.popular == (stats("dune", 2, 1),)
    assert (await analytics.read(AnalyticsWindow.HOUR, min_viewers=1)).totals.viewers == 0


async def test_hours_whose_raw_searches_are_gone_are_skipped_and_forgotten(analytics: Analytics) -> None:
    script = Script()
    await analytics.store.append(
        [script.search("loner", at(DAY2 - timedelta(days=4), 9), 42), script.search("loner", at(DAY2, 9), 42)]
    )
    assert await analytics.roll_up(DAY2 - timedelta(days=3)) == 1
    assert await analytics.roll_up() == 0
    assert (await analytics.read(AnalyticsWindow.WEEK)).totals.searches == 1


async def test_a_late_search_on_an_earlier_day_counts_in_the_week_after_the_next_run(
    recorded: tuple[Analytics, Script],
) -> None:
    analytics, _ = recorded
    # dune on day 1 had viewers 1 and 8; a ninth viewer's search of day 1 lands late
    late = Script()
    await analytics.store.append([late.search("dune", at(DAY1, 16), 9)])
    before = stats("dune", 9, 8, clicked=2, clicks=3, positions=6)
    assert before in (await analytics.read(AnalyticsWindow.WEEK)).popular
    await analytics.roll_up()
    week = await analytics.read(AnalyticsWindow.WEEK)
    after = stats("dune", 10, 9, clicked=2, clicks=3, positions=6)
    assert week.totals.searches == 336 and after in week.popular
    assert after in (await analytics.read(AnalyticsWindow.MONTH)).popular
