"""One contract for the raw searches and clicks: in memory and on PostgreSQL (daily partitions)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from adapters.search_analytics.postgres_search_event_store import PostgresSearchEventStore
from application.search_analytics.event_store_ports import SearchEventStore
from domain.search_analytics.models import NO_PLATFORM, SearchClick, SearchEvent
from domain.search_analytics.queries import query_key
from domain.shared.time_ordered_ids import moment_of, time_ordered_id

DUNE, ARRIVAL = uuid4(), uuid4()


def searched(at: datetime, query: str = "dune", results: tuple[UUID, ...] = (DUNE, ARRIVAL)) -> SearchEvent:
    search_id = time_ordered_id(at, os.urandom(10))
    moment = moment_of(search_id)
    assert moment is not None
    return SearchEvent(
        search_id=search_id,
        occurred_at=moment,
        query=query,
        query_key=query_key(query),
        platform=NO_PLATFORM,
        genre="science-fiction",
        year=None,
        page=1,
        page_size=20,
        result_count=len(results),
        latency_ms=3.25,
        viewer=-42,
        result_ids=results,
    )


def clicked(event: SearchEvent, content_id: UUID = DUNE, position: int = 1) -> SearchClick:
    return SearchClick(
        event.search_id, event.occurred_at, content_id, position, event.occurred_at + timedelta(seconds=9)
    )


@pytest.fixture(params=["in-memory", "postgres"])
def store(request: pytest.FixtureRequest) -> SearchEventStore:
    if request.param == "in-memory":
        return InMemorySearchEventStore()
    return PostgresSearchEventStore(request.getfixturevalue("engine"))


@pytest.fixture
def now() -> datetime:
    # the migration made partitions from yesterday to a week ahead of the real today
    return datetime.now(UTC)


async def test_an_appended_search_is_found_by_its_id_and_moment(store: SearchEventStore, now: datetime) -> None:
    first, second = searched(now), searched(now, "arrival", results=())
    await store.append([first, second])
    assert await store.find(first.search_id, first.occurred_at) == first
    assert await store.find(second.search_id, second.occurred_at) == second


async def test_a_retried_batch_counts_once(store: SearchEventStore, now: datetime) -> None:
    event = searched(now)
    await store.append([event])
    await store.append([event, later := searched(now + timedelta(seconds=1))])
    assert await store.find(event.search_id, event.occurred_at) == event
    assert await store.find(later.search_id, later.occurred_at) == later
    # counted once: its one click is new once
    assert await store.add_click(clicked(event)) is True


async def test_a_search_looked_up_at_another_moment_or_never_stored_is_not_found(
    store: SearchEventStore, now: datetime
) -> None:
    event = searched(now)
    await store.append([event])
    assert await store.find(event.search_id, event.occurred_at + timedelta(milliseconds=1)) is None
    assert await store.find(searched(now).search_id, event.occurred_at) is None


async def test_a_title_clicked_twice_for_one_search_is_counted_once(store: SearchEventStore, now: datetime) -> None:
    event = searched(now)
    await store.append([event])
    assert await store.add_click(clicked(event)) is True
    assert await store.add_click(clicked(event)) is False
    assert await store.add_click(clicked(event, ARRIVAL, 2)) is True


async def test_an_empty_batch_changes_nothing(store: SearchEventStore) -> None:
    await store.append([])


async def test_a_batch_on_a_day_without_a_partition_yet_still_lands(engine: AsyncEngine) -> None:
    store = PostgresSearchEventStore(engine)
    ahead = searched(datetime.now(UTC) + timedelta(days=20))
    today = searched(datetime.now(UTC))
    await store.append([today, ahead])
    assert await store.find(ahead.search_id, ahead.occurred_at) == ahead
    assert await store.find(today.search_id, today.occurred_at) == today
    assert await store.add_click(clicked(ahead)) is True
