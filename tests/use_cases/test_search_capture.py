"""Search analytics' capture on the fake world: every search buffered without waiting, written in
batches (folded, masked, the searcher only as a daily keyed hash), and clicks checked against the
search they name."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import attrs
import pytest

from adapters.search_analytics.in_memory_search_event_store import InMemorySearchEventStore
from application.catalog.search_catalog import SearchCatalogCommand
from application.search_analytics.flush_search_events import FlushSearchEvents
from application.search_analytics.record_click import RecordClick, RecordClickCommand
from domain.catalog.search import SearchPage
from domain.search_analytics.errors import InvalidClick
from domain.search_analytics.models import NO_PLATFORM, SearchClick, SearchEvent
from domain.search_analytics.queries import query_key
from domain.shared.time_ordered_ids import moment_of, time_ordered_id
from entrypoints.search_analytics_config import SearchAnalyticsSettings
from tests.support.apps import FakeWorld, fake_container
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune", year=2021, genres=("science-fiction",))
DUNE_TWO = movie("Dune Part Two", year=2024, genres=("science-fiction",))
ARRIVAL = movie("Arrival", year=2016, genres=("science-fiction",))
ANA = "user:0190f5a4-3b2c-7d4e-8f00-112233445566"


@pytest.fixture
async def world(tmp_path: Path) -> FakeWorld:
    world = fake_container(tmp_path)
    await world.catalog.upsert_many([DUNE, DUNE_TWO, ARRIVAL])
    return world


async def search(world: FakeWorld, q: str, searcher: str | None = ANA, **filters: object) -> SearchPage:
    return await world.container.catalog.search_catalog()(SearchCatalogCommand(q=q, searcher=searcher, **filters))  # type: ignore[arg-type]


def stored(world: FakeWorld) -> InMemorySearchEventStore:
    store = world.container.search_analytics_adapters.event_store()
    assert isinstance(store, InMemorySearchEventStore)
    return store


async def flush(world: FakeWorld) -> int:
    return await world.container.search_analytics.flush_search_events()()


def click(page: SearchPage, content_id: UUID, position: int) -> RecordClickCommand:
    return RecordClickCommand(str(page.search_id), str(content_id), position)


# the buffer


async def test_a_search_waits_in_the_buffer_and_past_its_limit_is_counted_as_dropped(tmp_path: Path) -> None:
    world = fake_container(tmp_path, search_analytics=SearchAnalyticsSettings(buffer_limit=2))
    await world.catalog.upsert_many([DUNE])
    pages = [await search(world, "dune") for _ in range(3)]
    assert all(page.total == 1 for page in pages)  # every search answered, recorded or not
    buffer = world.container.search_analytics.search_event_buffer()
    assert (len(buffer), buffer.dropped) == (2, 1)
    assert buffer.find(pages[0].search_id) is not None and buffer.find(pages[2].search_id) is None  # type: ignore[arg-type]
    assert await flush(world) == 2
    assert [event.search_id for event in stored(world).events.values()] == [p.search_id for p in pages[:2]]


async def test_with_analytics_off_nothing_is_buffered_and_search_ids_are_still_given(tmp_path: Path) -> None:
    world = fake_container(tmp_path, search_analytics=SearchAnalyticsSettings(enabled=False))
    await world.catalog.upsert_many([DUNE])
    page = await search(world, "dune")
    assert page.search_id is not None
    assert len(world.container.search_analytics.search_event_buffer()) == 0
    assert await flush(world) == 0 and stored(world).events == {}


async def test_a_flush_takes_at_most_one_batch_oldest_first(tmp_path: Path) -> None:
    world = fake_container(tmp_path, search_analytics=SearchAnalyticsSettings(flush_batch=2))
    await world.catalog.upsert_many([DUNE])
    pages = [await search(world, "dune") for _ in range(3)]
    assert await flush(world) == 2
    assert list(stored(world).events) == [pages[0].search_id, pages[1].search_id]
    assert await flush(world) == 1 and await flush(world) == 0


# what is written


async def test_the_stored_search_is_folded_masked_and_carries_no_one_s_identity(world: FakeWorld) -> None:
    page = await search(world, "  DUNE   for ana.lopez@example.com ", genre="science-fiction", page_size=5)
    world.clock.advance(timedelta(seconds=30))  # written later: the event keeps the search's moment
    await flush(world)
    event = stored(world).events[page.search_id]  # type: ignore[index]
    assert event.query == "dune for [email]"
    assert event.query_key == query_key("dune for [email]")
    assert event.occurred_at == moment_of(page.search_id)  # type: ignore[arg-type]
    assert (event.platform, event.genre, event.year, event.page, event.page_size) == (
        NO_PLATFORM,
        "science-fiction",
        None,
        1,
        5,
    )
    assert event.result_count == page.total and event.result_ids == tuple(item.id for item in page.items)
    assert event.latency_ms >= 0
    written = repr(event).lower()
    assert "0190f5a4" not in written and "ana.lopez" not in written and "example.com" not in written


async def test_one_viewer_is_one_hash_a_day_and_anonymous_searches_are_counted(world: FakeWorld) -> None:
    first = await search(world, "dune")
    again = await search(world, "arrival")
    bob = await search(world, "dune", searcher="user:someone-else")
    anonymous = await search(world, "dune", searcher=None)
    world.clock.advance(timedelta(days=1))
    tomorrow = await search(world, "dune")
    await flush(world)
    events = stored(world).events
    viewer = {p.search_id: events[p.search_id].viewer for p in (first, again, bob, anonymous, tomorrow)}  # type: ignore[index]
    assert viewer[first.search_id] == viewer[again.search_id]
    assert len({viewer[p.search_id] for p in (first, bob, anonymous, tomorrow)}) == 4


async def test_a_platform_filter_is_stored_as_the_platform(world: FakeWorld) -> None:
    page = await search(world, "dune", platform="netflix", year=2021)
    await flush(world)
    event = stored(world).events[page.search_id]  # type: ignore[index]
    assert (event.platform, event.year) == ("netflix", 2021)


@attrs.define
class FailingStore:
    """A store that is down for the next ``failures`` appends."""

    inner: InMemorySearchEventStore
    failures: int = 1

    async def append(self, events: Sequence[SearchEvent]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database is restarting")
        await self.inner.append(events)

    async def find(self, search_id: UUID, occurred_at: object) -> SearchEvent | None:
        return await self.inner.find(search_id, occurred_at)  # type: ignore[arg-type]

    async def add_click(self, click: SearchClick) -> bool:
        return await self.inner.add_click(click)


async def test_a_batch_that_cannot_be_written_stays_buffered_in_order_for_the_next_flush(world: FakeWorld) -> None:
    buffer = world.container.search_analytics.search_event_buffer()
    failing = FailingStore(InMemorySearchEventStore())
    flusher = FlushSearchEvents(buffer, failing, world.container.search_analytics_adapters.viewer_hasher(), batch=2)
    pages = [await search(world, "dune") for _ in range(3)]
    with pytest.raises(ConnectionError):
        await flusher()
    assert len(buffer) == 3 and buffer.dropped == 0
    assert all(buffer.find(p.search_id) is not None for p in pages)  # type: ignore[arg-type]
    assert await flusher() == 2 and await flusher() == 1
    assert list(failing.inner.events) == [p.search_id for p in pages]


async def test_searches_being_written_count_against_the_limit_so_a_failed_batch_fits_back(tmp_path: Path) -> None:
    world = fake_container(tmp_path, search_analytics=SearchAnalyticsSettings(buffer_limit=3))
    await world.catalog.upsert_many([DUNE])
    buffer = world.container.search_analytics.search_event_buffer()
    pages = [await search(world, "dune") for _ in range(2)]
    taken = buffer.take(2)  # being written
    pages += [await search(world, "dune") for _ in range(2)]  # one more fits, the next is dropped
    assert (len(buffer), buffer.dropped) == (1, 1)
    buffer.put_back(taken)  # the write failed
    assert [s.search_id for s in buffer.take(3)] == [p.search_id for p in pages[:3]]


# clicks


async def test_a_click_on_a_search_not_written_yet_is_counted_once_after_its_search(world: FakeWorld) -> None:
    page = await search(world, "dune")
    record = world.container.search_analytics.record_click()
    second = page.items[1].id
    assert await record(click(page, second, 2)) is True
    assert page.search_id in stored(world).events  # the search was written first
    assert await record(click(page, second, 2)) is False  # repeated: still fine, counted once
    assert list(stored(world).clicks.values()) == [
        SearchClick(page.search_id, moment_of(page.search_id), second, 2, world.clock.now())  # type: ignore[arg-type]
    ]


async def test_a_click_on_a_written_search_is_counted_at_the_search_s_moment(world: FakeWorld) -> None:
    page = await search(world, "dune")
    await flush(world)
    world.clock.advance(timedelta(hours=23))
    assert await world.container.search_analytics.record_click()(click(page, page.items[0].id, 1)) is True
    (counted,) = stored(world).clicks.values()
    assert counted.search_at == moment_of(page.search_id) and counted.clicked_at == world.clock.now()  # type: ignore[arg-type]


async def test_the_position_counts_the_pages_before(world: FakeWorld) -> None:
    page = await search(world, "dune", page=2, page_size=1)
    record = world.container.search_analytics.record_click()
    assert await record(click(page, page.items[0].id, 2)) is True


def invalid_ids(world: FakeWorld) -> dict[str, str]:
    now = world.clock.now()
    return {
        "not a uuid": "not-a-uuid",
        "a random (v4) uuid": str(uuid.uuid4()),
        "a v7 id this service never gave": str(time_ordered_id(now, bytes(10))),
        "an id from the future": str(time_ordered_id(now + timedelta(seconds=10), bytes(10))),
    }


@pytest.mark.parametrize(
    "kind", ["not a uuid", "a random (v4) uuid", "a v7 id this service never gave", "an id from the future"]
)
async def test_a_click_on_no_search_of_ours_is_invalid(world: FakeWorld, kind: str) -> None:
    record = attrs.evolve(world.container.search_analytics.record_click(), sleep=no_sleep)
    with pytest.raises(InvalidClick):
        await record(RecordClickCommand(invalid_ids(world)[kind], str(DUNE.id), 1))


async def no_sleep(seconds: float) -> None:
    pass


async def test_a_click_after_the_window_is_invalid(world: FakeWorld) -> None:
    page = await search(world, "dune")
    await flush(world)
    world.clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(InvalidClick):
        await world.container.search_analytics.record_click()(click(page, page.items[0].id, 1))


async def test_a_search_id_a_little_ahead_of_our_clock_is_accepted(world: FakeWorld) -> None:
    page = await search(world, "dune")
    await flush(world)
    world.clock.advance(timedelta(seconds=-4))  # this process's clock is 4 s behind the searcher's
    assert await world.container.search_analytics.record_click()(click(page, page.items[0].id, 1)) is True


async def test_a_title_not_on_the_page_or_at_another_position_is_invalid(world: FakeWorld) -> None:
    page = await search(world, "dune", page_size=1)
    record = world.container.search_analytics.record_click()
    on_page = page.items[0].id
    for content_id, position in ((ARRIVAL.id, 1), (DUNE_TWO.id if on_page == DUNE.id else DUNE.id, 2), (on_page, 2)):
        with pytest.raises(InvalidClick):
            await record(click(page, content_id, position))
    with pytest.raises(InvalidClick):
        await record(RecordClickCommand(str(page.search_id), "not-a-uuid", 1))
    assert stored(world).clicks == {}


@attrs.define
class AnotherProcess:
    """What the store sees while this process waits: another process's buffer written meanwhile."""

    store: InMemorySearchEventStore
    writes: list[SearchEvent]
    waited: list[float] = attrs.field(factory=list)

    async def sleep(self, seconds: float) -> None:
        self.waited.append(seconds)
        await self.store.append(self.writes)


