"""Rating titles on in-memory adapters: the rules, and the viewer's vector refreshed after each
change (a refresh that fails never fails the rating)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

import attrs
import pytest

from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from application.recommendations.ratings import (
    ListRatings,
    RateTitle,
    RateTitleCommand,
    RemoveRating,
    RemoveRatingCommand,
)
from domain.recommendations.errors import InvalidRating, RatingNotFound, TitleNotFound
from tests.support.serving_world import ROMANCE, SCI_FI, ServingWorld

ANA = uuid.uuid4()


class RecordingRefresh:
    def __init__(self, fails: bool = False) -> None:
        self.calls: list[list[UUID]] = []
        self.fails = fails

    async def __call__(self, user_ids: Sequence[UUID]) -> None:
        self.calls.append(list(user_ids))
        if self.fails:
            raise ConnectionError("index down")


@attrs.define
class Ratings:
    world: ServingWorld
    repository: InMemoryRatingRepository
    refresh: RecordingRefresh
    rate: RateTitle
    remove: RemoveRating
    listed: ListRatings


def ratings(fails: bool = False) -> Ratings:
    world, repository, refresh = ServingWorld(), InMemoryRatingRepository(), RecordingRefresh(fails)
    return Ratings(
        world,
        repository,
        refresh,
        RateTitle(repository, world.items, world.clock, refresh),
        RemoveRating(repository, refresh),
        ListRatings(repository),
    )


async def test_a_rating_is_stored_replacing_the_last_one_and_refreshes_the_viewer() -> None:
    r = ratings()
    await r.rate(RateTitleCommand(ANA, SCI_FI[0].id, 2))
    r.world.clock.advance(timedelta(minutes=1))
    rating = await r.rate(RateTitleCommand(ANA, SCI_FI[0].id, 5))
    assert rating.rating == 5 and rating.rated_at == r.world.clock.now()
    assert [(x.content_id, x.rating) for x in await r.listed(ANA)] == [(SCI_FI[0].id, 5)]
    assert r.refresh.calls == [[ANA], [ANA]]


@pytest.mark.parametrize("value", [0, 6, "5", True, 4.5, None])
async def test_a_rating_that_is_not_a_whole_number_from_one_to_five_is_refused(value: object) -> None:
    r = ratings()
    with pytest.raises(InvalidRating):
        await r.rate(RateTitleCommand(ANA, SCI_FI[0].id, value))
    assert await r.listed(ANA) == [] and r.refresh.calls == []


async def test_rating_a_title_the_catalog_does_not_offer_is_not_found() -> None:
    r = ratings()
    r.world.catalog.put(attrs.evolve(ROMANCE[0], withdrawn_at=r.world.clock.now()))
    for content_id in (uuid.uuid4(), ROMANCE[0].id):
        with pytest.raises(TitleNotFound):
            await r.rate(RateTitleCommand(ANA, content_id, 4))
    assert await r.listed(ANA) == [] and r.refresh.calls == []


async def test_a_refresh_that_fails_is_logged_and_the_rating_stands(caplog: pytest.LogCaptureFixture) -> None:
    r = ratings(fails=True)
    with caplog.at_level(logging.ERROR):
        await r.rate(RateTitleCommand(ANA, SCI_FI[1].id, 4))
        await r.remove(RemoveRatingCommand(ANA, SCI_FI[1].id))
    assert r.refresh.calls == [[ANA], [ANA]] and await r.listed(ANA) == []
    assert sum("refreshing a viewer's vector" in m for m in caplog.messages) == 2


async def test_removing_a_rating_refreshes_the_viewer_and_removing_none_is_not_found() -> None:
    r = ratings()
    await r.rate(RateTitleCommand(ANA, SCI_FI[1].id, 3))
    await r.remove(RemoveRatingCommand(ANA, SCI_FI[1].id))
    assert await r.listed(ANA) == [] and len(r.refresh.calls) == 2
    with pytest.raises(RatingNotFound):
        await r.remove(RemoveRatingCommand(ANA, SCI_FI[1].id))
    assert len(r.refresh.calls) == 2


async def test_the_list_is_the_viewers_own_most_recent_first() -> None:
    r = ratings()
    for n, film in enumerate(SCI_FI[:3]):
        r.world.clock.advance(timedelta(minutes=1))
        await r.rate(RateTitleCommand(ANA, film.id, n + 1))
    await r.rate(RateTitleCommand(uuid.uuid4(), ROMANCE[0].id, 5))
    assert [x.content_id for x in await r.listed(ANA)] == [SCI_FI[2].id, SCI_FI[1].id, SCI_FI[0].id]
