"""The worker's retrain schedule: the first model as soon as there is history; then after the
interval, when enough histories or ratings changed since the model in use was trained."""

from __future__ import annotations

import uuid
from datetime import timedelta

from application.recommendations.retrain_when_due import RetrainWhenDue
from domain.recommendations.ratings import Rating
from tests.use_cases.training_world import ROMANCE, SCIFI, TrainingWorld


def schedule(world: TrainingWorld, min_changes: int = 3) -> RetrainWhenDue:
    return RetrainWhenDue(
        registry=world.registry,
        history=world.history,
        train=world.train_model(),
        clock=world.clock,
        interval_seconds=3600,
        min_changes=min_changes,
    )


async def rate(world: TrainingWorld, viewers: int) -> None:
    for _ in range(viewers):
        await world.ratings.put(Rating(uuid.uuid4(), SCIFI[0].id, 5, world.clock.now()))


async def test_nothing_is_trained_without_history_and_the_first_model_once_there_is() -> None:
    world = TrainingWorld()
    retrain = schedule(world)
    assert await retrain() is None
    await rate(world, 1)
    trained = await retrain()
    assert trained is not None and trained.version == 1


async def test_no_retrain_before_the_interval_however_much_changed() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    await rate(world, 1)
    retrain = schedule(world)
    await retrain()
    world.clock.advance(timedelta(minutes=59))
    await rate(world, 10)
    assert await retrain() is None


async def test_after_the_interval_a_retrain_waits_for_enough_changes() -> None:
    world = TrainingWorld()
    await rate(world, 1)
    retrain = schedule(world, min_changes=3)
    await retrain()
    world.clock.advance(timedelta(hours=2))
    await rate(world, 2)
    assert await retrain() is None
    await world.ratings.put(Rating(uuid.uuid4(), ROMANCE[0].id, 4, world.clock.now()))
    trained = await retrain()
    assert trained is not None and trained.version == 2
