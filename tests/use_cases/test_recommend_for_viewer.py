"""Personal picks on in-memory adapters: ranking, exclusions, filters, reasons, one version per
answer, and every reason to answer with popularity instead."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest

from application.recommendations.results import RecommendationRequest, RecommendationSource
from application.recommendations.vector_index_ports import ItemFilter, Scored, VectorIndexUnavailable
from domain.recommendations.errors import InvalidRecommendationRequest
from tests.support.serving_world import (
    ITEM_VECTORS,
    ROMANCE,
    ROMANTIC,
    SCI_FI,
    SCI_FI_FAN,
    SHOW,
    ServingWorld,
    offered_only_in,
)

ANA = uuid.uuid4()


def titles(answer: Any) -> list[str]:
    return [item.content.title for item in answer.items]


@pytest.fixture
def world() -> ServingWorld:
    return ServingWorld()


async def test_a_viewer_the_model_knows_gets_titles_by_dot_product_from_the_version_in_use(
    world: ServingWorld,
) -> None:
    version = await world.train({ANA: SCI_FI_FAN})
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=3))
    assert answer.source is RecommendationSource.ALS and answer.model_version == version
    assert titles(answer) == ["Star 0", "Star 1", "Star 2"]
    star0 = ITEM_VECTORS[SCI_FI[0].id]
    assert answer.items[0].score == pytest.approx(star0[0] * SCI_FI_FAN[0] + star0[1] * SCI_FI_FAN[1])


async def test_titles_finished_dismissed_or_rated_two_or_less_are_never_picked_but_half_watched_ones_are(
    world: ServingWorld,
) -> None:
    await world.train({ANA: SCI_FI_FAN})
    world.watched(ANA, SCI_FI[0], watched_fraction=1.0, completions=1)
    world.watched(ANA, SCI_FI[1], watched_fraction=0.3, dismissed=True)
    world.watched(ANA, SCI_FI[2], watched_fraction=0.2, rating=2)
    world.watched(ANA, SCI_FI[3], watched_fraction=0.4, rating=3)  # neither finished nor disliked
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=3))
    assert titles(answer) == ["Star 3", "Stranger Signals", "Love 3"]


async def test_filters_apply_inside_the_ranking_so_the_page_is_still_full(world: ServingWorld) -> None:
    world.catalog.put(offered_only_in(ROMANCE[3], "netflix", "GB"))
    await world.train({ANA: SCI_FI_FAN})
    recommend = world.recommend_for_viewer()
    on_max = await recommend(ANA, RecommendationRequest(limit=3, platform="max"))
    assert titles(on_max) == ["Stranger Signals", "Love 2", "Love 1"]
    series = await recommend(ANA, RecommendationRequest(limit=3, kind="series"))
    assert titles(series) == ["Stranger Signals"]
    in_gb = await recommend(ANA, RecommendationRequest(limit=3, platform="netflix", region="GB"))
    assert titles(in_gb) == ["Love 3"]


async def test_each_pick_names_the_two_watched_titles_nearest_it_and_never_a_disliked_one(
    world: ServingWorld,
) -> None:
    await world.train({ANA: (0.6, 0.56)})
    world.watched(ANA, SCI_FI[1], watched_fraction=0.5)
    world.watched(ANA, SCI_FI[2], watched_fraction=0.5)
    world.watched(ANA, ROMANCE[1], watched_fraction=0.5)
    world.watched(ANA, SCI_FI[3], watched_fraction=0.5, rating=1)  # disliked: excluded, and no reason
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=3))
    reasons = {item.content.title: [c.title for c in item.because] for item in answer.items}
    assert reasons["Star 0"] == ["Star 1", "Star 2"]
    assert reasons["Love 0"] == ["Love 1", "Star 2"]


async def test_a_viewer_without_history_gets_picks_without_reasons(world: ServingWorld) -> None:
    await world.train({ANA: ROMANTIC})
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=2))
    assert titles(answer) == ["Love 0", "Love 1"] and all(item.because == () for item in answer.items)


async def test_titles_withdrawn_since_the_training_are_left_out_and_the_page_stays_full(
    world: ServingWorld,
) -> None:
    await world.train({ANA: SCI_FI_FAN})
    world.catalog.put(attrs.evolve(SCI_FI[0], withdrawn_at=world.clock.now()))
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=3))
    assert titles(answer) == ["Star 1", "Star 2", "Star 3"]


async def test_a_new_version_is_served_once_the_cached_one_expires(world: ServingWorld) -> None:
    await world.train({ANA: SCI_FI_FAN})
    recommend = world.recommend_for_viewer()
    assert titles(await recommend(ANA, RecommendationRequest(limit=1))) == ["Star 0"]
    second = await world.train({ANA: ROMANTIC})  # trained by another process
    still = await recommend(ANA, RecommendationRequest(limit=1))
    assert titles(still) == ["Star 0"] and still.model_version == second - 1
    world.clock.advance(world.ttl)
    switched = await recommend(ANA, RecommendationRequest(limit=1))
    assert titles(switched) == ["Love 0"] and switched.model_version == second


class SwitchesVersionMidRequest:
    """The in-memory index, but a new version (romance where science fiction was) becomes the one
    in use, and the cache expires, right after the viewer's vector is read."""

    def __init__(self, world: ServingWorld) -> None:
        self._world = world
        self.versions_read: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._world.index, name)

        async def call(version: int, *args: Any, **kwargs: Any) -> Any:
            self.versions_read.add(version)
            answer = await target(version, *args, **kwargs)
            if name == "viewer_vector" and len(self._world.registry._versions) == 1:
                swapped = {i: (v[1], v[0]) for i, v in ITEM_VECTORS.items()}
                await self._world.train({ANA: SCI_FI_FAN}, items=swapped)
                self._world.clock.advance(self._world.ttl)
            return answer

        return call


