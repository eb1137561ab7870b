"""One contract for the catalog's change feed: the in-memory twin and PostgreSQL (its triggers)
pass it, each written through the catalog's own write paths (the repository's upsert, a
platform change's unit)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_catalog_change_feed import InMemoryCatalogChangeFeed
from adapters.catalog.in_memory_catalog_changes import InMemoryCatalogChanges
from adapters.catalog.postgres_catalog_change_feed import PostgresCatalogChangeFeed
from adapters.catalog.postgres_catalog_changes import PostgresCatalogChanges
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from application.catalog.catalog_change_ports import CatalogChanges
from application.catalog.ports import ContentRepository
from application.catalog.search_index_ports import START, CatalogChangeFeed, FeedMark
from domain.catalog.content import Availability
from domain.catalog.external_ids import ExternalIds
from tests.support.catalog_fixtures import movie, small_catalog


@attrs.frozen
class Catalog:
    repository: ContentRepository
    changes: CatalogChanges
    feed: CatalogChangeFeed

    async def everything_after(self, mark: FeedMark, batch: int = 1000) -> list[str]:
        titles: list[str] = []
        while (changes := await self.feed.changes_after(mark, batch)).items:
            titles += [item.title for item in changes.items]
            mark = changes.last
        return titles


@pytest.fixture(params=["in-memory", "postgres"])
def catalog(request: pytest.FixtureRequest) -> Iterator[Catalog]:
    if request.param == "in-memory":
        memory = InMemoryCatalog()
        yield Catalog(memory, InMemoryCatalogChanges(memory), InMemoryCatalogChangeFeed(memory))
    else:
        engine: AsyncEngine = request.getfixturevalue("engine")
        yield Catalog(
            PostgresContentRepository(engine), PostgresCatalogChanges(engine), PostgresCatalogChangeFeed(engine)
        )


async def test_batches_give_every_title_once_and_resume_after_their_mark(catalog: Catalog) -> None:
    await catalog.repository.upsert_many(small_catalog())
    first = await catalog.feed.changes_after(START, 4)
    assert len(first.items) == 4
    rest = await catalog.everything_after(first.last, batch=2)
    assert sorted([item.title for item in first.items] + rest) == sorted(item.title for item in small_catalog())
    assert await catalog.feed.titles() == len(small_catalog())
    nothing = await catalog.feed.changes_after(first.last, 0 + 100)
    assert (await catalog.feed.changes_after(nothing.last, 100)).items == ()
    assert (await catalog.feed.changes_after(nothing.last, 100)).last == nothing.last


async def test_a_title_comes_through_as_written_with_its_offers_and_their_windows(catalog: Catalog) -> None:
    window_opens = datetime(2026, 2, 1, 9, 30, 15, 250_000, tzinfo=UTC)
    offers = (
        Availability("max", "FR", "https://max.example/fr/arrival", available_until=datetime(2026, 9, 1, tzinfo=UTC)),
        Availability("netflix", "US", "https://netflix.example/arrival", platform_content_id="80100172"),
        Availability("netflix", "GB", "https://netflix.example/gb/arrival", available_from=window_opens),
    )
    arrival = attrs.evolve(movie("Arrival", year=2016), availability=offers, external_ids=ExternalIds(imdb="tt2543164"))
    await catalog.repository.upsert_many([arrival])
    (item,) = (await catalog.feed.changes_after(START, 100)).items
    assert attrs.evolve(item, availability=()) == attrs.evolve(arrival, availability=())

    def by_place(offer: Availability) -> tuple[str, str]:
        return offer.platform, offer.region

    assert sorted(item.availability, key=by_place) == sorted(offers, key=by_place)


async def test_a_title_changed_again_moves_after_the_mark(catalog: Catalog) -> None:
    await catalog.repository.upsert_many(small_catalog())
    mark = (await catalog.feed.changes_after(START, 100)).last
    matrix = movie("The Matrix", year=1999, platforms=("hulu",), synopsis="Now on Hulu.")
    await catalog.repository.upsert_many([matrix])
    changes = await catalog.feed.changes_after(mark, 100)
    assert [(item.title, item.platforms) for item in changes.items] == [("The Matrix", {"hulu"})]


async def test_an_availability_change_alone_is_a_change_of_the_title(catalog: Catalog) -> None:
    await catalog.repository.upsert_many(small_catalog())
    mark = (await catalog.feed.changes_after(START, 100)).last
    dune = movie("Dune", year=2021, platforms=("max", "netflix"))
    async with catalog.changes.unit() as unit:
        await unit.replace_availability(dune.id, "max", ())
        await unit.commit()
    changes = await catalog.feed.changes_after(mark, 100)
    assert [(item.title, item.platforms) for item in changes.items] == [("Dune", {"netflix"})]


async def test_a_withdrawn_title_comes_through_withdrawn(catalog: Catalog) -> None:
    await catalog.repository.upsert_many(small_catalog())
    mark = (await catalog.feed.changes_after(START, 100)).last
    dune = next(item for item in small_catalog() if item.title == "Dune")
    await catalog.repository.upsert_many([attrs.evolve(dune, withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC))])
    (withdrawn,) = (await catalog.feed.changes_after(mark, 100)).items
    assert withdrawn.id == dune.id and withdrawn.withdrawn


async def test_the_lag_counts_the_titles_changed_after_a_mark(catalog: Catalog) -> None:
    before = datetime.now(UTC)
    await catalog.repository.upsert_many(small_catalog())
    lag = await catalog.feed.lag(START)
    assert lag.changes == len(small_catalog())
    assert lag.oldest_changed_at is not None and lag.oldest_changed_at >= before.replace(microsecond=0)
    mark = (await catalog.feed.changes_after(START, 100)).last
    assert (await catalog.feed.lag(mark)).changes == 0


async def test_a_mark_the_feed_never_issued_is_recognised(catalog: Catalog) -> None:
    await catalog.repository.upsert_many(small_catalog())
    mark = (await catalog.feed.changes_after(START, 100)).last
    assert await catalog.feed.issued(mark) and await catalog.feed.issued(START)
    assert not await catalog.feed.issued(FeedMark(mark.number + 10_000_000, UUID(int=0)))


async def test_postgres_holds_back_changes_that_a_transaction_still_open_could_precede(engine: AsyncEngine) -> None:
    feed, repository = PostgresCatalogChangeFeed(engine), PostgresContentRepository(engine)
    slow = PostgresCatalogChanges(engine).unit()
    async with slow as unit:
        await unit.save_title(movie("Arrival", year=2016), None)  # its transaction id is older...
        await repository.upsert_many([movie("Dune", year=2021)])  # ...than this one's, committed first
        assert (await feed.changes_after(START, 100)).items == ()  # reading Dune would move past Arrival
        await unit.commit()
    assert [item.title for item in (await feed.changes_after(START, 100)).items] == ["Arrival", "Dune"]


async def test_postgres_refuses_to_delete_a_title_which_the_feed_could_never_report(engine: AsyncEngine) -> None:
    await PostgresContentRepository(engine).upsert_many([movie("Arrival", year=2016)])
    with pytest.raises(DBAPIError, match="withdraw the title"):
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM content WHERE title = 'Arrival'"))
    assert [item.title for item in (await PostgresCatalogChangeFeed(engine).changes_after(START, 100)).items] == [
        "Arrival"
    ]
