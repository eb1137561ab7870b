"""One contract for CatalogChanges (applying platforms' changes), the in-memory fake and Postgres:
driven through ApplyCatalogChange, read back through the catalog's repository and search."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.in_memory_catalog_changes import InMemoryCatalogChanges
from adapters.catalog.postgres_catalog_changes import PostgresCatalogChanges
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.shared.manual_clock import ManualClock
from adapters.shared.system import Uuid4Generator
from application.catalog.apply_catalog_change import (
    AppliedChange,
    ApplyCatalogChange,
    ApplyCatalogChangeCommand,
    ChangeOutcome,
)
from application.catalog.catalog_change_ports import CatalogChanges
from application.catalog.ports import ContentRepository, ContentSearch
from domain.catalog.catalog_change import CatalogChange
from domain.catalog.content import ContentKind
from domain.catalog.search import SearchQuery
from tests.support.catalog_changes import T0, episode, removed, upserted

World = tuple[CatalogChanges, ContentRepository, ContentSearch, ManualClock]
_ids = count(1)


@pytest.fixture(params=["in-memory", "postgres"])
def world(request: pytest.FixtureRequest) -> World:
    clock = ManualClock(T0 + timedelta(days=1))
    if request.param == "in-memory":
        memory = InMemoryCatalog()
        return InMemoryCatalogChanges(memory), memory, memory, clock
    engine: AsyncEngine = request.getfixturevalue("engine")
    return PostgresCatalogChanges(engine), PostgresContentRepository(engine), PostgresContentSearch(engine), clock


async def apply(world: World, change: CatalogChange, change_id: str | None = None) -> AppliedChange:
    use_case = ApplyCatalogChange(world[0], Uuid4Generator(), world[3])
    return await use_case(ApplyCatalogChangeCommand(change_id or f"evt-{next(_ids)}", change))


async def titles(world: World, q: str, platform: str | None = None) -> list[str]:
    page = await world[2].search(SearchQuery.create(q, platform=platform, at=world[3].now()))
    return [item.title for item in page.items]


async def test_an_applied_title_reads_back_with_its_new_facts_and_search_finds_it(world: World) -> None:
    until = datetime(2030, 1, 1, tzinfo=UTC)
    result = await apply(
        world, upserted("netflix", "80100172", "Arrival", imdb="tt2543164", tmdb="329865", until=until)
    )
    assert result.content_id is not None
    item = await world[1].get(result.content_id)
    assert item is not None
    assert item.external_ids.known() == {"imdb": "tt2543164", "tmdb": "329865"}
    (offer,) = item.availability
    assert (offer.platform_content_id, offer.available_from, offer.available_until) == ("80100172", None, until)
    assert await titles(world, "arrival", platform="netflix") == ["Arrival"]


async def test_redelivery_and_older_changes_write_nothing(world: World) -> None:
    first = await apply(world, upserted("netflix", "n1", "Arrival", minute=10), "evt-a")
    assert (await apply(world, upserted("netflix", "n1", "Other", minute=20), "evt-a")).outcome is (
        ChangeOutcome.ALREADY_APPLIED
    )
    assert (await apply(world, upserted("netflix", "n1", "Older", minute=5))).outcome is ChangeOutcome.STALE
    assert first.content_id is not None
    item = await world[1].get(first.content_id)
    assert item is not None and item.title == "Arrival"
    assert await world[1].count() == 1


async def test_resolution_by_external_id_title_and_episode(world: World) -> None:
    by_id = await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164"))
    assert (await apply(world, upserted("max", "m1", "Arrival!", year=2016, imdb="tt2543164"))).content_id == (
        by_id.content_id
    )
    by_title = await apply(world, upserted("netflix", "n2", "Amélie's Garden", year=2001))
    assert (await apply(world, upserted("hulu", "h2", "AMELIE'S  GARDEN", year=2001))).content_id == (
        by_title.content_id
    )
    await apply(world, upserted("netflix", "s1", "Stranger Signals", kind=ContentKind.SERIES))
    await apply(world, upserted("max", "ms1", "Stranger Signals", kind=ContentKind.SERIES))
    first = await apply(world, episode("netflix", "e1", "s1", 0, 1))
    assert (await apply(world, episode("max", "me1", "ms1", 0, 1))).content_id == first.content_id
    assert await world[1].count() == 4


async def test_a_withdrawn_title_leaves_search_but_its_record_stays(world: World) -> None:
    result = await apply(world, upserted("netflix", "n1", "Arrival"))
    await apply(world, removed("netflix", "n1", minute=1))
    assert await titles(world, "arrival") == []
    assert result.content_id is not None
    item = await world[1].get(result.content_id)
    assert item is not None and item.withdrawn and item.availability == ()


async def test_availability_outside_its_window_is_left_out_of_the_platform_filter(world: World) -> None:
    await apply(world, upserted("netflix", "n1", "Arrival", until=world[3].now() - timedelta(seconds=1)))
    assert await titles(world, "arrival", platform="netflix") == []
    assert await titles(world, "arrival") == ["Arrival"]


async def test_forgetting_applied_changes_lets_a_change_id_apply_again(world: World) -> None:
    await apply(world, upserted("netflix", "n1", "Arrival", minute=1), "evt-old")
    assert await world[0].forget_applied_before(world[3].now() + timedelta(seconds=1)) == 1
    assert (await apply(world, upserted("netflix", "n1", "Arrival", minute=2), "evt-old")).outcome is (
        ChangeOutcome.APPLIED
    )


async def test_concurrent_changes_to_one_new_title_make_one_title_and_the_newest_wins(world: World) -> None:
    """Two platforms announce one new title (one IMDb id) at once, each several times out of
    order: one title, each platform's newest change applied, the newest details everywhere."""
    changes = [
        upserted(platform, f"{platform}-1", f"Arrival {minute}", minute=minute, imdb="tt2543164", regions=(region,))
        for minute in range(1, 9)
        for platform, region in (("netflix", "US"), ("max", "FR"))
    ]
    results = await asyncio.gather(*(apply(world, change) for change in reversed(changes)))
    assert {r.content_id for r in results} == {results[0].content_id} and await world[1].count() == 1
    assert results[0].content_id is not None
    item = await world[1].get(results[0].content_id)
    assert item is not None and item.title == "Arrival 8"
    assert {(a.platform, a.region) for a in item.availability} == {("netflix", "US"), ("max", "FR")}


async def test_concurrent_new_titles_by_title_alone_are_not_duplicated(world: World) -> None:
    changes = [upserted(f"platform-{n}", "x", "The Quiet Harbor", year=2020) for n in range(6)]
    results = await asyncio.gather(*(apply(world, change) for change in changes))
    assert len({r.content_id for r in results}) == 1 and await world[1].count() == 1
