"""Recording progress on the fake container, driving the use cases: the numbers a player sees back
and what the history keeps. The product story is features/playback/continue_watching.feature."""

from __future__ import annotations

import uuid

import pytest

from application.playback.record_progress import RecordProgressCommand
from domain.catalog.content import Content
from domain.playback.progress import WatchProgress
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune", year=2021)  # 7200 seconds
ANA = uuid.uuid4()


@pytest.fixture
async def dune(world: FakeWorld) -> Content:
    await world.catalog.upsert_many([DUNE])
    return DUNE


async def record(
    world: FakeWorld, position: float, device: str = "tv", session: str = "tv-1", sequence: int = 1
) -> WatchProgress:
    command = RecordProgressCommand(ANA, DUNE.id, position, device, session, sequence)
    return (await world.container.playback.record_progress()(command)).state


async def listed(world: FakeWorld) -> list[float]:
    page = await world.container.playback.list_continue_watching()(ANA)
    return [entry.progress.position_seconds for entry in page.items]


async def test_the_recorded_state_says_how_far_into_the_title_and_whether_it_is_finished(
    world: FakeWorld, dune: Content
) -> None:
    state = await record(world, 2400)
    assert (state.position_seconds, state.duration_seconds, state.device_id) == (2400, 7200, "tv")
    assert state.progress_percent == 33.33 and state.completed is False


async def test_thirty_seconds_is_where_a_resume_point_starts(world: FakeWorld, dune: Content) -> None:
    await record(world, 29)
    assert await listed(world) == []
    await record(world, 30, sequence=2)
    assert await listed(world) == [30]


async def test_every_change_is_appended_to_the_history_with_its_device(world: FakeWorld, dune: Content) -> None:
    await record(world, 600)
    await record(world, 7000, device="phone", session="phone-1")
    history = await world.history(ANA)
    assert [(e.position_seconds, e.completed, e.device_id) for e in history] == [
        (600, False, "tv"),
        (7000, True, "phone"),
    ]


async def test_the_same_sequence_again_is_told_apart_as_a_duplicate_and_changes_nothing(
    world: FakeWorld, dune: Content
) -> None:
    record_progress = world.container.playback.record_progress()
    first = await record_progress(RecordProgressCommand(ANA, DUNE.id, 600, "tv", "tv-1", 1))
    again = await record_progress(RecordProgressCommand(ANA, DUNE.id, 900, "tv", "tv-1", 1))
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.state == first.state
