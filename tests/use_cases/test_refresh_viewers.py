"""The incremental update: a viewer's vector from their whole history, without retraining."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from adapters.shared.manual_clock import ManualClock
from application.playback.progress_archive_ports import ProgressSnapshot
from application.playback.progress_journal_ports import JournalBacklog
from application.recommendations.refresh_changed_viewers import RefreshChangedViewers
from domain.catalog.content import Content
from domain.playback.progress import WatchProgress
from domain.recommendations.ratings import Rating
from tests.support.catalog_fixtures import movie
from tests.use_cases.training_world import ROMANCE, SCIFI, TrainingWorld


class Journal:
    """What the archive still has to write: the oldest change the journal holds, if any."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.holding: datetime | None = None  # when playback accepted the oldest unarchived change

    async def backlog(self) -> JournalBacklog:
        if self.holding is None:
            return JournalBacklog(pending=0, oldest_age_seconds=0.0)
        return JournalBacklog(pending=1, oldest_age_seconds=(self.clock.now() - self.holding).total_seconds())


async def trained_world() -> TrainingWorld:
    world = TrainingWorld()
    await world.two_taste_clusters(each=5)
    await world.train_model()()
    return world


async def test_nothing_is_refreshed_before_the_first_training() -> None:
    world = TrainingWorld()
    viewer = uuid.uuid4()
    await world.finishes(viewer, SCIFI[0])
    assert await world.refresh_viewers()([viewer]) == 0


async def test_a_viewer_the_model_never_saw_gets_a_vector_of_their_taste_without_a_retrain() -> None:
    world = await trained_world()
    newcomer = uuid.uuid4()
    await world.finishes(newcomer, *SCIFI[:3])
    assert await world.refresh_viewers()([newcomer]) == 1
    assert set(await world.top_genres(1, newcomer)) == {"science-fiction"}
    assert [v.version for v in await world.registry.versions(10)] == [1]


async def test_a_viewer_who_changes_taste_is_moved_by_their_whole_history() -> None:
    world = await trained_world()
    viewer = uuid.uuid4()
    await world.finishes(viewer, SCIFI[0])
    await world.refresh_viewers()([viewer])
    await world.finishes(viewer, *ROMANCE)
    await world.refresh_viewers()([viewer, viewer])
    assert set(await world.top_genres(1, viewer)) == {"romance"}


async def test_a_viewer_whose_history_the_model_does_not_know_is_left_alone() -> None:
    world = await trained_world()
    viewer = uuid.uuid4()
    new_title = movie("A Title Added After Training", genres=("science-fiction",))
    world.catalog.put(new_title)
    await world.finishes(viewer, new_title)
    assert await world.refresh_viewers()([viewer]) == 0
    assert await world.index.viewer_vector(1, viewer) is None


def watching(viewer: uuid.UUID, title: Content, at: datetime) -> ProgressSnapshot:
    state = WatchProgress(viewer, title.id, 7000, 7200, "tv", "s1", 1, 1, at, completed=True)
    return ProgressSnapshot(viewer, title.id, state, {"s1": 1})


def refresh_step(world: TrainingWorld, journal: Journal) -> RefreshChangedViewers:
    return RefreshChangedViewers(
        changes=world.history, journal=journal, refresh=world.refresh_viewers(), clock=world.clock
    )


async def test_each_look_refreshes_the_viewers_changed_since_the_last_one_once() -> None:
    world = await trained_world()
    step = refresh_step(world, Journal(world.clock))
    assert await step() == 0
    viewer, rater = uuid.uuid4(), uuid.uuid4()
    await world.archive.write([watching(viewer, SCIFI[0], world.clock.now())], [])
    await world.ratings.put(Rating(rater, ROMANCE[0].id, 5, world.clock.now()))
    assert await step() == 2
    assert await world.index.viewer_vector(1, viewer) is not None
    assert await world.index.viewer_vector(1, rater) is not None
    world.clock.advance(timedelta(seconds=30))
    assert await step() == 0


async def test_a_change_archived_late_is_still_refreshed() -> None:
    world = await trained_world()
    journal = Journal(world.clock)
    step = refresh_step(world, journal)
    accepted = journal.holding = world.clock.now()  # the archive is behind: the journal holds it
    world.clock.advance(timedelta(minutes=2))
    assert await step() == 0
    world.clock.advance(timedelta(minutes=5))
    assert await step() == 0
    viewer = uuid.uuid4()
    await world.archive.write([watching(viewer, ROMANCE[2], accepted)], [])  # archived at last
    journal.holding = None
    assert await step() == 1
    assert await world.index.viewer_vector(1, viewer) is not None
