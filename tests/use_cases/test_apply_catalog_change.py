"""ApplyCatalogChange on the in-memory world: resolution, order, idempotence, withdrawal, and
what search and content pages then show."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from uuid import UUID

import attrs
import pytest

from application.catalog.apply_catalog_change import AppliedChange, ApplyCatalogChangeCommand, ChangeOutcome
from application.catalog.search_catalog import SearchCatalogCommand
from domain.catalog.catalog_change import CatalogChange
from domain.catalog.content import Content, ContentKind
from domain.catalog.errors import ContentNotFound, UnknownSeries, UnknownTitle
from tests.support.apps import FakeWorld
from tests.support.catalog_changes import availability_changed, episode, removed, upserted
from tests.support.catalog_fixtures import movie

_ids = count(1)


async def apply(world: FakeWorld, change: CatalogChange, change_id: str | None = None) -> AppliedChange:
    command = ApplyCatalogChangeCommand(change_id or f"evt-{next(_ids)}", change)
    return await world.container.catalog.apply_catalog_change()(command)


async def page(world: FakeWorld, content_id: UUID | None) -> Content:
    assert content_id is not None
    return await world.container.catalog.get_content()(content_id)


async def found(world: FakeWorld, q: str, platform: str | None = None) -> list[str]:
    result = await world.container.catalog.search_catalog()(SearchCatalogCommand(q=q, platform=platform))
    return [item.title for item in result.items]


async def test_a_new_title_is_created_with_its_availability_and_found_at_once(world: FakeWorld) -> None:
    result = await apply(world, upserted("netflix", "80100172", "Arrival", imdb="tt2543164", regions=("US", "GB")))
    assert result.outcome is ChangeOutcome.APPLIED
    title = await page(world, result.content_id)
    assert title.title == "Arrival" and title.external_ids.imdb == "tt2543164"
    assert {(a.platform, a.region, a.platform_content_id) for a in title.availability} == {
        ("netflix", "GB", "80100172"),
        ("netflix", "US", "80100172"),
    }
    assert await found(world, "arrival", platform="netflix") == ["Arrival"]


async def test_a_redelivered_change_is_applied_once(world: FakeWorld) -> None:
    first = await apply(world, upserted("netflix", "n1", "Arrival"), "evt-same")
    again = await apply(world, upserted("netflix", "n1", "Arrival", minute=5), "evt-same")
    assert first.outcome is ChangeOutcome.APPLIED and again.outcome is ChangeOutcome.ALREADY_APPLIED
    assert await world.catalog.count() == 1


async def test_an_older_or_equal_change_of_the_title_is_stale_and_writes_nothing(world: FakeWorld) -> None:
    newer = await apply(world, upserted("netflix", "n1", "Arrival", minute=10, synopsis="Newest."))
    older = await apply(world, upserted("netflix", "n1", "Arrival", minute=5, synopsis="Older.", regions=("FR",)))
    same = await apply(world, upserted("netflix", "n1", "Arrival", minute=10, synopsis="Same time."))
    assert older.outcome is ChangeOutcome.STALE and same.outcome is ChangeOutcome.STALE
    title = await page(world, newer.content_id)
    assert title.synopsis == "Newest." and [a.region for a in title.availability] == ["US"]


async def test_two_platforms_with_one_external_id_share_one_title(world: FakeWorld) -> None:
    netflix = await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164"))
    prime = await apply(world, upserted("prime-video", "0ABC", "Arrival (2016)", year=2016, imdb="tt2543164"))
    assert prime.content_id == netflix.content_id
    assert (await page(world, netflix.content_id)).platforms == {"netflix", "prime-video"}


async def test_without_ids_the_normalised_title_year_and_kind_resolve(world: FakeWorld) -> None:
    first = await apply(world, upserted("netflix", "n1", "Amélie’s Garden!", year=2001))
    same = await apply(world, upserted("max", "m1", "amelies   garden", year=2001))
    other_year = await apply(world, upserted("hulu", "h1", "Amélie's Garden", year=2019))
    assert same.content_id == first.content_id
    assert (await apply(world, upserted("max", "m2", "AMELIE'S GARDEN", year=2001))).content_id == first.content_id
    assert other_year.content_id != first.content_id


async def test_the_platform_id_resolves_a_retitled_title(world: FakeWorld) -> None:
    first = await apply(world, upserted("netflix", "n1", "Arrival", minute=1))
    renamed = await apply(world, upserted("netflix", "n1", "Arrival: Director's Cut", minute=2))
    assert renamed.content_id == first.content_id
    assert (await page(world, first.content_id)).title == "Arrival: Director's Cut"


async def test_an_imported_title_resolves_by_its_availability_platform_id(world: FakeWorld) -> None:
    dune = movie("Dune", year=2021, platforms=("netflix",))
    imported = attrs.evolve(dune, availability=(attrs.evolve(dune.availability[0], platform_content_id="81000001"),))
    await world.catalog.upsert_many([imported])
    result = await apply(world, removed("netflix", "81000001"))
    assert result.content_id == imported.id


async def test_details_are_last_writer_wins_across_platforms_and_availability_stays_per_platform(
    world: FakeWorld,
) -> None:
    await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164", minute=10, synopsis="Netflix says."))
    late = await apply(
        world, upserted("max", "m1", "Arrival", imdb="tt2543164", minute=5, synopsis="Max says.", regions=("FR",))
    )
    title = await page(world, late.content_id)
    assert title.synopsis == "Netflix says."  # the older announcement loses the details
    assert {(a.platform, a.region) for a in title.availability} == {("netflix", "US"), ("max", "FR")}
    await apply(world, upserted("max", "m1", "Arrival", imdb="tt2543164", minute=20, synopsis="Max, later."))
    assert (await page(world, late.content_id)).synopsis == "Max, later."


async def test_a_removal_keeps_the_title_while_another_platform_offers_it(world: FakeWorld) -> None:
    netflix = await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164"))
    await apply(world, upserted("max", "m1", "Arrival", imdb="tt2543164"))
    await apply(world, removed("netflix", "n1", minute=1))
    assert (await page(world, netflix.content_id)).platforms == {"max"}
    assert await found(world, "arrival", platform="netflix") == []


async def test_a_title_no_platform_offers_leaves_search_and_its_page_but_not_the_history(world: FakeWorld) -> None:
    result = await apply(world, upserted("netflix", "n1", "Arrival"))
    await apply(world, removed("netflix", "n1", minute=1))
    assert await found(world, "arrival") == []
    with pytest.raises(ContentNotFound):
        await page(world, result.content_id)
    assert result.content_id is not None
    kept = await world.container.catalog.content_lookup().get(result.content_id)  # what playback reads
    assert kept is not None and kept.withdrawn


async def test_a_late_older_upsert_after_a_removal_stays_stale(world: FakeWorld) -> None:
    result = await apply(world, upserted("netflix", "n1", "Arrival", minute=1))
    await apply(world, removed("netflix", "n1", minute=10))
    late = await apply(world, upserted("netflix", "n1", "Arrival", minute=5))
    assert late.outcome is ChangeOutcome.STALE
    assert await found(world, "arrival") == []
    back = await apply(world, upserted("netflix", "n1", "Arrival", minute=20))
    assert back.content_id == result.content_id and await found(world, "arrival") == ["Arrival"]


async def test_availability_changed_replaces_only_that_platforms_regions(world: FakeWorld) -> None:
    result = await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164", regions=("US", "GB")))
    await apply(world, upserted("max", "m1", "Arrival", imdb="tt2543164", regions=("FR",)))
    await apply(world, availability_changed("netflix", "n1", "DE", minute=1))
    assert {(a.platform, a.region) for a in (await page(world, result.content_id)).availability} == {
        ("netflix", "DE"),
        ("max", "FR"),
    }


async def test_changes_for_titles_the_platform_never_announced_are_unappliable(world: FakeWorld) -> None:
    with pytest.raises(UnknownTitle):
        await apply(world, removed("netflix", "nope"))
    with pytest.raises(UnknownTitle):
        await apply(world, availability_changed("netflix", "nope", "US"))
    with pytest.raises(UnknownSeries):
        await apply(world, episode("netflix", "e1", "no-such-series", 1, 1))
    assert await world.catalog.count() == 0


async def test_episodes_attach_to_the_series_and_resolve_by_season_and_number(world: FakeWorld) -> None:
    series = await apply(world, upserted("netflix", "s1", "Stranger Signals", kind=ContentKind.SERIES))
    await apply(world, upserted("max", "ms1", "Stranger Signals", kind=ContentKind.SERIES))
    first = await apply(world, episode("netflix", "e1", "s1", 1, 1))
    same = await apply(world, episode("max", "me1", "ms1", 1, 1))
    specials = await apply(world, episode("netflix", "e0", "s1", 0, 1))
    assert same.content_id == first.content_id != specials.content_id
    item = await page(world, first.content_id)
    assert item.series_id == series.content_id and item.platforms == {"netflix", "max"}


async def test_availability_outside_its_window_is_not_offered(world: FakeWorld) -> None:
    ended = world.clock.now() - timedelta(minutes=1)
    result = await apply(world, upserted("netflix", "n1", "Arrival", imdb="tt2543164", until=ended))
    await apply(world, upserted("max", "m1", "Arrival", imdb="tt2543164"))
    assert (await page(world, result.content_id)).platforms == {"max"}
    assert await found(world, "arrival", platform="netflix") == []
    assert await found(world, "arrival", platform="max") == ["Arrival"]


async def test_housekeeping_forgets_change_ids_past_the_horizon(world: FakeWorld) -> None:
    await apply(world, upserted("netflix", "n1", "Arrival"), "evt-old")
    world.clock.advance(timedelta(hours=72 + 23))
    assert await world.container.catalog.forget_applied_changes()() == 0
    world.clock.advance(timedelta(hours=2))
    assert await world.container.catalog.forget_applied_changes()() == 1
