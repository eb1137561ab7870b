"""One contract for ContentSearch: the in-memory twin, PostgreSQL and Tantivy pass it, each loaded
through its own write path (the repository's upsert, or the index writer's).

Relevance, best first: the exact title, the query as a phrase in a title, its words in a title,
their stems, typos; the catalog holds no popularity, so equal matches fall back to titles before
episodes, shorter titles, newer years.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.catalog.tantivy_catalog_index import TantivyCatalogIndex
from adapters.catalog.tantivy_content_search import TantivyContentSearch
from application.catalog.ports import ContentSearch
from domain.catalog.content import Content, ContentKind
from domain.catalog.search import SearchPage, SearchQuery
from tests.support.catalog_fixtures import movie, small_catalog

Load = Callable[[Sequence[Content]], Awaitable[object]]


@attrs.frozen
class Searchable:
    load: Load
    search: ContentSearch

    async def find(self, text: str, **filters: object) -> SearchPage:
        return await self.search.search(SearchQuery.create(text, **filters))  # type: ignore[arg-type]

    async def titles(self, text: str, **filters: object) -> list[str]:
        return [item.title for item in (await self.find(text, **filters)).items]


@pytest.fixture(params=["in-memory", "postgres", "tantivy"])
def searchable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Searchable]:
    if request.param == "in-memory":
        memory = InMemoryCatalog()
        yield Searchable(memory.upsert_many, memory)
    elif request.param == "postgres":
        engine: AsyncEngine = request.getfixturevalue("engine")
        yield Searchable(PostgresContentRepository(engine).upsert_many, PostgresContentSearch(engine))
    else:
        writer = TantivyCatalogIndex(tmp_path / "catalog-index", heap_bytes=15_000_000, threads=1)
        try:
            yield Searchable(writer.upsert_many, TantivyContentSearch(writer.path, cache_pages=64))
        finally:
            writer.close()


async def loaded(searchable: Searchable, *extra: Content) -> Searchable:
    await searchable.load([*small_catalog(), *extra])
    return searchable


async def test_an_exact_title_ranks_first(searchable: Searchable) -> None:
    search = await loaded(searchable)
    page = await search.find("dune")
    assert [item.title for item in page.items] == ["Dune", "Dune: Part Two"]
    assert page.total == 2


async def test_a_typo_still_finds_the_title(searchable: Searchable) -> None:
    search = await loaded(searchable)
    assert (await search.titles("matrx"))[0] == "The Matrix"
    assert (await search.titles("silent harbr"))[0] == "The Silent Harbor"


async def test_words_from_the_synopsis_match(searchable: Searchable) -> None:
    search = await loaded(searchable)
    assert "The Matrix" in await search.titles("simulation")


async def test_a_typo_that_spells_another_word_still_finds_the_title(searchable: Searchable) -> None:
    search = await loaded(searchable, movie("Star Wars", year=1977), movie("Start Up", year=2016))
    assert (await search.titles("start wars"))[0] == "Star Wars"


async def test_filters_narrow_the_results(searchable: Searchable) -> None:
    search = await loaded(searchable)
    assert await search.titles("dune", platform="netflix") == ["Dune"]
    assert await search.titles("dune", year=2024) == ["Dune: Part Two"]
    assert await search.titles("dune", genre="adventure") == ["Dune"]
    assert await search.titles("dune", genre="horror") == []


async def test_episodes_are_searchable_and_rank_after_their_series(searchable: Searchable) -> None:
    search = await loaded(searchable)
    page = await search.find("stranger signals")
    assert page.items[0].kind is ContentKind.SERIES
    episodes = [item for item in page.items if item.kind is ContentKind.EPISODE]
    assert len(episodes) == 3
    assert all(e.series_id == page.items[0].id for e in episodes)


async def test_pages_split_the_results_without_overlap(searchable: Searchable) -> None:
    search = await loaded(searchable)
    first = await search.find("stranger signals", page=1, page_size=2)
    second = await search.find("stranger signals", page=2, page_size=2)
    beyond = await search.find("stranger signals", page=9, page_size=2)
    assert first.total == second.total == beyond.total == 4
    assert len(first.items) == len(second.items) == 2
    assert not {i.id for i in first.items} & {i.id for i in second.items}
    assert beyond.items == () and first.total_pages == 2


async def test_nothing_matches_gibberish(searchable: Searchable) -> None:
    search = await loaded(searchable)
    page = await search.find("qwzxv")
    assert page.items == () and page.total == 0


async def test_the_platform_filter_counts_only_availability_inside_its_window(searchable: Searchable) -> None:
    dune = movie("Dune", platforms=("netflix",))
    window = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    offer = attrs.evolve(dune.availability[0], available_from=window[0], available_until=window[1])
    await searchable.load([attrs.evolve(dune, availability=(offer,))])
    before, inside = datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), datetime(2026, 2, 15, tzinfo=UTC)
    assert await searchable.titles("dune", platform="netflix", at=inside) == ["Dune"]
    assert await searchable.titles("dune", platform="netflix", at=window[0]) == ["Dune"]
    assert await searchable.titles("dune", platform="netflix", at=before) == []
    assert await searchable.titles("dune", platform="netflix", at=window[1]) == []  # until is exclusive
    assert await searchable.titles("dune", platform="max", at=inside) == []


async def test_two_windows_on_one_platform_leave_the_gap_between_them_out(searchable: Searchable) -> None:
    dune = movie("Dune", platforms=("netflix",))
    months = [datetime(2026, month, 1, tzinfo=UTC) for month in (1, 2, 3, 4)]
    first = attrs.evolve(dune.availability[0], available_from=months[0], available_until=months[1])
    again = attrs.evolve(dune.availability[0], region="FR", available_from=months[2], available_until=months[3])
    await searchable.load([attrs.evolve(dune, availability=(first, again))])
    in_the_gap = datetime(2026, 2, 15, tzinfo=UTC)
    assert await searchable.titles("dune", platform="netflix", at=in_the_gap) == []
    assert await searchable.titles("dune", platform="netflix", at=datetime(2026, 3, 15, tzinfo=UTC)) == ["Dune"]


async def test_a_withdrawn_title_is_never_found(searchable: Searchable) -> None:
    search = await loaded(searchable)
    dune = next(item for item in small_catalog() if item.title == "Dune")
    await search.load([attrs.evolve(dune, withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC))])
    assert await search.titles("dune") == ["Dune: Part Two"]
    assert await search.titles("desert planet arrakis") == []


async def test_a_changed_title_is_found_by_its_new_words_only(searchable: Searchable) -> None:
    search = await loaded(searchable)
    assert await search.titles("simulation") == ["The Matrix"]
    matrix = next(item for item in small_catalog() if item.title == "The Matrix")
    await search.load([attrs.evolve(matrix, title="The Lattice", synopsis="A hacker in a grid.")])
    assert await search.titles("lattice") == ["The Lattice"]
    assert await search.titles("simulation") == [], "a search made before the change is not answered again"


async def test_the_exact_title_comes_before_a_phrase_and_a_phrase_before_the_word_alone(
    searchable: Searchable,
) -> None:
    search = await loaded(searchable, movie("Matrix", year=2030), movie("The Matrix Reloaded", year=2003))
    assert await search.titles("the matrix") == ["The Matrix", "The Matrix Reloaded", "Matrix"]


async def test_a_word_as_written_ranks_before_its_stem_and_a_stem_before_a_typo(searchable: Searchable) -> None:
    search = await loaded(searchable, movie("Lost Signal", year=2001), movie("Signal Lost", year=2002))
    titles = await search.titles("signal")
    assert set(titles[:2]) == {"Lost Signal", "Signal Lost"} and titles[2] == "Stranger Signals"
    search = await loaded(searchable, movie("Harbours", year=2025))
    assert await search.titles("harbors") == ["The Silent Harbor", "Harbours"]


async def test_equal_matches_put_the_shorter_then_the_newer_title_first(searchable: Searchable) -> None:
    remake = attrs.evolve(movie("Dune", year=1984), id=movie("Dune (1984)").id)
    search = await loaded(searchable, remake, movie("Matrix", year=1990), movie("The Matrix Resurrections", year=2021))
    assert await search.titles("dune") == ["Dune", "Dune", "Dune: Part Two"]
    assert [item.release_year for item in (await search.find("dune")).items][:2] == [2021, 1984]
    assert await search.titles("matrix") == ["Matrix", "The Matrix", "The Matrix Resurrections"]


async def test_a_query_of_stop_words_matches_them_in_titles(searchable: Searchable) -> None:
    search = await loaded(searchable)
    assert set(await search.titles("the")) == {"The Matrix", "The Silent Harbor"}


async def test_the_words_as_a_phrase_rank_before_the_same_words_apart(searchable: Searchable) -> None:
    search = await loaded(searchable, movie("Harbor Silent", year=2030))
    assert (await search.titles("silent harbor"))[:2] == ["The Silent Harbor", "Harbor Silent"]
