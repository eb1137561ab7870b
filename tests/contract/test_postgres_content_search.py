"""What only the PostgreSQL search does, for a large catalog: a total capped at 1,000 ("1,000+"),
stop-word-only queries in title order, and trigram matching only when full text finds less than
a page. The behaviour every search adapter shares is in the catalog contract."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import TOTAL_CAP, PostgresContentSearch
from domain.catalog.search import SearchQuery
from tests.support.catalog_fixtures import movie


@pytest.fixture
def search(engine: AsyncEngine) -> PostgresContentSearch:
    return PostgresContentSearch(engine)


async def stored(engine: AsyncEngine, *titles: str) -> None:
    await PostgresContentRepository(engine).upsert_many([movie(title) for title in titles])


def titles(page: object) -> list[str]:
    return [item.title for item in page.items]  # type: ignore[attr-defined]


async def test_past_the_cap_the_total_is_a_lower_bound_and_the_exact_title_still_comes_first(
    engine: AsyncEngine, search: PostgresContentSearch
) -> None:
    await stored(engine, *(f"Harbor {n}" for n in range(TOTAL_CAP + 5)), "Harbor")
    page = await search.search(SearchQuery.create("harbor"))
    assert (page.total, page.total_is_lower_bound, page.total_pages) == (TOTAL_CAP, True, TOTAL_CAP // 20)
    assert titles(page)[0] == "Harbor"
    last = await search.search(SearchQuery.create("harbor", page=TOTAL_CAP // 20))
    beyond = await search.search(SearchQuery.create("harbor", page=TOTAL_CAP // 20 + 1))
    assert len(last.items) == 20 and beyond.items == () and beyond.total_is_lower_bound


async def test_below_the_cap_the_total_is_exact(engine: AsyncEngine, search: PostgresContentSearch) -> None:
    await stored(engine, *(f"Harbor {n}" for n in range(TOTAL_CAP)))
    page = await search.search(SearchQuery.create("harbor"))
    assert (page.total, page.total_is_lower_bound) == (TOTAL_CAP, False)


async def test_a_query_of_stop_words_only_lists_the_exact_title_then_title_order(
    engine: AsyncEngine, search: PostgresContentSearch
) -> None:
    await stored(engine, "The Zebra", "Of Mice", "The Apple", "The", "Mice of the Night", "Dune")
    assert titles(await search.search(SearchQuery.create("the"))) == [
        "The",
        "Mice of the Night",
        "The Apple",
        "The Zebra",
    ]
    assert titles(await search.search(SearchQuery.create("of the"))) == ["Mice of the Night"]
    second = await search.search(SearchQuery.create("the", page=2, page_size=3))
    assert titles(second) == ["The Zebra"] and second.total == 4


async def test_typos_are_matched_only_when_full_text_finds_less_than_a_page(
    engine: AsyncEngine, search: PostgresContentSearch
) -> None:
    await stored(engine, "Harbor Lights", "Harbor Nights", "Harbour Days")
    words_only = await search.search(SearchQuery.create("harbor", page_size=2))
    assert set(titles(words_only)) == {"Harbor Lights", "Harbor Nights"} and words_only.total == 2
    widened = await search.search(SearchQuery.create("harbor", page_size=3))
    assert titles(widened)[2] == "Harbour Days" and widened.total == 3
    assert set(titles(widened)[:2]) == {"Harbor Lights", "Harbor Nights"}