def made_elsewhere(world: FakeWorld, age: timedelta) -> SearchEvent:
    search_id = time_ordered_id(world.clock.now() - age, bytes(range(10)))
    return SearchEvent(
        search_id=search_id,
        occurred_at=moment_of(search_id),  # type: ignore[arg-type]
        query="dune",
        query_key=query_key("dune"),
        platform=NO_PLATFORM,
        genre=None,
        year=None,
        page=1,
        page_size=20,
        result_count=1,
        latency_ms=2.0,
        viewer=7,
        result_ids=(DUNE.id,),
    )


async def test_a_click_on_a_young_search_of_another_process_waits_one_flush_for_it(world: FakeWorld) -> None:
    elsewhere = made_elsewhere(world, timedelta(milliseconds=300))
    other = AnotherProcess(stored(world), [elsewhere])
    record: RecordClick = attrs.evolve(world.container.search_analytics.record_click(), sleep=other.sleep)
    assert await record(RecordClickCommand(str(elsewhere.search_id), str(DUNE.id), 1)) is True
    assert other.waited == [world.container.settings().search_analytics.flush_seconds]


async def test_a_click_on_an_older_unknown_search_does_not_wait(world: FakeWorld) -> None:
    elsewhere = made_elsewhere(world, timedelta(seconds=2))  # past 3 flush intervals: it would be written
    other = AnotherProcess(stored(world), [elsewhere])
    record: RecordClick = attrs.evolve(world.container.search_analytics.record_click(), sleep=other.sleep)
    with pytest.raises(InvalidClick):
        await record(RecordClickCommand(str(elsewhere.search_id), str(DUNE.id), 1))
    assert other.waited == []
