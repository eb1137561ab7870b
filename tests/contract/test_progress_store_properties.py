"""Properties of the live store's merge, held by the in-memory store (which calls
``domain.playback.progress.judge``) and the Redis store (whose Lua script re-implements it):

- every decision either store makes is the one ``judge`` makes from what the store holds,
  whatever the archive held first and whatever queued or dismissed titles came between;
- however updates from two devices interleave and however often they are redelivered, no
  playback session moves backwards, a refused update leaves the standing state alone, and the
  live store and the archive end on the last accepted write."""

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
from application.playback.progress_archive_ports import ProgressSnapshot
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress, judge, next_episode_entry

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


SESSIONS = ["tv-1", "phone-1", "tv-2"]
# Few sessions and sequences, so that duplicates, stale updates and new sessions all come up often.
sequences = st.integers(min_value=0, max_value=4)
writes = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(SESSIONS), sequences),
    st.tuples(st.sampled_from(["queue", "dismiss"]), st.just(""), st.just(0)),
)


@st.composite
def archived_starts(draw: st.DrawFn) -> tuple[bool, dict[str, int]]:
    """What the archive holds before the first write: whether a state, and each session's high water."""
    high_water = draw(st.dictionaries(st.sampled_from(SESSIONS), sequences, max_size=3))
    return bool(high_water) and draw(st.booleans()), high_water


async def judged(
    open_store: Callable[[InMemoryProgressArchive], Any],
    start: tuple[bool, dict[str, int]],
    sequence: list[tuple[str, str, int]],
) -> None:
    user_id, content_id = uuid.uuid4(), uuid.uuid4()
    has_state, high_water = start
    archive = InMemoryProgressArchive()
    if high_water:
        session = next(iter(high_water))
        standing = WatchProgress(
            user_id, content_id, 900, 7200, "tv", session, high_water[session], 9, START - timedelta(days=1)
        )
        await archive.write([ProgressSnapshot(user_id, content_id, standing if has_state else None, high_water)], [])
    store, close = open_store(archive)
    try:
        for tick, (write, session, number) in enumerate(sequence, start=1):
            now = START + timedelta(seconds=tick)
            if write == "queue":
                queued = await store.queue_next_episode(next_episode_entry(user_id, content_id, 7200, now))
                assert (queued is None) == has_state
                has_state = True
                continue
            if write == "dismiss":
                assert (await store.dismiss(user_id, content_id, now) is None) == (not has_state)
                continue
            update = ProgressUpdate.create(
                user_id=user_id,
                content_id=content_id,
                position_seconds=60 * number,
                duration_seconds=7200,
                device_id=session.split("-")[0],
                session_id=session,
                sequence=number,
            )
            expected = judge(has_state, high_water.get(session), number)
            recorded = await store.record(update, completed=False, now=now)
            assert recorded.verdict is expected, (has_state, high_water.get(session), number)
            if expected is Verdict.ACCEPT:
                has_state = True
                high_water[session] = max(high_water.get(session, number), number)
    finally:
        await close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=archived_starts(), sequence=st.lists(writes, min_size=2, max_size=8))
def test_every_decision_is_the_one_judge_makes(
    open_store: Callable[[InMemoryProgressArchive], Any],
    start: tuple[bool, dict[str, int]],
    sequence: list[tuple[str, str, int]],
) -> None:
    asyncio.run(judged(open_store, start, sequence))
