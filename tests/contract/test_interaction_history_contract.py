"""One contract for the interaction history (what training and the incremental update read of
playback's history and the ratings): over the in-memory archive and over PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from itertools import count
from typing import Any

import attrs
import pytest

from adapters.recommendations.in_memory_interaction_history import InMemoryInteractionHistory
from adapters.recommendations.in_memory_rating_repository import InMemoryRatingRepository
from adapters.recommendations.postgres_interaction_history import PostgresInteractionHistory
from adapters.recommendations.postgres_rating_repository import PostgresRatingRepository
from application.playback.progress_archive_ports import WatchEvent
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.recommendations.interactions import Interaction, TitleSignals
from domain.recommendations.ratings import Rating
from tests.support.archived_playback import (
    BACKENDS,
    DUNE,
    EP1,
    EP2,
    MATRIX,
    NOW,
    SERIES,
    ArchivedPlayback,
    archived_playback,
    save,
    state,
    with_viewer_and_catalog,
)

_changes = count()


@attrs.define
class History:
    playback: ArchivedPlayback
    ratings: Any
    history: Any

    @property
    def user_id(self) -> uuid.UUID:
        return self.playback.user_id


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> History:
    playback = archived_playback(request)
    if request.param == "in-memory":
        ratings = InMemoryRatingRepository()
        return History(playback, ratings, InMemoryInteractionHistory(playback.archive, ratings, playback.catalog))
    engine = request.getfixturevalue("engine")
    return History(playback, PostgresRatingRepository(engine), PostgresInteractionHistory(engine))


@pytest.fixture
async def world(adapters: History) -> History:
    await with_viewer_and_catalog(adapters.playback)
    return adapters


async def watched(h: History, content: Any, *percents: float, user_id: uuid.UUID | None = None) -> None:
    """Updates of one title in order; 95% and beyond is complete (playback's rule)."""
    user = user_id or h.user_id
    events = [
        WatchEvent(user, content.id, p * 60, p, p >= 95, "tv", NOW + timedelta(minutes=n), f"{next(_changes)}-0")
        for n, p in enumerate(percents)
    ]
    await h.playback.archive.write([], events)


async def another_viewer(h: History) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with h.playback.identity() as uow:
        await uow.users.add(User(user_id, EmailAddress.parse(f"{user_id.hex[:8]}@example.com"), "Bo", "$x", NOW))
        await uow.commit()
    return user_id


def signals_of(interactions: list[Interaction]) -> dict[uuid.UUID, TitleSignals]:
    return {i.item_id: i.signals for i in interactions}


async def test_a_film_watched_halfway_is_one_interaction_without_a_completion(world: History) -> None:
    await watched(world, DUNE, 10, 50)
    assert signals_of(await world.history.viewer_interactions(world.user_id)) == {
        DUNE.id: TitleSignals(watched_fraction=0.5, completions=0)
    }


async def test_a_rewatch_is_a_second_completion_and_updates_past_the_end_are_not(world: History) -> None:
    await watched(world, DUNE, 50, 96, 97, 99, 10, 60, 96)
    assert signals_of(await world.history.viewer_interactions(world.user_id))[DUNE.id].completions == 2


async def test_episodes_roll_up_to_their_series(world: History) -> None:
    await watched(world, EP1, 40, 96)
    await watched(world, EP2, 30)
    interactions = await world.history.viewer_interactions(world.user_id)
    assert signals_of(interactions) == {SERIES.id: TitleSignals(watched_fraction=0.96, completions=1)}


async def test_the_current_state_says_what_was_dismissed_and_how_far_it_got(world: History) -> None:
    p = world.playback
    await save(p, state(p, DUNE, 7200 * 0.3, dismissed=True), state(p, MATRIX, 7200, completed=True))
    signals = signals_of(await world.history.viewer_interactions(world.user_id))
    assert signals[DUNE.id] == TitleSignals(watched_fraction=pytest.approx(0.3), dismissed=True)
    assert signals[MATRIX.id] == TitleSignals(watched_fraction=1.0, completions=1)


async def test_a_series_is_dismissed_when_its_latest_episode_entry_is(world: History) -> None:
    p = world.playback
    await save(p, state(p, EP1, 600, minutes=1, dismissed=True), state(p, EP2, 600, minutes=2))
    assert not signals_of(await world.history.viewer_interactions(world.user_id))[SERIES.id].dismissed
    await save(p, state(p, EP2, 600, minutes=3, server_order=10, dismissed=True))
    assert signals_of(await world.history.viewer_interactions(world.user_id))[SERIES.id].dismissed


async def test_ratings_are_interactions_and_an_episode_rating_stands_for_its_series(world: History) -> None:
    await world.ratings.put(Rating(world.user_id, MATRIX.id, 5, NOW))
    await world.ratings.put(Rating(world.user_id, EP1.id, 2, NOW))
    await world.ratings.put(Rating(world.user_id, EP2.id, 4, NOW + timedelta(minutes=1)))
    signals = signals_of(await world.history.viewer_interactions(world.user_id))
    assert signals == {MATRIX.id: TitleSignals(rating=5), SERIES.id: TitleSignals(rating=4)}
    await world.ratings.put(Rating(world.user_id, SERIES.id, 1, NOW))
    assert signals_of(await world.history.viewer_interactions(world.user_id))[SERIES.id].rating == 1


async def test_every_interaction_streams_each_viewer_whole_within_one_batch(world: History) -> None:
    other = await another_viewer(world)
    await watched(world, DUNE, 50)
    await watched(world, EP1, 96)
    await watched(world, MATRIX, 20, user_id=other)
    await world.ratings.put(Rating(other, DUNE.id, 5, NOW))
    batches = [list(b) async for b in world.history.every_interaction(batch_size=1)]
    assert len(batches) == 2
    by_viewer = {b[0].user_id: {i.item_id for i in b} for b in batches}
    assert by_viewer == {world.user_id: {DUNE.id, SERIES.id}, other: {MATRIX.id, DUNE.id}}
    assert all(len({i.user_id for i in b}) == 1 for b in batches)


async def test_changes_since_counts_title_states_and_ratings_after_the_moment(world: History) -> None:
    p = world.playback
    await save(p, state(p, DUNE, 600, minutes=1), state(p, MATRIX, 600, minutes=10))
    await world.ratings.put(Rating(world.user_id, EP1.id, 4, NOW + timedelta(minutes=20)))
    assert await world.history.changes_since(NOW) == 3
    assert await world.history.changes_since(NOW + timedelta(minutes=5)) == 2
    assert await world.history.changes_since(NOW + timedelta(minutes=30)) == 0
    changed = await world.history.changed_since(NOW + timedelta(minutes=5))
    assert sorted((c.content_id, c.changed_at) for c in changed) == sorted(
        [(MATRIX.id, NOW + timedelta(minutes=10)), (EP1.id, NOW + timedelta(minutes=20))]
    )
