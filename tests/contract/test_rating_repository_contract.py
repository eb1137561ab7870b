"""One contract for viewers' ratings: in memory and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.postgres_rating_repository import PostgresRatingRepository
from domain.recommendations.ratings import Rating
from tests.support.archived_playback import (
    BACKENDS,
    DUNE,
    MATRIX,
    NOW,
    ArchivedPlayback,
    archived_playback,
    with_viewer_and_catalog,
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> tuple[ArchivedPlayback, Any]:
    playback = archived_playback(request)  # a viewer and a catalog to rate
    if request.param == "in-memory":
        return playback, InMemoryRatingRepository()
    return playback, PostgresRatingRepository(request.getfixturevalue("engine"))


@pytest.fixture
async def ratings(backend: tuple[ArchivedPlayback, Any]) -> tuple[Any, Any]:
    playback, repository = backend
    await with_viewer_and_catalog(playback)
    return playback.user_id, repository


async def test_a_rating_is_listed_and_a_second_one_replaces_it(ratings: tuple[Any, Any]) -> None:
    user_id, repository = ratings
    await repository.put(Rating(user_id, DUNE.id, 4, NOW))
    await repository.put(Rating(user_id, DUNE.id, 2, NOW + timedelta(minutes=1)))
    assert await repository.list_for(user_id) == [Rating(user_id, DUNE.id, 2, NOW + timedelta(minutes=1))]


async def test_ratings_are_listed_most_recent_first_and_only_the_viewers_own(ratings: tuple[Any, Any]) -> None:
    user_id, repository = ratings
    await repository.put(Rating(user_id, DUNE.id, 5, NOW))
    await repository.put(Rating(user_id, MATRIX.id, 3, NOW + timedelta(hours=1)))
    assert [r.content_id for r in await repository.list_for(user_id)] == [MATRIX.id, DUNE.id]
    assert await repository.list_for(DUNE.id) == []


async def test_deleting_says_whether_there_was_a_rating(ratings: tuple[Any, Any]) -> None:
    user_id, repository = ratings
    await repository.put(Rating(user_id, DUNE.id, 5, NOW))
    assert await repository.delete(user_id, DUNE.id) is True
    assert await repository.delete(user_id, DUNE.id) is False
    assert await repository.list_for(user_id) == []
