"""One contract for PopularTitles: the in-memory fake and PostgreSQL pass it."""

from __future__ import annotations

import uuid

import attrs
import pytest

from application.recommendations.vector_index_ports import ItemFilter, Scored
from domain.catalog.content import Availability
from tests.support.catalog_fixtures import movie, series_with_episodes
from tests.support.serving_adapters import BACKENDS, NOW, ServingAdapters, serving_adapters

DUNE = movie("Dune", genres=("science-fiction",), platforms=("max",))
MATRIX = movie("The Matrix", genres=("action", "science-fiction"), platforms=("netflix",))
LISBON = movie("Midnight in Lisbon", genres=("romance",), platforms=("netflix",))
SHOW, EP1, EP2 = series_with_episodes("Stranger Signals", episodes=2)  # science fiction, max US


@pytest.fixture(params=BACKENDS)
def made(request: pytest.FixtureRequest) -> ServingAdapters:
    return serving_adapters(request)


@pytest.fixture
async def adapters(made: ServingAdapters) -> ServingAdapters:
    await made.catalog.upsert_many([DUNE, MATRIX, LISBON, SHOW, EP1, EP2])
    return made


async def test_titles_come_by_how_many_viewers_finished_them_lately(adapters: ServingAdapters) -> None:
    await adapters.finished(MATRIX, 3)
    await adapters.finished(DUNE, 1)
    await adapters.finished(LISBON, 2)
    await adapters.finished(LISBON, 5, days_ago=31)  # older than popular_days
    await adapters.finished(DUNE, 4, completed=False)  # watched, not finished
    assert await adapters.popular.popular(ItemFilter(), 10) == [
        Scored(MATRIX.id, 3.0),
        Scored(LISBON.id, 2.0),
        Scored(DUNE.id, 1.0),
    ]
    assert await adapters.popular.popular(ItemFilter(), 2) == [Scored(MATRIX.id, 3.0), Scored(LISBON.id, 2.0)]


async def test_episodes_finished_count_for_their_series_once_per_viewer(adapters: ServingAdapters) -> None:
    await adapters.finished(EP1, 2)
    await adapters.finished(EP2, 1)
    await adapters.finished(DUNE, 2)
    answer = await adapters.popular.popular(ItemFilter(), 10)
    assert answer[0] == Scored(SHOW.id, 3.0) and answer[1] == Scored(DUNE.id, 2.0)


async def test_filters_and_exclusions_apply(adapters: ServingAdapters) -> None:
    await adapters.catalog.upsert_many(
        [attrs.evolve(LISBON, availability=(Availability("netflix", "GB", "https://netflix.example/l"),))]
    )
    for title, viewers in ((MATRIX, 4), (LISBON, 3), (EP1, 2), (DUNE, 1)):
        await adapters.finished(title, viewers)
    popular = adapters.popular.popular
    ids = lambda found: [s.id for s in found]  # noqa: E731
    assert ids(await popular(ItemFilter(kind="series"), 10)) == [SHOW.id]
    assert ids(await popular(ItemFilter(platform="netflix"), 10)) == [MATRIX.id, LISBON.id]
    assert ids(await popular(ItemFilter(region="US"), 10)) == [MATRIX.id, SHOW.id, DUNE.id]
    assert ids(await popular(ItemFilter(platform="netflix", region="GB"), 10)) == [LISBON.id]
    assert ids(await popular(ItemFilter(genres_any=("romance", "action")), 10)) == [MATRIX.id, LISBON.id]
    assert ids(await popular(ItemFilter(exclude=frozenset({MATRIX.id, SHOW.id})), 10)) == [LISBON.id, DUNE.id]


async def test_withdrawn_titles_are_not_popular(adapters: ServingAdapters) -> None:
    await adapters.finished(MATRIX, 2)
    await adapters.finished(DUNE, 1)
    await adapters.catalog.upsert_many([attrs.evolve(MATRIX, withdrawn_at=NOW)])
    assert await adapters.popular.popular(ItemFilter(), 10) == [Scored(DUNE.id, 1.0)]


async def test_popular_like_shares_a_genre_and_leaves_the_title_out(adapters: ServingAdapters) -> None:
    for title, viewers in ((LISBON, 5), (MATRIX, 4), (DUNE, 3), (EP1, 1)):
        await adapters.finished(title, viewers)
    like_dune = await adapters.popular.popular_like(DUNE.id, ItemFilter(), 10)
    assert like_dune == [Scored(MATRIX.id, 4.0), Scored(SHOW.id, 1.0)]
    assert await adapters.popular.popular_like(DUNE.id, ItemFilter(kind="series"), 10) == [Scored(SHOW.id, 1.0)]
    assert await adapters.popular.popular_like(uuid.uuid4(), ItemFilter(), 1) == [Scored(LISBON.id, 5.0)]
