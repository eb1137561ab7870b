"""Similar titles on in-memory adapters: by cosine in the model in use, episodes as their series,
popular titles of the same genres for a title the model does not know, 404 for no title."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

import pytest

from application.recommendations.results import RecommendationSource
from application.recommendations.vector_index_ports import ItemFilter, Scored, VectorIndexUnavailable
from domain.recommendations.errors import InvalidRecommendationRequest, TitleNotFound
from tests.support.catalog_fixtures import movie
from tests.support.serving_world import EP2, ROMANCE, SCI_FI, SHOW, ServingWorld


@pytest.fixture
def world() -> ServingWorld:
    return ServingWorld()


async def test_a_title_the_model_knows_answers_the_titles_nearest_it_by_cosine(world: ServingWorld) -> None:
    version = await world.train({})
    answer = await world.recommend_similar()(SCI_FI[0].id, 3)
    assert answer.source is RecommendationSource.ALS and answer.model_version == version
    assert [i.content.title for i in answer.items] == ["Star 1", "Star 2", "Star 3"]
    assert 0 < answer.items[-1].score < answer.items[0].score <= 1


async def test_an_episode_is_asked_about_as_its_series_which_is_left_out(world: ServingWorld) -> None:
    await world.train({})
    from_episode = await world.recommend_similar()(EP2.id, 3)
    from_series = await world.recommend_similar()(SHOW.id, 3)
    assert [i.content.id for i in from_episode.items] == [i.content.id for i in from_series.items]
    assert SHOW.id not in [i.content.id for i in from_episode.items] and len(from_episode.items) == 3


async def test_a_title_newer_than_the_model_gets_popular_titles_sharing_a_genre(world: ServingWorld) -> None:
    await world.train({})
    newcomer = movie("Star Newcomer", genres=("science-fiction",))
    world.catalog.put(newcomer)
    world.completed_by(ROMANCE[0], viewers=9)  # popular, but no shared genre
    world.completed_by(SCI_FI[2], viewers=2)
    world.completed_by(SHOW, viewers=1)
    world.completed_by(newcomer, viewers=4)  # itself: never its own similar title
    answer = await world.recommend_similar()(newcomer.id, 10)
    assert answer.source is RecommendationSource.POPULAR and answer.model_version is None
    assert [(i.content.title, i.score) for i in answer.items] == [("Star 2", 2.0), ("Stranger Signals", 1.0)]


async def test_without_any_model_similar_titles_are_popular_ones_of_the_same_genres(world: ServingWorld) -> None:
    world.completed_by(SCI_FI[3], viewers=1)
    answer = await world.recommend_similar()(SCI_FI[0].id, 10)
    assert answer.source is RecommendationSource.POPULAR and [i.content.title for i in answer.items] == ["Star 3"]


class UnavailableIndex:
    async def similar_items(self, version: int, item_id: UUID, where: ItemFilter, limit: int) -> list[Scored] | None:
        raise VectorIndexUnavailable("breaker open")

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        raise VectorIndexUnavailable("breaker open")


async def test_an_unavailable_index_answers_popular_titles_of_the_same_genres(world: ServingWorld) -> None:
    await world.train({})
    world.completed_by(SCI_FI[3], viewers=1)
    answer = await world.recommend_similar(index=UnavailableIndex())(SCI_FI[0].id, 10)
    assert answer.source is RecommendationSource.POPULAR and [i.content.title for i in answer.items] == ["Star 3"]


async def test_a_title_the_catalog_does_not_have_or_withdrew_is_not_found(world: ServingWorld) -> None:
    import attrs

    await world.train({})
    with pytest.raises(TitleNotFound):
        await world.recommend_similar()(uuid.uuid4(), 10)
    world.catalog.put(attrs.evolve(SCI_FI[0], withdrawn_at=world.clock.now()))
    with pytest.raises(TitleNotFound):
        await world.recommend_similar()(SCI_FI[0].id, 10)


async def test_a_limit_outside_one_to_the_maximum_is_refused(world: ServingWorld) -> None:
    for limit in (0, 101):
        with pytest.raises(InvalidRecommendationRequest):
            await world.recommend_similar()(SCI_FI[0].id, limit)
