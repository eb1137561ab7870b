"""One contract for the catalog titles nearest a zero-result query, in memory (a Python trigram
similarity like pg_trgm's) and on PostgreSQL (pg_trgm ``similarity``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs
import pytest

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.search_analytics.in_memory_closest_titles import InMemoryClosestTitles, similarity
from adapters.search_analytics.postgres_closest_titles import PostgresClosestTitles
from application.catalog.ports import ContentRepository
from application.search_analytics.report_ports import ClosestTitles
from tests.support.catalog_fixtures import movie, series_with_episodes

TITLES = [
    movie("The Matrix", year=1999),
    movie("The Matrix Reloaded", year=2003),
    movie("Dune", year=2021),
    attrs.evolve(movie("Dune", year=1984), id=uuid.uuid4()),  # a remake: one title in the answer
    attrs.evolve(movie("Matrix Withdrawn"), withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC)),
    *series_with_episodes("Stranger Signals"),  # its episodes are not offered
]


@pytest.fixture(params=["in-memory", "postgres"])
def backend(request: pytest.FixtureRequest) -> tuple[ContentRepository, ClosestTitles]:
    if request.param == "in-memory":
        catalog = InMemoryCatalog()
        return catalog, InMemoryClosestTitles(catalog)
    engine = request.getfixturevalue("engine")
    return PostgresContentRepository(engine), PostgresClosestTitles(engine)


@pytest.fixture
async def closest(backend: tuple[ContentRepository, ClosestTitles]) -> ClosestTitles:
    repository, closest_titles = backend
    await repository.upsert_many(TITLES)
    return closest_titles


async def test_a_typo_finds_the_nearest_titles_first(closest: ClosestTitles) -> None:
    assert await closest.closest("the matrx", 3) == ("The Matrix", "The Matrix Reloaded")
    assert await closest.closest("the matrx", 1) == ("The Matrix",)


async def test_films_and_series_only_each_title_once(closest: ClosestTitles) -> None:
    assert await closest.closest("dune", 5) == ("Dune",)
    assert await closest.closest("stranger signls", 5) == ("Stranger Signals",)


async def test_a_withdrawn_title_is_not_offered(closest: ClosestTitles) -> None:
    assert await closest.closest("matrix", 5) == ("The Matrix", "The Matrix Reloaded")


async def test_a_content_gap_has_no_close_title(closest: ClosestTitles) -> None:
    assert await closest.closest("zyxwv qqq", 3) == ()
    assert await closest.closest("", 3) == ()


def test_the_similarity_is_pg_trgms() -> None:
    # pg_trgm: similarity('word', 'two words') = 4 / 11 (see its documentation's example: 0.36363637)
    assert similarity("word", "two words") == pytest.approx(0.36363637)
    assert similarity("Dune", "dune") == 1.0
