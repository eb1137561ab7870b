"""One contract for the live progress store: the in-memory fake and Redis (in front of the
PostgreSQL archive) both pass it. Its merge rule is ``domain.playback.progress.judge``, which the
Redis store's Lua script re-implements: ``test_progress_store_properties.py`` holds both to it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from application.playback.progress_archive_ports import ProgressSnapshot
from application.playback.sync_ports import SyncEvent
from domain.playback.progress import Verdict, WatchProgress, next_episode_entry
from tests.support.live_progress import (
    BACKENDS,
    DUNE,
    EP1,
    EP2,
    EP3,
    MATRIX,
    NOW,
    Live,
    live_adapters,
    record,
    with_viewer_and_catalog,
)


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> Live:
    return live_adapters(request)


@pytest.fixture
async def live(adapters: Live) -> Live:
    return await with_viewer_and_catalog(adapters)


async def test_an_accepted_update_is_the_state_every_device_reads(live: Live) -> None:
    recorded = await record(live, DUNE, 600.5, 1)
    assert recorded.verdict is Verdict.ACCEPT and not recorded.was_completed
    state = recorded.state
    assert (state.position_seconds, state.device_id, state.session_id, state.sequence) == (600.5, "tv", "tv-1", 1)
    assert state.updated_at == NOW + timedelta(minutes=1) and not state.completed
    assert await live.store.current(live.user_id, DUNE.id) == state
    assert await live.store.current(live.user_id, MATRIX.id) is None


async def test_server_orders_increase_with_every_write_to_a_title(live: Live) -> None:
    orders = [(await record(live, DUNE, 100 * n, n)).state.server_order for n in range(1, 5)]
    assert orders == sorted(orders) and len(set(orders)) == 4


async def test_within_a_session_a_repeat_is_a_duplicate_and_a_lower_sequence_is_stale(live: Live) -> None:
    standing = (await record(live, DUNE, 900, 5)).state
    duplicate = await record(live, DUNE, 900, 5)
    assert duplicate.verdict is Verdict.DUPLICATE and duplicate.state == standing
    stale = await record(live, DUNE, 300, 4)
    assert stale.verdict is Verdict.STALE and stale.state == standing
    assert await live.store.current(live.user_id, DUNE.id) == standing


async def test_a_new_session_may_move_backwards_and_an_old_session_stays_judged(live: Live) -> None:
    await record(live, DUNE, 900, 5, session="tv-1")
    rewatch = await record(live, DUNE, 60, 1, session="phone-1")
    assert rewatch.verdict is Verdict.ACCEPT and rewatch.state.position_seconds == 60
    late = await record(live, DUNE, 800, 4, session="tv-1")
    assert late.verdict is Verdict.STALE and late.state == rewatch.state


async def test_the_previous_completion_is_reported(live: Live) -> None:
    finished = await record(live, DUNE, 7000, 1)
    assert finished.state.completed and not finished.was_completed
    again = await record(live, DUNE, 7100, 2)
    assert again.was_completed


async def test_a_title_only_the_archive_knows_is_judged_by_the_archived_sessions(live: Live) -> None:
    archived = WatchProgress(
        user_id=live.user_id,
        content_id=DUNE.id,
        position_seconds=1500,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=9,
        server_order=41,
        updated_at=NOW,
    )
    await live.archive.write([ProgressSnapshot(live.user_id, DUNE.id, archived, {"tv-1": 9})], [])
    assert await live.store.current(live.user_id, DUNE.id) == archived
    stale = await record(live, DUNE, 1200, 8)
    assert stale.verdict is Verdict.STALE and stale.state == archived
    accepted = await record(live, DUNE, 1600, 10)
    assert accepted.verdict is Verdict.ACCEPT and accepted.state.server_order > 41


async def test_a_next_episode_is_queued_only_where_nothing_is_stored(live: Live) -> None:
    queued = await live.store.queue_next_episode(next_episode_entry(live.user_id, EP2.id, 2700, NOW))
    assert queued is not None and queued.position_seconds == 0 and queued.server_order > 0
    assert await live.store.current(live.user_id, EP2.id) == queued
    await record(live, EP3, 600, 1)
    assert await live.store.queue_next_episode(next_episode_entry(live.user_id, EP3.id, 2700, NOW)) is None
    assert (await live.store.current(live.user_id, EP3.id)).position_seconds == 600


async def test_dismissing_hides_the_title_until_new_progress_arrives(live: Live) -> None:
    assert await live.store.dismiss(live.user_id, DUNE.id, NOW) is None
    await record(live, DUNE, 600, 1)
    hidden = await live.store.dismiss(live.user_id, DUNE.id, NOW + timedelta(hours=1))
    assert hidden is not None and hidden.dismissed and hidden.updated_at == NOW + timedelta(hours=1)
    assert await live.store.dismiss(live.user_id, DUNE.id, NOW + timedelta(hours=2)) == hidden
    back = await record(live, DUNE, 700, 2)
    assert not back.state.dismissed


async def test_every_write_is_announced_to_the_viewers_devices(live: Live) -> None:
    events = await live.broker.subscribe(live.user_id)
    received: list[SyncEvent] = []

    async def listen() -> None:
        async for event in events:
            received.append(event)
            if len(received) == 4:
                return

    listener = asyncio.ensure_future(listen())
    await record(live, EP1, 600, 1)  # at once: the subscription is in place when subscribe returns
    finished = (await record(live, EP1, 2650, 2)).state
    await live.store.queue_next_episode(next_episode_entry(live.user_id, EP2.id, 2700, NOW))
    await live.store.dismiss(live.user_id, EP1.id, NOW + timedelta(hours=1))
    await asyncio.wait_for(listener, 5)
    await events.aclose()
    assert [(e.kind, e.content_id) for e in received] == [
        ("progress", EP1.id),
        ("completed", EP1.id),
        ("next_episode", EP2.id),
        ("dismissed", EP1.id),
    ]
    completed = received[1]
    assert (completed.position_seconds, completed.progress_percent, completed.completed) == (
        2650,
        finished.progress_percent,
        True,
    )
    assert completed.server_order == finished.server_order and completed.occurred_at == finished.updated_at
    assert completed.device_id == "tv" and completed.user_id == live.user_id
