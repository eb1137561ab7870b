"""Property: however updates from two devices interleave and however often they are
redelivered, no playback session moves backwards, a refused update leaves the standing state
alone, and the live store and the archive end on the last accepted write. Held by the in-memory
store (which applies ``judge`` in Python) and the Redis store (which applies it in Lua)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.in_memory_progress_store import InMemoryProgressStore
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import InMemorySyncBroker
from domain.playback.progress import ProgressUpdate, Verdict

START = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
PLACEHOLDER = uuid.UUID(int=0)


def session_updates(device: str, session: str, positions: list[int]) -> list[ProgressUpdate]:
    return [
        ProgressUpdate.create(
            user_id=PLACEHOLDER,
            content_id=PLACEHOLDER,
            position_seconds=position,
            duration_seconds=7200,
            device_id=device,
            session_id=session,
            sequence=index,
        )
        for index, position in enumerate(positions)
    ]


positions = st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=8)


@st.composite
def deliveries(draw: st.DrawFn) -> list[ProgressUpdate]:
    sent = (
        session_updates("tv", "tv-1", draw(positions))
        + session_updates("phone", "phone-1", draw(positions))
        + session_updates("tv", "tv-2", draw(positions))
    )
    redelivered = draw(st.lists(st.sampled_from(sent), max_size=10))
    return draw(st.permutations(sent + redelivered))


async def replay(open_store: Callable[[InMemoryProgressArchive], Any], order: list[ProgressUpdate]) -> None:
    user_id, content_id = uuid.uuid4(), uuid.uuid4()  # a fresh viewer and title per example
    archive = InMemoryProgressArchive()
    store, close = open_store(archive)
    high_water: dict[str, int] = {}
    accepted: dict[str, list[int]] = {}
    last = None
    try:
        for tick, sent in enumerate(order, start=1):
            update = attrs.evolve(sent, user_id=user_id, content_id=content_id)
            before = await store.current(user_id, content_id)
            recorded = await store.record(update, completed=False, now=START + timedelta(seconds=tick))
            if recorded.verdict is Verdict.STALE:
                assert recorded.state == before and update.sequence < high_water[update.session_id]
            elif recorded.verdict is Verdict.DUPLICATE:
                assert recorded.state == before and update.sequence == high_water[update.session_id]
            else:
                assert before is None or recorded.state.server_order > before.server_order
                high_water[update.session_id] = max(high_water.get(update.session_id, -1), update.sequence)
                accepted.setdefault(update.session_id, []).append(update.sequence)
                last = recorded.state
        for sequences in accepted.values():
            assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
        assert last is not None
        # Every device reads the one stored state: the last write the store accepted.
        assert await store.current(user_id, content_id) == last
        pending = await store.pending(user_id)
        await archive.write(pending, [])
        await store.settle(pending)
        assert (await archive.load(user_id, content_id)).progress == last
        assert await store.pending(user_id) == []
    finally:
        await close()


@pytest.fixture(params=["in-memory", "redis"])
def open_store(request: pytest.FixtureRequest) -> Callable[[InMemoryProgressArchive], Any]:
    if request.param == "in-memory":

        async def nothing() -> None:
            return None

        return lambda archive: (InMemoryProgressStore(archive, InMemorySyncBroker()), nothing)
    redis_url = request.getfixturevalue("redis_url")

    def on_redis(archive: InMemoryProgressArchive) -> tuple[RedisProgressStore, Any]:
        redis = Redis.from_url(redis_url)
        return RedisProgressStore(redis, archive), redis.aclose

    return on_redis


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=deliveries())
def test_sessions_never_regress_and_every_reader_converges(
    open_store: Callable[[InMemoryProgressArchive], Any], order: list[ProgressUpdate]
) -> None:
    asyncio.run(replay(open_store, order))