async def test_one_answer_never_mixes_versions_even_when_the_version_in_use_changes_during_it(
    world: ServingWorld,
) -> None:
    first = await world.train({ANA: SCI_FI_FAN})
    world.watched(ANA, SCI_FI[3], watched_fraction=0.5)
    index = SwitchesVersionMidRequest(world)
    recommend = world.recommend_for_viewer(index=index)
    answer = await recommend(ANA, RecommendationRequest(limit=2))
    assert answer.model_version == first and index.versions_read == {first}
    assert titles(answer) == ["Star 0", "Star 1"]
    assert [c.title for c in answer.items[0].because] == ["Star 3"]
    after = await recommend(ANA, RecommendationRequest(limit=2))
    assert after.model_version == first + 1 and titles(after) == ["Love 0", "Love 1"]


async def test_without_a_model_the_most_finished_titles_lately_answer_and_say_so(world: ServingWorld) -> None:
    world.completed_by(ROMANCE[2], viewers=3)
    world.completed_by(SCI_FI[1], viewers=2)
    world.completed_by(SCI_FI[0], viewers=5, days_ago=40)  # too long ago to count
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=5))
    assert answer.source is RecommendationSource.POPULAR and answer.model_version is None
    assert [(i.content.title, i.score) for i in answer.items] == [("Love 2", 3.0), ("Star 1", 2.0)]


async def test_episodes_finished_count_their_viewers_for_the_series(world: ServingWorld) -> None:
    from tests.support.serving_world import EP1, EP2

    world.completed_by(EP1, viewers=2)
    world.completed_by(EP2, viewers=2)
    world.completed_by(SCI_FI[0], viewers=3)
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=5))
    assert [(i.content.title, i.score) for i in answer.items] == [("Stranger Signals", 4.0), ("Star 0", 3.0)]


async def test_a_viewer_the_model_has_no_vector_for_gets_popular_titles_minus_their_exclusions(
    world: ServingWorld,
) -> None:
    await world.train({uuid.uuid4(): SCI_FI_FAN})
    world.completed_by(ROMANCE[2], viewers=3)
    world.completed_by(SCI_FI[1], viewers=2)
    world.completed_by(SHOW, viewers=1)
    world.watched(ANA, ROMANCE[2], completions=1)
    recommend = world.recommend_for_viewer()
    answer = await recommend(ANA, RecommendationRequest(limit=5))
    assert answer.source is RecommendationSource.POPULAR and titles(answer) == ["Star 1", "Stranger Signals"]
    assert titles(await recommend(ANA, RecommendationRequest(limit=5, platform="netflix"))) == ["Star 1"]


class UnavailableIndex:
    async def viewer_vector(self, version: int, user_id: UUID) -> Sequence[float] | None:
        raise VectorIndexUnavailable("breaker open")

    async def rank_items(self, version: int, query: Sequence[float], where: ItemFilter, limit: int) -> list[Scored]:
        raise VectorIndexUnavailable("breaker open")


async def test_an_unavailable_index_answers_popular_titles(world: ServingWorld) -> None:
    await world.train({ANA: SCI_FI_FAN})
    world.completed_by(ROMANCE[1], viewers=1)
    answer = await world.recommend_for_viewer(index=UnavailableIndex())(ANA, RecommendationRequest(limit=5))
    assert answer.source is RecommendationSource.POPULAR and titles(answer) == ["Love 1"]


async def test_a_version_with_no_items_answers_popular_titles(world: ServingWorld) -> None:
    await world.train({ANA: SCI_FI_FAN}, items={})
    world.completed_by(ROMANCE[1], viewers=1)
    answer = await world.recommend_for_viewer()(ANA, RecommendationRequest(limit=5))
    assert answer.source is RecommendationSource.POPULAR and titles(answer) == ["Love 1"]


@pytest.mark.parametrize(
    "request_",
    [
        RecommendationRequest(limit=0),
        RecommendationRequest(limit=101),
        RecommendationRequest(kind="episode"),
        RecommendationRequest(kind="Movie"),
    ],
)
async def test_a_limit_outside_one_to_the_maximum_or_an_unknown_kind_is_refused(
    world: ServingWorld, request_: RecommendationRequest
) -> None:
    with pytest.raises(InvalidRecommendationRequest):
        await world.recommend_for_viewer()(ANA, request_)


async def test_the_version_in_use_is_read_again_only_after_its_time(world: ServingWorld) -> None:
    model_in_use = world.model_in_use()
    assert await model_in_use() is None
    await world.train({})
    assert await model_in_use() is None  # remembered
    world.clock.advance(world.ttl - timedelta(milliseconds=1))
    assert await model_in_use() is None
    world.clock.advance(timedelta(milliseconds=1))
    found = await model_in_use()
    assert found is not None and found.version == 1
