"""One contract for search analytics' storage upkeep, in memory and on PostgreSQL: partitions made
ahead, raw searches dropped after the raw retention, rollups deleted after theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.in_memory_search_rollups import InMemorySearchRollups
from adapters.search_analytics.in_memory_search_storage import InMemorySearchStorage
from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from adapters.search_analytics.postgres_search_rollups import PostgresSearchRollups
from adapters.search_analytics.postgres_search_storage import PostgresSearchStorage
from adapters.shared.manual_clock import ManualClock
from application.search_analytics.maintain_search_storage import MaintainSearchStorage, StorageMaintained
from domain.search_analytics.models import SearchEvent

# Long before the session's own partitions (the migration makes today's), so that nothing this
# suite makes or drops touches what other tests write today.
NOW = datetime(2020, 6, 15, 12, 30, tzinfo=UTC)
TODAY = datetime(2020, 6, 15, tzinfo=UTC)
BACKENDS = ["in-memory", "postgres"]


def a_search(at: datetime) -> SearchEvent:
    return SearchEvent(
        search_id=uuid4(),
        occurred_at=at,
        query="dune",
        query_key=42,
        platform="",
        genre=None,
        year=None,
        page=1,
        page_size=20,
        result_count=3,
        latency_ms=4.5,
        viewer=7,
        result_ids=(uuid4(),),
    )


@attrs.frozen
class Backend:
    store: Any
    storage: Any
    rollups: Any
    engine: AsyncEngine | None = None

    def maintenance(self) -> MaintainSearchStorage:
        return MaintainSearchStorage(
            self.storage, ManualClock(NOW), partitions_ahead_days=7, raw_retention_days=30, rollup_retention_days=396
        )

    async def rolled_up(self, hour: datetime) -> None:
        """A search in ``hour``, rolled up (however old: the raw data is still there)."""
        await self.store.append([a_search(hour + timedelta(minutes=5))])
        assert await self.rollups.roll_up_pending(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)) >= 1

    async def rollup_days(self) -> set[date]:
        """The UTC days some rollup still speaks of."""
        if self.engine is None:
            return {hour.date() for hour in self.rollups.hours}
        async with self.engine.connect() as conn:
            found = await conn.execute(
                text(
                    "SELECT (bucket_start AT TIME ZONE 'UTC')::date FROM search_hourly_queries "
                    "UNION SELECT (bucket_start AT TIME ZONE 'UTC')::date FROM search_hourly_totals "
                    "UNION SELECT day FROM search_daily_queries UNION SELECT day FROM search_daily_totals"
                )
            )
            return set(found.scalars())


async def _drop_old_partitions(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        names = (
            await conn.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relname ~ '^search_(events|clicks)_20(19|20)' AND relkind = 'r'"
                )
            )
        ).scalars()
        for name in list(names):
            await conn.execute(text(f'DROP TABLE "{name}"'))


@pytest.fixture
async def engine_without_old_partitions(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The session's database without partitions of 2019-2020, before and after the test (TRUNCATE keeps them)."""
    await _drop_old_partitions(engine)
    yield engine
    await _drop_old_partitions(engine)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "in-memory":
        store = InMemorySearchEventStore()
        rollups = InMemorySearchRollups(store)
        return Backend(store, InMemorySearchStorage(store, rollups), rollups)
    engine: AsyncEngine = request.getfixturevalue("engine_without_old_partitions")
    return Backend(
        PostgresSearchEventStore(engine),
        PostgresSearchStorage(engine),
        PostgresSearchRollups(engine, min_viewers=5),
        engine,
    )


async def test_partitions_are_made_through_a_week_ahead_once(backend: Backend) -> None:
    first = await backend.maintenance()()
    # today and the 7 days after it, one partition of searches and one of clicks each
    assert first.partitions_created == 16
    again = await backend.maintenance()()
    assert again == StorageMaintained(partitions_created=0, partitions_dropped=0, rollup_rows_deleted=0)
    late_tonight = a_search(TODAY + timedelta(days=7, hours=23, minutes=59))
    await backend.store.append([late_tonight])  # lands in a prepared partition
    assert await backend.store.find(late_tonight.search_id, late_tonight.occurred_at) == late_tonight


async def test_the_partitions_of_the_next_days_are_made_as_the_days_go_by(backend: Backend) -> None:
    await backend.maintenance()()
    tomorrow = MaintainSearchStorage(
        backend.storage, ManualClock(NOW + timedelta(days=1)), 7, raw_retention_days=30, rollup_retention_days=396
    )
    assert (await tomorrow()).partitions_created == 2


async def test_raw_searches_older_than_the_retention_are_dropped_and_recent_ones_stay(backend: Backend) -> None:
    gone = a_search(NOW - timedelta(days=31))
    last_kept_day = a_search(TODAY - timedelta(days=30))
    yesterday = a_search(NOW - timedelta(days=1))
    await backend.store.append([gone, last_kept_day, yesterday])

    maintained = await backend.maintenance()()

    assert maintained.partitions_dropped == 2  # the searches and the clicks of that day
    assert await backend.store.find(gone.search_id, gone.occurred_at) is None
    assert await backend.store.find(last_kept_day.search_id, last_kept_day.occurred_at) == last_kept_day
    assert await backend.store.find(yesterday.search_id, yesterday.occurred_at) == yesterday
    assert (await backend.maintenance()()).partitions_dropped == 0


async def test_rollups_older_than_thirteen_months_are_deleted_and_the_last_thirteen_stay(backend: Backend) -> None:
    fourteen_months_ago = TODAY - timedelta(days=426) + timedelta(hours=5)
    last_hour_gone = TODAY - timedelta(days=396, hours=1)
    first_hour_kept = TODAY - timedelta(days=396)
    a_month_ago = TODAY - timedelta(days=30, hours=-9)
    for hour in (fourteen_months_ago, last_hour_gone, first_hour_kept, a_month_ago):
        await backend.rolled_up(hour)

    maintained = await backend.maintenance()()

    assert maintained.rollup_rows_deleted > 0
    assert await backend.rollup_days() == {first_hour_kept.date(), a_month_ago.date()}
    assert (await backend.maintenance()()).rollup_rows_deleted == 0
