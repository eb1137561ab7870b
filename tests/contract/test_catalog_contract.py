"""One contract for the catalog (repository and search): the in-memory fake and Postgres pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs

from application.catalog.ports import ContentRepository, ContentSearch
from domain.catalog.content import ContentKind
from domain.catalog.external_ids import ExternalIds
from domain.catalog.search import SearchQuery
from tests.support.catalog_fixtures import movie, small_catalog

Catalog = tuple[ContentRepository, ContentSearch]


async def loaded(catalog: Catalog) -> Catalog:
    await catalog[0].upsert_many(small_catalog())
    return catalog


def titles(page: object) -> list[str]:
    return [item.title for item in page.items]  # type: ignore[attr-defined]


async def test_content_reads_back_with_its_availability(catalog: Catalog) -> None:
    repository, _ = await loaded(catalog)
    dune = movie("Dune", year=2021, genres=("science-fiction", "adventure"), platforms=("max", "netflix"))
    stored = await repository.get(dune.id)
    assert stored is not None
    assert stored.title == "Dune"
    assert stored.platforms == {"max", "netflix"}
    assert await repository.get(uuid.uuid4()) is None
    assert await repository.count() == 9


async def test_upserting_again_replaces_instead_of_duplicating(catalog: Catalog) -> None:
    repository, _ = await loaded(catalog)
    retitled = movie("The Matrix", year=1999, platforms=("hulu",), synopsis="Now on Hulu.")
    await repository.upsert_many([retitled])
    stored = await repository.get(retitled.id)
    assert stored is not None and stored.platforms == {"hulu"} and stored.synopsis == "Now on Hulu."
    assert await repository.count() == 9


async def test_an_exact_title_ranks_first(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    page = await search.search(SearchQuery.create("dune"))
    assert titles(page)[:2] == ["Dune", "Dune: Part Two"]
    assert page.total == 2


async def test_a_typo_still_finds_the_title(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    assert titles(await search.search(SearchQuery.create("matrx")))[0] == "The Matrix"
    assert titles(await search.search(SearchQuery.create("silent harbr")))[0] == "The Silent Harbor"


async def test_words_from_the_synopsis_match(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    assert "The Matrix" in titles(await search.search(SearchQuery.create("simulation")))


async def test_filters_narrow_the_results(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    assert titles(await search.search(SearchQuery.create("dune", platform="netflix"))) == ["Dune"]
    assert titles(await search.search(SearchQuery.create("dune", year=2024))) == ["Dune: Part Two"]
    assert titles(await search.search(SearchQuery.create("dune", genre="adventure"))) == ["Dune"]
    assert titles(await search.search(SearchQuery.create("dune", genre="horror"))) == []


async def test_episodes_are_searchable_and_rank_after_their_series(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    page = await search.search(SearchQuery.create("stranger signals"))
    assert page.items[0].kind is ContentKind.SERIES
    episodes = [item for item in page.items if item.kind is ContentKind.EPISODE]
    assert len(episodes) == 3
    assert all(e.series_id == page.items[0].id for e in episodes)


async def test_pages_split_the_results_without_overlap(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    first = await search.search(SearchQuery.create("stranger signals", page=1, page_size=2))
    second = await search.search(SearchQuery.create("stranger signals", page=2, page_size=2))
    beyond = await search.search(SearchQuery.create("stranger signals", page=9, page_size=2))
    assert first.total == second.total == beyond.total == 4
    assert len(first.items) == len(second.items) == 2
    assert not {i.id for i in first.items} & {i.id for i in second.items}
    assert beyond.items == () and first.total_pages == 2


async def test_nothing_matches_gibberish(catalog: Catalog) -> None:
    _, search = await loaded(catalog)
    page = await search.search(SearchQuery.create("qwzxv"))
    assert page.items == () and page.total == 0


async def test_external_ids_platform_ids_windows_and_withdrawal_read_back(catalog: Catalog) -> None:
    repository, search = catalog
    dune = movie("Dune", platforms=("netflix",))
    window = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    offer = attrs.evolve(dune.availability[0], platform_content_id="81000001", available_from=window[0])
    offer = attrs.evolve(offer, available_until=window[1])
    ids = ExternalIds(imdb="tt1160419", eidr="10.5240/0EF3-54F9-2642-0B49-6829-R")
    await repository.upsert_many([attrs.evolve(dune, availability=(offer,), external_ids=ids)])
    stored = await repository.get(dune.id)
    assert stored is not None and stored.external_ids == ids and stored.availability == (offer,)
    inside, after = datetime(2026, 2, 15, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    assert titles(await search.search(SearchQuery.create("dune", platform="netflix", at=inside))) == ["Dune"]
    assert titles(await search.search(SearchQuery.create("dune", platform="netflix", at=after))) == []

    await repository.upsert_many([attrs.evolve(dune, withdrawn_at=after)])
    assert titles(await search.search(SearchQuery.create("dune"))) == []
    kept = await repository.get(dune.id)  # playback's lookup: the history keeps its title
    assert kept is not None and kept.withdrawn_at == after
