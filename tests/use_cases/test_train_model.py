"""Training a model version: from every viewer's history to a complete version in use."""

from __future__ import annotations

import uuid

import attrs
import pytest

from application.recommendations.train_model import (
    FITTING,
    READING,
    WRITING_ITEMS,
    WRITING_VIEWERS,
    TrainModelCommand,
)
from application.recommendations.vector_index_ports import ItemFilter
from domain.recommendations.models import ModelState
from domain.recommendations.ratings import Rating
from tests.use_cases.training_world import ROMANCE, SCIFI, SMALL, TrainingWorld


class RecordedProgress:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.advanced: dict[str, int] = {}

    def stage(self, name: str, total: int | None) -> None:
        self.stages.append((name, total))

    def advance(self, amount: int) -> None:
        name = self.stages[-1][0]
        self.advanced[name] = self.advanced.get(name, 0) + amount


class BrokenIndexWrites(Exception):
    pass


async def test_nothing_is_trained_and_no_version_taken_without_any_history() -> None:
    world = TrainingWorld()
    assert await world.train_model()() is None
    assert await world.registry.versions(10) == []


async def test_nothing_is_trained_when_the_only_history_is_a_dislike() -> None:
    world = TrainingWorld()
    await world.ratings.put(Rating(uuid.uuid4(), SCIFI[0].id, 1, world.clock.now()))
    assert await world.train_model()() is None


async def test_a_training_writes_every_viewer_and_item_and_puts_the_version_in_use() -> None:
    world = TrainingWorld()
    scifi_fans, romance_fans = await world.two_taste_clusters(each=5)
    trained = await world.train_model()()
    assert trained is not None
    assert (trained.version, trained.state, trained.parameters) == (1, ModelState.READY, SMALL)
    assert (trained.viewers, trained.items, trained.interactions) == (10, 12, 50)
    assert trained.total_seconds >= trained.fit_seconds > 0
    assert await world.registry.in_use() == trained
    assert await world.index.count(1) == (12, 10)
    for viewer in scifi_fans:
        assert set(await world.top_genres(1, viewer)) == {"science-fiction"}
    for viewer in romance_fans:
        assert set(await world.top_genres(1, viewer)) == {"romance"}


async def test_the_command_overrides_the_configured_hyperparameters() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    trained = await world.train_model()(TrainModelCommand(parameters=attrs.evolve(SMALL, factors=3)))
    assert trained is not None and trained.parameters.factors == 3
    assert (await world.registry.in_use()) == trained


async def test_titles_the_catalog_no_longer_offers_are_not_written() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    world.items.withdrawn.add(ROMANCE[0].id)
    trained = await world.train_model()()
    assert trained is not None and trained.items == 11
    assert await world.index.similar_items(1, ROMANCE[0].id, ItemFilter(), 3) is None
    assert await world.index.similar_items(1, ROMANCE[1].id, ItemFilter(), 3) is not None


async def test_a_failed_training_is_never_served_and_the_previous_version_stays_in_use() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    first = await world.train_model()()

    async def broken(version: int, points: object) -> None:
        raise BrokenIndexWrites

    world.index.write_viewers = broken  # type: ignore[method-assign]
    with pytest.raises(BrokenIndexWrites):
        await world.train_model()()
    assert await world.registry.in_use() == first
    states = {v.version: v.state for v in await world.registry.versions(10)}
    assert states == {1: ModelState.READY, 2: ModelState.FAILED}
    assert await world.index.count(2) == (0, 0)


async def test_a_new_training_keeps_the_version_it_replaced_and_drops_older_ones() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    train = world.train_model()
    for _ in range(3):
        await train()
    assert await world.index.count(1) == (0, 0) and await world.registry.artifact(1) is None
    assert await world.index.count(2) == (12, 6) and await world.registry.artifact(2) is not None
    states = {v.version: v.state for v in await world.registry.versions(10)}
    assert states == {1: ModelState.RETIRED, 2: ModelState.RETIRED, 3: ModelState.READY}


async def test_progress_is_reported_stage_by_stage() -> None:
    world = TrainingWorld()
    await world.two_taste_clusters(each=3)
    progress = RecordedProgress()
    await world.train_model(batch_size=4)(progress=progress)
    assert progress.stages == [(READING, None), (FITTING, None), (WRITING_ITEMS, 12), (WRITING_VIEWERS, 6)]
    assert progress.advanced == {READING: 30, WRITING_ITEMS: 12, WRITING_VIEWERS: 6}
